"""The package's ZIP, written in one pass (docs/package-format.md §2.4).

Every entry is stored (media and WARCs are already compressed) with its CRC-32 and sizes in
the local header and no data descriptor, so streaming readers that trust the local header
(Java's ``ZipInputStream``, ``stream-unzip``, many forensic tools) read it as well as readers
that start from the central directory. ZIP64 fields are used only for an entry that ends
beyond 4 GiB (or when the package has more entries than plain ZIP can count).

A stored entry's CRC must be known before its header is written. The CRC of each source is
computed by a worker thread that runs ahead of the writer (``zlib.crc32`` releases the GIL),
so the writer rarely waits and the package is still hashed once, as it is written. The
library checks each entry's bytes against the CRC and size given up front: a source that
changed between the two reads fails the export instead of producing a package whose header
lies.
"""

from __future__ import annotations

import stat
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from stream_zip import (
    NO_COMPRESSION_32,
    NO_COMPRESSION_64,
    CRC32IntegrityError,
    UncompressedSizeIntegrityError,
    stream_zip,
)

from forensics.errors import CaptureError
from forensics.hashing import CHUNK_SIZE, Digests, DualHasher

Progress = Callable[[int, int], None]

# One fixed time for every entry: the package's bytes depend only on its content.
ENTRY_TIME = datetime(2026, 1, 1, 0, 0, 0)
ENTRY_MODE = stat.S_IFREG | 0o444
_LOCAL_HEADER = 30
_AES_EXTRA = 11  # WinZip AES extra field
_AES_OVERHEAD = 28  # salt 16 + password check 2 + authentication code 10
_MAX_32 = 0xFFFFFFFF
_MAX_ENTRIES_32 = 0xFFFF


@dataclass(frozen=True)
class Source:
    """One entry: its name in the package and where its bytes come from."""

    name: str
    source: Path | bytes
    size: int


def _chunks(src: Path | bytes) -> Iterator[bytes | memoryview]:
    """A source's bytes in order. A file is read into one reused buffer, so each chunk is a
    view that holds only until the next one is asked for: stream_zip (which copies each into
    its output blocks, or encrypts it) and the CRC are done with a chunk by then, and no
    fresh megabyte is allocated per chunk."""
    if isinstance(src, bytes):
        yield src
        return
    buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    # Through the page cache: the CRC worker's read fills it (with the kernel's read-ahead)
    # and the writer's second read finds the bytes there, so the disk reads each source once.
    with open(src, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            yield view[:n]


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
    hasher = DualHasher()

    def members(
        crcs: list[Future[int]],
    ) -> Iterable[tuple[str, datetime, int, object, Iterable[bytes | memoryview]]]:
        for e, crc, wide in zip(
            entries, crcs, _zip64_flags(entries, password is not None), strict=True
        ):
            method = (NO_COMPRESSION_64 if wide else NO_COMPRESSION_32)(e.size, crc.result())

            def counted(src: Path | bytes = e.source) -> Iterator[bytes | memoryview]:
                nonlocal done
                for chunk in _chunks(src):
                    done += len(chunk)
                    if progress:
                        progress(done, total)
                    yield chunk

            yield e.name, ENTRY_TIME, ENTRY_MODE, method, counted()

    try:
        with (
            warnings.catch_warnings(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="qz-crc") as pool,
        ):
            # WinZip AES fixes its key derivation (PBKDF2-HMAC-SHA1, 1000 rounds) for every
            # reader; the library's warning about those parameters cannot be acted on here.
            warnings.filterwarnings("ignore", "PBKDF2 without", DeprecationWarning)
            crcs = [pool.submit(_crc, e.source) for e in entries]
            try:
                for block in stream_zip(
                    members(crcs),  # type: ignore[arg-type]
                    chunk_size=CHUNK_SIZE,
                    extended_timestamps=False,
                    password=password,
                ):
                    hasher.update(block)
                    out.write(block)
            finally:
                for f in crcs:
                    f.cancel()
    except (CRC32IntegrityError, UncompressedSizeIntegrityError):
        hasher.abort()
        raise CaptureError(
            "a file changed while the package was written; nothing was exported",
            "写入证据包期间有文件发生变化；未导出",
        ) from None
    except BaseException:
        hasher.abort()
        raise
    return hasher.finish()
