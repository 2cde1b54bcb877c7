"""A plain package's bytes hashed in one pass: the whole file's digests and every stored
member's, together.

Verifying a package hashes every byte twice with SM3 — once for the detached seal (the whole
file) and once for the member that holds it — and SM3 cannot go faster than one core. So the
bytes are hashed once, in large blocks, each block going to two SM3 workers (whole file;
member) while the calling thread computes both SHA-256 digests and the members' CRC-32. Both
cores then run SM3 and nothing is copied, read twice or decoded by the ZIP library.

The blocks come from one of two places: ``scan_package`` reads a file, past the page cache
and ahead of use by a thread of its own, its members where the central directory says
(``PackageReader.stored_spans``); ``StreamScan`` (``forensics/package/stream_scan.py``) is
fed the bytes as they arrive and finds the members from their local headers. Both hash
through ``Hashing`` here.

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
    """What one pass found: the whole file's digests and, by where its bytes lie, every
    member whose bytes match its CRC."""

    whole: Digests
    spans: dict[Span, Digests]
    file_id: tuple[int, ...]  # the file (``file_id``) the bytes are, as it was after the pass

    def digests_for(self, spans: list[Span]) -> dict[str, Digests]:
        """The digests of the members of ``spans`` (a reader's view of the file) that this
        pass hashed exactly there: the same name, start, size and CRC. Keyed by where the
        bytes lie, not by name alone, so a member the pass found elsewhere never counts."""
        return {s.name: d for s in spans if (d := self.spans.get(s)) is not None}


@dataclass
class Block:
    buf: mmap.mmap
    users: int = 0
    length: int = 0  # bytes in it


@dataclass(frozen=True)
class Piece:
    """Bytes ``start:stop`` of a block belong to member number ``key`` (``last``: its end).
    A member's pieces come one after another, in order."""

    block: Block
    key: int
    start: int
    stop: int
    last: bool


class _Blocks:
    """Blocks are reused once every worker that was given one is done with it."""

    def __init__(self) -> None:
        self._free: queue.Queue[Block] = queue.Queue()
        for _ in range(_BLOCKS):
            self._free.put(Block(mmap.mmap(-1, BLOCK)))  # page-aligned for O_DIRECT
        self._lock = threading.Lock()

    def take(self) -> Block:
        return self._free.get()

    def release(self, block: Block) -> None:
        """A block filled but not handed on (the pass stopped early)."""
        self._free.put(block)

    def done(self, block: Block) -> None:
        with self._lock:
            block.users -= 1
            if block.users:
                return
        self._free.put(block)


@dataclass(frozen=True)
class Member:
    digests: Digests
    crc: int  # of the bytes hashed


class Hashing:
    """The digests of one pass: blocks of the package's bytes are given in file order with
    the member pieces in them. Two SM3 workers (whole file; members) run on threads of their
    own; SHA-256 and CRC-32 on the caller's. ``stop`` must follow, whatever happens."""

    def __init__(self) -> None:
        self.blocks = _Blocks()
        self._whole_sha = hashlib.sha256()
        self._whole_sm3 = new_sm3()
        self._size = 0
        self._sha, self._crc, self._done = hashlib.sha256(), 0, 0  # the current member's
        self._found: dict[int, tuple[str, int, int]] = {}  # key -> sha256, crc, size
        self._member_sm3: dict[int, str] = {}
        self._whole_q: queue.Queue[Block | None] = queue.Queue()
        self._member_q: queue.Queue[Piece | None] = queue.Queue()
        self._errors: list[BaseException] = []
        self._workers = [
            threading.Thread(target=self._run_whole, name="qz-sm3-whole", daemon=True),
            threading.Thread(target=self._run_members, name="qz-sm3-members", daemon=True),
        ]
        for t in self._workers:
            t.start()

    def _run_whole(self) -> None:
        try:
            while (block := self._whole_q.get()) is not None:
                self._whole_sm3.update(memoryview(block.buf)[: block.length])
                self.blocks.done(block)
        except BaseException as exc:  # pragma: no cover - hashlib does not fail on buffers
            self._errors.append(exc)

    def _run_members(self) -> None:
        current, h = -1, new_sm3()
        try:
            while (piece := self._member_q.get()) is not None:
                if piece.key != current:
                    current, h = piece.key, new_sm3()
                h.update(memoryview(piece.block.buf)[piece.start : piece.stop])
                if piece.last:
                    self._member_sm3[current] = h.hexdigest()
                self.blocks.done(piece.block)
        except BaseException as exc:  # pragma: no cover
            self._errors.append(exc)

    def hash(self, block: Block, pieces: list[Piece]) -> None:
        """Hash the block's ``length`` bytes (the next of the file) and the member pieces in
        it; the block goes back to the pool once every worker is done with it."""
        n = block.length
        view = memoryview(block.buf)[:n]
        block.users = 2 + len(pieces)  # this thread, the whole-file worker, the pieces
        if n:
            self._whole_q.put(block)
        else:
            self.blocks.done(block)
        for piece in pieces:
            self._member_q.put(piece)
        self._whole_sha.update(view)
        for piece in pieces:
            part = view[piece.start : piece.stop]
            self._sha.update(part)
            self._crc = zlib.crc32(part, self._crc)
            self._done += len(part)
            if piece.last:
                self._found[piece.key] = (self._sha.hexdigest(), self._crc, self._done)
                self._sha, self._crc, self._done = hashlib.sha256(), 0, 0
        self._size += n
        self.blocks.done(block)

    def stop(self) -> None:
        """Let the workers finish what they were given and end (again: nothing)."""
        if self._workers:
            self._whole_q.put(None)
            self._member_q.put(None)
            for t in self._workers:
                t.join()
            self._workers = []

    def finish(self) -> tuple[Digests, dict[int, Member]]:
        """The whole's digests and every complete member's, by key."""
        self.stop()
        if self._errors:  # pragma: no cover
            raise self._errors[0]
        whole = Digests(self._size, self._whole_sha.hexdigest(), self._whole_sm3.hexdigest())
        members = {
            key: Member(Digests(size, sha, self._member_sm3[key]), crc)
            for key, (sha, crc, size) in self._found.items()
        }
        return whole, members


def file_id(st: os.stat_result) -> tuple[int, ...]:
    """Which file, and which version of it: device, inode, size, modification time."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def matching(spans: list[Span], members: dict[int, Member]) -> dict[Span, Digests]:
    """The spans (by their number) whose bytes were all hashed and match their CRC."""
    out: dict[Span, Digests] = {}
    for key, span in enumerate(spans):
        m = members.get(key)
        if m is not None and m.crc == span.crc and m.digests.size == span.size:
            out[span] = m.digests
    return out


def scan_package(
    path: Path, spans: list[Span], progress: Callable[[int], None] | None = None
) -> Scan:
    """Read ``path`` once; ``spans`` (sorted, from ``PackageReader.stored_spans``) say where
    the members lie. ``progress`` is called with the bytes read so far."""
    hashing = Hashing()
    blocks = hashing.blocks
    errors: list[BaseException] = []
    filled: queue.Queue[Block | None] = queue.Queue()
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

    pending = iter(enumerate(spans))
    current = next(pending, None)
    offset = 0
    fd = os.open(path, os.O_RDONLY)
    reader = threading.Thread(target=run_reads, args=(fd,), name="qz-read", daemon=True)
    reader.start()
    try:
        while True:
            block = filled.get()
            if block is None:  # the read failed
                raise errors[0]
            n = block.length
            pieces: list[Piece] = []
            while current is not None and current[1].start < offset + n:
                key, span = current
                lo = max(span.start, offset) - offset
                hi = min(span.start + span.size, offset + n) - offset
                last = span.start + span.size <= offset + n
                pieces.append(Piece(block, key, lo, hi, last))
                if not last:
                    break
                current = next(pending, None)
            hashing.hash(block, pieces)
            offset += n
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
        hashing.stop()
    whole, members = hashing.finish()
    return Scan(whole, matching(spans, members), ident)
