"""Reading a package that may be hostile: bounded, confined, never extracted to disk.

Every member name is checked (no absolute paths, no ``..``, no symlinks, no duplicates),
sizes are bounded (declared and actual), and members are read as streams.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import lzma
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyzipper

from forensics import safejson
from forensics.errors import AuthError, InputError
from forensics.package.layout import (
    DATAPACKAGE,
    MAX_CONTROL_BYTES,
    MAX_LEDGER_LINES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    Layout,
    is_safe_name,
    layout_named_by,
)

# A local file header: signature, then (skipped) version, flags, method, time, date, CRC and
# sizes, then the lengths of the name and the extra field.
_LOCAL_HEADER = struct.Struct("<4s22xHH")
# Encrypted (bit 0), compressed patch data (bit 5), strong encryption (bit 6).
_FLAGS_NOT_PLAIN = 0x1 | 0x20 | 0x40


@dataclass(frozen=True)
class Span:
    """One stored member's bytes in the package file, and the CRC-32 its header gives."""

    name: str
    start: int
    size: int
    crc: int


def _bad(path: Path, en: str, zh: str) -> InputError:
    return InputError(f"{path}: {en}", f"{path}：{zh}")


# Everything zipfile / pyzipper (and the codecs under them) raise on hostile bytes: a flipped
# "version needed" is NotImplementedError, a flipped method zlib.error or NotImplementedError,
# an unencrypted member read as encrypted RuntimeError, a lying header struct.error, ...
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    pyzipper.BadZipFile,
    zlib.error,
    lzma.LZMAError,  # bz2 raises OSError
    struct.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,  # UnicodeDecodeError included
    KeyError,
    IndexError,
    OverflowError,
)


class MemberAltered(InputError):
    """A member's bytes disagree with its own header (CRC, AES authentication code, size):
    proof that the file was altered in place, rather than a header nobody can read."""


def _altered_in_place(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, zipfile.BadZipFile | pyzipper.BadZipFile) and (
        "CRC" in text or "HMAC" in text
    )


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    """The member says it is encrypted (ZipCrypto or WinZip AES both set flag bit 0)."""
    return bool(info.flag_bits & 0x1)


def member_error(path: Path, info: zipfile.ZipInfo, exc: BaseException) -> InputError:
    """The declared error for a member that cannot be read: "wrong password" only when the
    member is actually encrypted; otherwise unsupported or damaged, with its header fields."""
    name = info.filename
    if is_encrypted(info) and isinstance(exc, RuntimeError):
        return AuthError(f"{path}: wrong password ({exc})", f"{path}：密码错误")
    detail = str(exc)[:200]
    if _altered_in_place(exc) and info.compress_type == zipfile.ZIP_STORED:
        # Stored bytes that fail their CRC were changed. (Under another method — the
        # exporter stores every member — a flipped method field fails the CRC as well: a
        # header nobody can read, reported as such below.)
        return MemberAltered(
            f"{path}: member {name} is damaged ({detail})",
            f"{path}：成员 {name} 已损坏（{detail}）",
        )
    fields = f"method {info.compress_type} / version {info.extract_version}"
    return _bad(
        path,
        f"member {name} is unsupported or damaged ({fields}: {detail})",
        f"成员 {name} 不受支持或已损坏（压缩方法 {info.compress_type} / 版本 "
        f"{info.extract_version}：{detail}）",
    )


class _Bounded(io.RawIOBase):
    """A member stream that refuses to yield more than the size its header declared."""

    def __init__(self, inner: BinaryIO, info: zipfile.ZipInfo, path: Path) -> None:
        self._inner = inner
        self._left = info.file_size
        self._info = info
        self._name = info.filename
        self._path = path

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = self._left + 1 if size < 0 else min(size, self._left + 1)
        try:
            data = self._inner.read(want)
        except ZIP_ERRORS as exc:
            raise member_error(self._path, self._info, exc) from None
        if len(data) > self._left:
            raise MemberAltered(
                f"{self._path}: member {self._name} is larger than its header says (zip bomb?)",
                f"{self._path}：成员 {self._name} 的实际大小超过声明（疑似压缩炸弹）",
            )
        self._left -= len(data)
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(*ZIP_ERRORS):
            self._inner.close()
        super().close()


