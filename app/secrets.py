"""Passphrases: from a file, the environment, or a prompt — never from the command line."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from forensics.childenv import scrubbed
from forensics.errors import AuthError, InputError, os_reason


def secret_from_env(env: str) -> str | None:
    """The secret named ``env`` if the environment gave one (also after it was scrubbed)."""
    return os.environ.get(env) or scrubbed(env) or None


def read_secret(
    file: Path | None, env: str, prompt_en: str, prompt_zh: str, lang: str, confirm: bool = False
) -> str:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InputError(
                f"cannot read {file}: {exc.strerror}",
                f"无法读取 {file}：{os_reason(exc)[1]}",
            ) from None
    # Once Qt WebEngine is about to start, secrets leave the environment (childenv) but
    # stay readable for this process.
    value = secret_from_env(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise AuthError(
            f"a passphrase is needed: set {env} or use --passphrase-file",
            f"需要口令：请设置环境变量 {env} 或使用 --passphrase-file",
        )
    prompt = prompt_zh if lang == "zh" else prompt_en
    first = getpass.getpass(prompt + ": ")
    if confirm and getpass.getpass(("再次输入" if lang == "zh" else "Repeat") + ": ") != first:
        raise AuthError("the passphrases do not match", "两次输入的口令不一致")
    return first
