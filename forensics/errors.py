"""One error base for the core. ``diagnostics()`` is the text a person reads."""

from __future__ import annotations

import errno
import socket

# The causes a person meets when a file cannot be written or read, in both languages (the
# OS says them in English only): a Chinese message never carries an English ``strerror``.
_OS_CAUSES: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "没有权限"),
    errno.EPERM: ("not permitted", "不允许此操作"),
    errno.ENOENT: ("no such file or folder", "文件或文件夹不存在"),
    errno.ENOSPC: ("the disk is full", "磁盘空间不足"),
    errno.EROFS: ("the disk or folder is read-only", "磁盘或文件夹为只读"),
    errno.EEXIST: ("the file already exists", "文件已存在"),
    errno.EISDIR: ("it is a folder, not a file", "这是文件夹而不是文件"),
    errno.ENOTDIR: ("part of the path is not a folder", "路径中有一项不是文件夹"),
    errno.EIO: ("the disk reported a read or write error", "磁盘读写出错"),
    errno.ENAMETOOLONG: ("the file name is too long", "文件名过长"),
    errno.EDQUOT: ("the disk quota is used up", "磁盘配额已用完"),
    errno.EADDRINUSE: ("the address is already in use", "该地址（端口）已被占用"),
    errno.ECONNREFUSED: ("the connection was refused", "连接被拒绝"),
    errno.ETIMEDOUT: ("the connection timed out", "连接超时"),
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """Why an operating-system call failed: in English as the OS says it, in Chinese from
    the table above (an unknown cause by its errno name, never in English words)."""
    if isinstance(exc, socket.gaierror):  # resolver codes (EAI_*), not errno values
        return exc.strerror or str(exc), "无法解析该主机名（域名查询失败或该名称不存在）"
    known = _OS_CAUSES.get(exc.errno or -1)
    en = exc.strerror or (known[0] if known else str(exc))
    if known is not None:
        return en, known[1]
    code = errno.errorcode.get(exc.errno or 0, "")
    return en, f"系统错误 {code}" if code else "系统错误"


class QuzhengError(Exception):
    """Base of every error a public core function raises.

    ``message_en`` / ``message_zh`` are shown to the user; ``str()`` is the English text.
    """

    exit_code = 2

    def __init__(self, message_en: str, message_zh: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en

    def diagnostics(self, lang: str = "en") -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en


class InputError(QuzhengError):
    """Unreadable or malformed input: a missing file, a corrupt store, a bad argument."""


class NotFoundError(InputError):
    """A case, officer or item that does not exist."""


class AuthError(InputError):
    """A wrong passphrase or password, or a key that cannot be unlocked."""


class PolicyError(QuzhengError):
    """A rule of evidence refused the action (e.g. the two-officer rule)."""


class NotAMember(PolicyError):
    """An officer who is not an officer of the case tried to act on it."""

    def __init__(self, badge: str) -> None:
        super().__init__(
            f"officer {badge} is not an officer of this case",
            f"执法人员 {badge} 不是本案的办案人员",
        )
        self.badge = badge


class IntegrityError(QuzhengError):
    """Evidence failed verification. Raised by ``require_valid()`` gates."""

    exit_code = 1


class CaptureError(QuzhengError):
    """Evidence could no longer be written: capture stops (fails closed)."""
