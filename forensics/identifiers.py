"""The shapes of identifiers read from outside (a received package, a transfer record), and
paths confined to their root.

A package is hostile until verified, and even a verified one is only as honest as the
officer who signed it: every identifier that names something on disk is checked for type
and shape before use, and every path built from one is resolved strictly inside its root.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath

from forensics.errors import InputError

# Case and package ids are lowercase canonical UUIDs (``str(uuid.uuid4())``): the only shape
# ``Case.create`` and the exporter make, and a safe folder name on every OS.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def new_case_id() -> str:
    """A new case id (the one shape ``check_case_id`` accepts)."""
    return str(uuid.uuid4())


def is_case_id(value: object) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_case_id(value: object) -> str:
    if not is_case_id(value):
        raise InputError(
            f"invalid case id {_shown(value)}: a case id is a UUID such as "
            "'0f8e4c1a-6b2d-4e3f-9a7b-1c2d3e4f5a6b' (no paths, drives or '..')",
            f"案件编号 {_shown(value)} 无效：案件编号应为 UUID（不得含路径、盘符或“..”）",
        )
    assert isinstance(value, str)
    return value


def check_package_id(value: object) -> str:
    if not (isinstance(value, str) and _UUID.match(value)):
        raise InputError(
            f"invalid package id {_shown(value)}: a package id is a UUID",
            f"证据包编号 {_shown(value)} 无效：证据包编号应为 UUID",
        )
    return value


def check_sha256(value: object, what: str) -> str:
    if not (isinstance(value, str) and _SHA256.match(value)):
        raise InputError(
            f"{what}: invalid SHA-256 {_shown(value)} (64 lowercase hex digits expected)",
            f"{what}：SHA-256 值 {_shown(value)} 无效（应为 64 位小写十六进制）",
        )
    return value


def check_seq(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(
            f"invalid ledger seq {_shown(value)} (an integer ≥ 0 expected)",
            f"账本序号 {_shown(value)} 无效（应为不小于 0 的整数）",
        )
    return value


def _outside(root: Path, parts: tuple[str, ...]) -> InputError:
    shown = _shown("/".join(parts))
    return InputError(
        f"refused path {shown}: it does not stay inside {root}",
        f"拒绝路径 {shown}：它不在 {root} 之内",
    )


def inside(root: Path, *parts: str) -> Path:
    """``root / parts…``, refused (InputError) unless it resolves strictly inside ``root``.

    Each part must be a plain relative name on every OS: no absolute path, no Windows
    drive (``C:\\x``, ``C:x``) or UNC share (``\\\\server\\share``), no backslash, no NUL;
    ``..`` that climbs out, and symbolic links that lead out, fail the resolution check."""
    for part in parts:
        if (
            not isinstance(part, str)
            or not part
            or "\x00" in part
            or "\\" in part
            or ":" in part
            or PurePosixPath(part).is_absolute()
            or PureWindowsPath(part).anchor
        ):
            raise _outside(root, tuple(str(p) for p in parts))
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if target == base or not target.is_relative_to(base):
        raise _outside(root, parts)
    return target