class PackageReader:
    """An opened package. ``names`` lists its files in archive order."""

    def __init__(self, path: Path, password: str | None = None) -> None:
        self.path = path
        self._layout: Layout | None = None
        try:
            self._zf = pyzipper.AESZipFile(path, "r")
        except FileNotFoundError:
            raise InputError(f"file not found: {path}", f"文件不存在：{path}") from None
        except IsADirectoryError:
            raise InputError(f"not a file: {path}", f"不是文件：{path}") from None
        except ZIP_ERRORS as exc:
            raise _bad(
                path,
                f"not a Quzheng package: not a readable ZIP file ({str(exc)[:200]})",
                f"不是取证证据包：无法读取的 ZIP 文件（{str(exc)[:200]}）",
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

    def layout(self) -> Layout:
        """Where this package's format puts its files (from ``datapackage.json``; a format
        this program does not know is an ``InputError``)."""
        if self._layout is None:
            dp = safejson.loads(self.read_control(DATAPACKAGE), what=f"{self.path}: {DATAPACKAGE}")
            self._layout = layout_named_by(dp, self.path.name)
        return self._layout

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def has(self, name: str) -> bool:
        return name in self._infos

    def stat(self) -> os.stat_result:
        """The status of the package file this reader has open."""
        return os.fstat(self._zf.fp.fileno())

    def stored_spans(self) -> list[Span] | None:
        """Where each member's bytes lie in the file, for reading the package in one pass
        (``forensics.package.scan``): only for a package that is not encrypted, whose every
        member is stored with its local header naming it as the central directory does, the
        members one after another without overlap. Otherwise None: the members are then read
        through the ZIP library, which reports whatever is wrong with them."""
        if self.encrypted:
            return None
        spans: list[Span] = []
        try:
            with open(self.path, "rb") as f:
                end = os.fstat(f.fileno()).st_size
                for name, info in self._infos.items():
                    if (
                        info.compress_type != zipfile.ZIP_STORED
                        or info.flag_bits & _FLAGS_NOT_PLAIN
                        or info.compress_size != info.file_size
                    ):
                        return None
                    f.seek(info.header_offset)
                    head = f.read(_LOCAL_HEADER.size)
                    if len(head) != _LOCAL_HEADER.size:
                        return None
                    sig, name_len, extra_len = _LOCAL_HEADER.unpack(head)
                    if sig != b"PK\x03\x04" or f.read(name_len) != info.orig_filename.encode(
                        "utf-8" if info.flag_bits & 0x800 else "cp437"
                    ):
                        return None
                    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
                    spans.append(Span(name, start, info.file_size, info.CRC))
        except (OSError, UnicodeEncodeError):
            return None
        spans.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(spans):
            if a.start + a.size > b.start:
                return None
        if spans and spans[-1].start + spans[-1].size > end:
            return None
        return spans

    def open(self, name: str) -> BinaryIO:
        info = self._infos.get(name)
        if info is None:
            raise _bad(self.path, f"member {name} is missing", f"缺少成员 {name}")
        try:
            inner = self._zf.open(info, "r")
        except ZIP_ERRORS as exc:
            raise member_error(self.path, info, exc) from None
        return io.BufferedReader(_Bounded(inner, info, self.path), 1 << 20)

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

    def read_lines(self, name: str, max_lines: int = MAX_LEDGER_LINES) -> list[str]:
        """A control file's non-empty lines (the ledger), within the byte and line bounds."""
        data = self.read_control(name)
        if data.count(b"\n") > max_lines:
            raise _bad(
                self.path,
                f"{name} has more than {max_lines} lines, over the bound",
                f"{name} 超过 {max_lines} 行的上限",
            )
        text = data.decode("utf-8", errors="replace")
        del data
        return [line for line in text.split("\n") if line.strip()]

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
