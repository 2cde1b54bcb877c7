"""A plain package read once: the whole file's digests and every stored member's, together.

Verifying a package hashes every byte twice with SM3 — once for the detached seal (the whole
file) and once for the member that holds it — and SM3 cannot go faster than one core. So the
file is read once, in large blocks, past the page cache and ahead of use by a thread of its
own; each block goes to two SM3 workers (whole file; member) while the calling thread
computes both SHA-256 digests and the members' CRC-32. Both cores then run SM3 and nothing is
copied, read twice or decoded by the ZIP library.

The bytes hashed are exactly those the ZIP library would return for a stored member, so the
digests are the same; a member whose bytes fail the CRC its header gives is left out of the
result, and the caller reads it through the ZIP library, which reports it as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import queue
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from forensics.directio import read_into, set_direct
from forensics.hashing import Digests, new_sm3
from forensics.package.reader import Span

BLOCK = 4 << 20
_BLOCKS = 6  # 24 MiB in flight at most


@dataclass(frozen=True)
class Scan:
    whole: Digests
    members: dict[str, Digests]  # every member whose bytes match its CRC
    file_id: tuple[int, ...]  # the file read (``file_id``), as it was after the read


@dataclass
class _Block:
    buf: mmap.mmap
    users: int = 0
    length: int = 0  # bytes read into it


@dataclass(frozen=True)
class _Piece:
    """Bytes ``start:stop`` of a block belong to member ``name`` (``last``: its end)."""

    block: _Block
    name: str
    start: int
    stop: int
    last: bool


class _Blocks:
    """Blocks are reused once every worker that was given one is done with it."""

    def __init__(self) -> None:
        self._free: queue.Queue[_Block] = queue.Queue()
        for _ in range(_BLOCKS):
            self._free.put(_Block(mmap.mmap(-1, BLOCK)))  # page-aligned for O_DIRECT
        self._lock = threading.Lock()

    def take(self) -> _Block:
        return self._free.get()

    def release(self, block: _Block) -> None:
        """A block read but not handed on (the pass stopped early)."""
        self._free.put(block)

    def done(self, block: _Block) -> None:
        with self._lock:
            block.users -= 1
            if block.users:
                return
        self._free.put(block)


def file_id(st: os.stat_result) -> tuple[int, ...]:
    """Which file, and which version of it: device, inode, size, modification time."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def scan_package(
    path: Path, spans: list[Span], progress: Callable[[int], None] | None = None
) -> Scan:
    """Read ``path`` once; ``spans`` (sorted, from ``PackageReader.stored_spans``) say where
    the members lie. ``progress`` is called with the bytes read so far."""
    blocks = _Blocks()
    whole_sm3 = new_sm3()
    member_sm3: dict[str, str] = {}
    whole_q: queue.Queue[_Block | None] = queue.Queue()
    member_q: queue.Queue[_Piece | None] = queue.Queue()
    errors: list[BaseException] = []

    def run_whole() -> None:
        try:
            while (block := whole_q.get()) is not None:
                whole_sm3.update(memoryview(block.buf)[: block.length])
                blocks.done(block)
        except BaseException as exc:  # pragma: no cover - hashlib does not fail on buffers
            errors.append(exc)

    def run_members() -> None:
        current, h = "", new_sm3()
        try:
            while (piece := member_q.get()) is not None:
                if piece.name != current:
                    current, h = piece.name, new_sm3()
                h.update(memoryview(piece.block.buf)[piece.start : piece.stop])
                if piece.last:
                    member_sm3[current] = h.hexdigest()
                blocks.done(piece.block)
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    filled: queue.Queue[_Block | None] = queue.Queue()
    stop = threading.Event()

    def run_reads(fd: int) -> None:
        """Read ahead into free blocks, so the disk works while the hashing thread does."""
        try:
            set_direct(fd, True)  # the page cache would only be filled to be thrown away
            while not stop.is_set():
                block = blocks.take()
                block.length = read_into(fd, block.buf)
                filled.put(block)
                if not block.length:
                    return
        except BaseException as exc:
            errors.append(exc)
        filled.put(None)

    workers = [
        threading.Thread(target=run_whole, name="qz-sm3-whole", daemon=True),
        threading.Thread(target=run_members, name="qz-sm3-members", daemon=True),
    ]
    for t in workers:
        t.start()
    whole_sha = hashlib.sha256()
    found: dict[str, tuple[str, int]] = {}  # name -> sha256, crc
    pending = iter(spans)
    span = next(pending, None)
    sha, crc = hashlib.sha256(), 0
    offset = 0
    fd = os.open(path, os.O_RDONLY)
    reader = threading.Thread(target=run_reads, args=(fd,), name="qz-read", daemon=True)
    reader.start()
    try:
        while True:
            got = filled.get()
            if got is None:  # the read failed
                raise errors[0]
            block, n = got, got.length
            view = memoryview(block.buf)[:n]
            pieces: list[_Piece] = []
            while span is not None and span.start < offset + n:
                if span.size == 0:
                    found[span.name] = (hashlib.sha256().hexdigest(), 0)
                    member_sm3[span.name] = new_sm3().hexdigest()
                    span = next(pending, None)
                    continue
                lo = max(span.start, offset) - offset
                hi = min(span.start + span.size, offset + n) - offset
                last = span.start + span.size <= offset + n
                pieces.append(_Piece(block, span.name, lo, hi, last))
                if not last:
                    break
                span = next(pending, None)
            block.users = 2 + len(pieces)  # this thread, the whole-file worker, the pieces
            if n:
                whole_q.put(block)
            else:
                blocks.done(block)
            for piece in pieces:
                member_q.put(piece)
            whole_sha.update(view)
            for piece in pieces:
                part = view[piece.start : piece.stop]
                sha.update(part)
                crc = zlib.crc32(part, crc)
                if piece.last:
                    found[piece.name] = (sha.hexdigest(), crc)
                    sha, crc = hashlib.sha256(), 0
            offset += n
            blocks.done(block)
            if progress is not None:
                progress(offset)
            if not n:
                break
        ident = file_id(os.fstat(fd))
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):  # let a reader waiting for a block finish
            while True:
                got = filled.get_nowait()
                if got is not None:
                    blocks.release(got)
        reader.join()
        os.close(fd)
        whole_q.put(None)
        member_q.put(None)
        for t in workers:
            t.join()
    if errors:  # pragma: no cover
        raise errors[0]
    members = {
        s.name: Digests(s.size, found[s.name][0], member_sm3[s.name])
        for s in spans
        if s.name in found and found[s.name][1] == s.crc
    }
    return Scan(Digests(offset, whole_sha.hexdigest(), whole_sm3.hexdigest()), members, ident)
