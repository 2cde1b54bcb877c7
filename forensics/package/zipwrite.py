"""The package's ZIP, written in one pass (docs/package-format.md §2).

Every entry is stored (media and WARCs are already compressed) with its CRC-32 and sizes in
the local header and no data descriptor, so streaming readers that trust the local header
(Java's ``ZipInputStream``, ``stream-unzip``, many forensic tools) read it as well as readers
that start from the central directory. ZIP64 fields are used only for an entry that ends
beyond 4 GiB (or when the package has more entries than plain ZIP can count). With a
password every entry is WinZip AES-256, AE-2 (CRC field 0; a 10-byte HMAC-SHA1 of the
ciphertext authenticates it).

The format is small enough to write here, and writing it here is what lets the encrypted
export keep up with SM3 (issue 23): the general-purpose library used before (stream_zip,
whose bytes these are — ``tests/forensics/package/test_zip_bytes.py`` compares them) ran
HMAC-SHA1 in pycryptodome at a third of OpenSSL's speed and copied every byte twice more
to cut its output into even blocks. Here each chunk is read, encrypted by pycryptodome's
AES-CTR (the one common library with WinZip's little-endian counter), authenticated by
OpenSSL's HMAC, and handed to the hashes and the writer as it is; every one of those calls
releases the GIL, so the writing thread runs beside the SM3 worker.

A stored entry's CRC must be known before its header is written. The CRC of each source is
computed by a worker thread that runs ahead of the writer (``zlib.crc32`` releases the GIL),
and the writer checks the bytes it then reads against that CRC and the size: a source that
changed between the two reads fails the export instead of producing a package whose header
lies. An AES entry's header carries no CRC, so it is read once and only its size is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from Crypto.Cipher import AES
from Crypto.Util import Counter

from forensics.errors import CaptureError
from forensics.hashing import CHUNK_SIZE, Digests, DualHasher

Progress = Callable[[int, int], None]

# One fixed time for every entry: the package's bytes depend only on its content.
ENTRY_TIME = datetime(2026, 1, 1, 0, 0, 0)
ENTRY_MODE = stat.S_IFREG | 0o444
_DOS_TIME = struct.pack(
    "<HH",
    ENTRY_TIME.second // 2 | ENTRY_TIME.minute << 5 | ENTRY_TIME.hour << 11,
    ENTRY_TIME.day | ENTRY_TIME.month << 5 | (ENTRY_TIME.year - 1980) << 9,
)
_LOCAL = struct.Struct("<4sHHH4sIIIHH")
_CENTRAL = struct.Struct("<4sBBHHH4sIIIHHHHHII")
_ZIP64_LOCAL = struct.Struct("<2sHQQ")
_ZIP64_CENTRAL = struct.Struct("<2sHQQQ")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_END64_LOCATOR = struct.Struct("<4sIQI")
_END = struct.Struct("<4sHHHHIIH")
# WinZip AES extra field: vendor version 2 (AE-2), "AE", strength 3 (AES-256), stored data.
_AES_EXTRA_FIELD = struct.pack("<2sHH2sBH", b"\x01\x99", 7, 2, b"AE", 3, 0)
_UTF8 = 0x0800
_ENCRYPTED = 0x0001
_METHOD_STORED = 0
_METHOD_AES = 99
_UNIX = 3
_LOCAL_HEADER = 30
_AES_EXTRA = len(_AES_EXTRA_FIELD)
_SALT = 16
_AES_OVERHEAD = 28  # salt 16 + password check 2 + authentication code 10
_MAX_32 = 0xFFFFFFFF
_MAX_ENTRIES_32 = 0xFFFF
# Pieces shorter than this (headers, small members) are gathered into one chunk for the
# hashes and the writer, so a package of many small files is not hashed a few bytes a time.
_SMALL = 64 << 10


@dataclass(frozen=True)
class Source:
    """One entry: its name in the package and where its bytes come from."""

    name: str
    source: Path | bytes
    size: int


def _chunks(src: Path | bytes) -> Iterator[bytes]:
    """A source's bytes in order, each chunk a fresh ``bytes`` object: the SM3 worker may
    still be reading a chunk while the next one is read."""
    if isinstance(src, bytes):
        yield src
        return
    with open(src, "rb", buffering=0) as f:
        while chunk := f.read(CHUNK_SIZE):
            yield chunk


def _crc(src: Path | bytes) -> int:
    crc = 0
    for chunk in _chunks(src):
        crc = zlib.crc32(chunk, crc)
    return crc


def _zip64_flags(entries: list[Source], encrypted: bool) -> list[bool]:
    """Which entries need ZIP64: those ending beyond 4 GiB (the central directory after them
    then is ZIP64 too), or all of them when plain ZIP cannot count the entries."""
    if len(entries) >= _MAX_ENTRIES_32:
        return [True] * len(entries)
    flags = []
    offset = 0
    for e in entries:
        header = _LOCAL_HEADER + len(e.name.encode()) + (_AES_EXTRA if encrypted else 0)
        end = offset + header + e.size + (_AES_OVERHEAD if encrypted else 0)
        flags.append(end > _MAX_32 or e.size > _MAX_32)
        offset = end
    return flags


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


def _changed() -> CaptureError:
    return CaptureError(
        "a file changed while the package was written; nothing was exported",
        "写入证据包期间有文件发生变化；未导出",
    )


def _headers(
    name: bytes, offset: int, size: int, crc: int, wide: bool, encrypted: bool
) -> tuple[bytes, bytes]:
    """The entry's local header and its central directory record."""
    stored = size + (_AES_OVERHEAD if encrypted else 0)
    flags = _UTF8 | (_ENCRYPTED if encrypted else 0)
    method = _METHOD_AES if encrypted else _METHOD_STORED
    aes = _AES_EXTRA_FIELD if encrypted else b""
    version = 45 if wide else 20
    if wide:
        local_extra = _ZIP64_LOCAL.pack(b"\x01\x00", 16, size, stored) + aes
        central_extra = _ZIP64_CENTRAL.pack(b"\x01\x00", 24, size, stored, offset) + aes
        sizes = (_MAX_32, _MAX_32)
        at = _MAX_32
    else:
        local_extra = central_extra = aes
        sizes = (stored, size)
        at = offset
    local = _LOCAL.pack(
        b"PK\x03\x04", version, flags, method, _DOS_TIME, crc, *sizes, len(name), len(local_extra)
    )
    central = _CENTRAL.pack(
        b"PK\x01\x02",
        version,
        _UNIX,
        version,
        flags,
        method,
        _DOS_TIME,
        crc,
        *sizes,
        len(name),
        len(central_extra),
        0,  # comment length
        0,  # disk number
        0,  # internal attributes
        ENTRY_MODE << 16,
        at,
    )
    return local + name + local_extra, central + name + central_extra


