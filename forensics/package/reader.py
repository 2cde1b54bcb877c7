"""Reading a package that may be hostile: bounded, confined, never extracted to disk.

Every member name is checked (no absolute paths, no ``..``, no symlinks, no duplicates),
sizes are bounded (declared and actual), and members are read as streams.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

import pyzipper

from forensics.errors import AuthError, InputError
from forensics.package.layout import (
    MAX_CONTROL_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    is_safe_name,
)


def _bad(path: Path, en: str, zh: str) -> InputError:
    return InputError(f"{path}: {en}", f"{path}：{zh}")


class _Bounded(io.RawIOBase):
    """A member stream that refuses to yield more than the size its header declared."""

    def __init__(self, inner: BinaryIO, limit: int, name: str, path: Path) -> None:
        self._inner = inner
        self._left = limit
        self._name = name
        self._path = path

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = self._left + 1 if size < 0 else min(size, self._left + 1)
        try:
            data = self._inner.read(want)
        except RuntimeError as exc:  # pyzipper: bad password for this member
            raise AuthError(
                f"{self._path}: wrong password ({exc})", f"{self._path}：密码错误"
            ) from None
        except (zipfile.BadZipFile, pyzipper.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise _bad(
                self._path,
                f"member {self._name} is damaged ({exc})",
                f"成员 {self._name} 已损坏（{exc}）",
            ) from None
        if len(data) > self._left:
            raise _bad(
                self._path,
                f"member {self._name} is larger than its header says (zip bomb?)",
                f"成员 {self._name} 的实际大小超过声明（疑似压缩炸弹）",
            )
        self._left -= len(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


class PackageReader:
    """An opened package. ``names`` lists its files in archive order."""

    def __init__(self, path: Path, password: str | None = None) -> None:
        self.path = path
        try:
            self._zf = pyzipper.AESZipFile(path, "r")
        except FileNotFoundError:
            raise InputError(f"file not found: {path}", f"文件不存在：{path}") from None
        except IsADirectoryError:
            raise InputError(f"not a file: {path}", f"不是文件：{path}") from None
        except (zipfile.BadZipFile, pyzipper.BadZipFile, EOFError, ValueError, OSError) as exc:
            raise _bad(
                path,
                f"not a Quzheng package: not a readable ZIP file ({exc})",
                f"不是取证证据包：无法读取的 ZIP 文件（{exc}）",
            ) from None
        try:
            self._infos = self._check_members()
        except BaseException:
            self._zf.close()
            raise
        self.encrypted = any(i.flag_bits & 0x1 for i in self._infos.values())
        if self.encrypted:
            if not password:
                self._zf.close()
                raise AuthError(
                    f"{path} is encrypted: give its password (--password-file)",
                    f"{path} 已加密：请提供密码（--password-file）",
                )
            self._zf.setpassword(password.encode("utf-8"))
            self._check_password()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _bad(self.path, f"too many members ({len(infos)})", f"成员过多（{len(infos)}）")
        out: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue  # directory entries carry no data
            if not is_safe_name(name):
                raise _bad(
                    self.path,
                    f"unsafe member name {name!r} (absolute, '..', or forbidden characters)",
                    f"成员名不安全 {name!r}（绝对路径、“..”或非法字符）",
                )
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _bad(self.path, f"symbolic link member {name!r}", f"成员 {name!r} 是符号链接")
            if name in out:
                raise _bad(self.path, f"duplicate member {name!r}", f"成员重复 {name!r}")
            if (
                info.compress_type != zipfile.ZIP_STORED
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)
                and info.file_size > 1 << 20
            ):
                raise _bad(
                    self.path,
                    f"member {name!r} expands {info.file_size // max(info.compress_size, 1)}× (zip bomb)",
                    f"成员 {name!r} 解压后膨胀过大（压缩炸弹）",
                )
            total += info.file_size
            out[name] = info
        if total > MAX_TOTAL_BYTES:
            raise _bad(self.path, "declared size exceeds 1 TiB", "声明的解压大小超过 1 TiB")
        return out

    def _check_password(self) -> None:
        smallest = min(self._infos.values(), key=lambda i: i.file_size, default=None)
        if smallest is not None:
            with self.open(smallest.filename) as f:
                while f.read(1 << 16):
                    pass

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def has(self, name: str) -> bool:
        return name in self._infos

    def open(self, name: str) -> BinaryIO:
        info = self._infos.get(name)
        if info is None:
            raise _bad(self.path, f"member {name} is missing", f"缺少成员 {name}")
        try:
            inner = self._zf.open(info, "r")
        except RuntimeError as exc:
            raise AuthError(
                f"{self.path}: wrong password ({exc})", f"{self.path}：密码错误"
            ) from None
        except (
            zipfile.BadZipFile,
            pyzipper.BadZipFile,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise _bad(
                self.path, f"member {name} is unreadable ({exc})", f"成员 {name} 无法读取（{exc}）"
            ) from None
        return io.BufferedReader(_Bounded(inner, info.file_size, name, self.path), 1 << 20)

    def read_control(self, name: str) -> bytes:
        """A small control file (JSON, sums, ledger) read whole, within a bound."""
        if self.size(name) > MAX_CONTROL_BYTES:
            raise _bad(
                self.path,
                f"{name} is {self.size(name)} bytes, over the {MAX_CONTROL_BYTES}-byte bound",
                f"{name} 大小超出上限",
            )
        with self.open(name) as f:
            return f.read()

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