def _end(count: int, start: int, size: int, wide: bool) -> bytes:
    """End of central directory (ZIP64 record and locator first when ``wide``)."""
    if not wide:
        return _END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0)
    return (
        _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
        + _END64_LOCATOR.pack(b"PK\x06\x07", 0, start + size, 1)
        + _END.pack(b"PK\x05\x06", 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, _MAX_32, _MAX_32, 0)
    )


def _sized(src: Path | bytes, size: int) -> Iterator[bytes]:
    """The source's chunks; a source that is not ``size`` bytes long fails the export."""
    got = 0
    for chunk in _chunks(src):
        got += len(chunk)
        if got > size:
            raise _changed()
        yield chunk
    if got != size:
        raise _changed()


def _encrypted(password: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """WinZip AES-256 of one entry: salt, password check, AES-CTR ciphertext (little-endian
    counter from 1), the first 10 bytes of HMAC-SHA1 over the ciphertext."""
    salt = secrets.token_bytes(_SALT)
    keys = hashlib.pbkdf2_hmac("sha1", password, salt, 1000, 66)
    yield salt + keys[64:]
    cipher = AES.new(keys[:32], AES.MODE_CTR, counter=Counter.new(128, little_endian=True))
    mac = hmac.new(keys[32:64], digestmod="sha1")
    for chunk in chunks:
        data = cipher.encrypt(chunk)
        mac.update(data)
        yield data
    yield mac.digest()[:10]


def write_zip(
    out: Writable,
    entries: list[Source],
    *,
    password: str | None = None,
    progress: Progress | None = None,
) -> Digests:
    """Write ``entries`` as a stored ZIP to ``out``; return the whole file's digests."""
    total = sum(e.size for e in entries)
    done = 0
    offset = 0
    hasher = DualHasher()
    pending = bytearray()

    def flush() -> None:
        if pending:
            block = bytes(pending)
            pending.clear()
            hasher.update(block)
            out.write(block)

    def emit(data: bytes) -> None:
        nonlocal offset
        offset += len(data)
        if len(data) < _SMALL:
            pending.extend(data)
            if len(pending) >= CHUNK_SIZE:
                flush()
            return
        flush()
        hasher.update(data)
        out.write(data)

    def counted(chunks: Iterator[bytes]) -> Iterator[bytes]:
        nonlocal done
        for chunk in chunks:
            done += len(chunk)
            if progress:
                progress(done, total)
            yield chunk

    def checked(chunks: Iterator[bytes], crc: int) -> Iterator[bytes]:
        got = 0
        for chunk in chunks:
            got = zlib.crc32(chunk, got)
            yield chunk
        if got != crc:
            raise _changed()

    secret = password.encode("utf-8") if password is not None else None
    wide = _zip64_flags(entries, secret is not None)
    central = []
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qz-crc") as pool:
            crcs: list[Future[int]] = (
                [pool.submit(_crc, e.source) for e in entries] if secret is None else []
            )
            try:
                for i, e in enumerate(entries):
                    crc = 0 if secret is not None else crcs[i].result()
                    local, record = _headers(
                        e.name.encode(), offset, e.size, crc, wide[i], secret is not None
                    )
                    central.append(record)
                    emit(local)
                    data = counted(_sized(e.source, e.size))
                    for chunk in _encrypted(secret, data) if secret else checked(data, crc):
                        emit(chunk)
            finally:
                for f in crcs:
                    f.cancel()
        start = offset
        for record in central:
            emit(record)
        emit(_end(len(entries), start, offset - start, any(wide)))
        flush()
    except BaseException:
        hasher.abort()
        raise
    return hasher.finish()
