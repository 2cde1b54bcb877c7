"""A package hashed while its bytes arrive: the streaming counterpart of ``scan_package``.

The vault receives a deposit as an HTTP body it writes to a spool file. Reading that file
again after the last byte to verify it costs as long as SM3 over the whole file twice
(docs/vault.md §7), so the bytes are hashed as they are written instead: the whole file's
SHA-256 and SM3 (the detached seal) and every member's SHA-256, SM3 and CRC-32 (the
manifests), through the same ``Hashing`` as ``scan_package``.

Format 2 writes every member stored, with its CRC-32 and sizes in its local header and no
data descriptor (ZIP64 sizes in the header's extra field where needed; docs/package-format.md
§2.4), so the members can be found from their local headers in the order the bytes come,
without the central directory at the end. Anything that is not such a header — another
method, encryption, a data descriptor, the central directory itself, or bytes that make no
sense — ends the search for members quietly: those members are read through the ZIP library
at verification, as before. Hostile bytes never raise here, and the state held besides the
hashing blocks is one header (at most 30 + 2 × 65,535 bytes) and a span and its digests for
each member found — at most ``MAX_MEMBERS``, beyond which the reader refuses the package.

The result is a claim about bytes: ``finish(path)`` ties it to the file they were written to
(``file_id``), and ``verify_package`` trusts a member's digests only while that file is
unchanged and the member lies exactly where the stream found it.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from types import TracebackType

from forensics.package.layout import MAX_MEMBERS
from forensics.package.reader import Span
from forensics.package.scan import BLOCK, Block, Hashing, Piece, Scan, file_id, matching

# A local file header: signature, version, flags, method, time, date, CRC-32, compressed
# size, uncompressed size, name length, extra length.
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_EXTRA = struct.Struct("<HH")
_ZIP64_EXTRA = 0x0001
_MAX_32 = 0xFFFFFFFF
_UTF8_NAME = 0x800
# Encrypted (bit 0), data descriptor (bit 3), compressed patch data (bit 5), strong
# encryption (bit 6): not a member whose bytes follow its header as they are.
_NOT_PLAIN = 0x1 | 0x8 | 0x20 | 0x40


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int] | None:
    """The sizes a ZIP64 extra field gives for those the header marks 0xFFFFFFFF (in the
    order the format sets: uncompressed, then compressed); None when it lacks them."""
    at = 0
    while at + _EXTRA.size <= len(extra):
        kind, length = _EXTRA.unpack_from(extra, at)
        data = extra[at + _EXTRA.size : at + _EXTRA.size + length]
        at += _EXTRA.size + length
        if kind != _ZIP64_EXTRA:
            continue
        values = [int.from_bytes(data[i : i + 8], "little") for i in range(0, len(data) - 7, 8)]
        if usize == _MAX_32:
            if not values:
                return None
            usize = values.pop(0)
        if csize == _MAX_32:
            if not values:
                return None
            csize = values.pop(0)
        return usize, csize
    return None


class _LocalHeaders:
    """Finds the stored members in the bytes given so far, in order: each becomes a ``Span``
    (numbered by its place in ``spans``) and the pieces of blocks that hold its data."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.ended = False  # no more members: not a plain stored local header, or too many
        self._head = bytearray()
        self._need = _LOCAL.size
        self._fixed: tuple[int, int, int, int, int] | None = None  # flags, crc, csize, usize, name
        self._left = 0  # bytes of the current member's data still to come

    def pieces(self, block: Block, offset: int) -> list[Piece]:
        """The member pieces in ``block`` (the file's bytes from ``offset`` on)."""
        out: list[Piece] = []
        view = memoryview(block.buf)[: block.length]
        at = 0
        while at < len(view) and (self._left or not self.ended):
            if self._left:
                take = min(self._left, len(view) - at)
                self._left -= take
                out.append(Piece(block, len(self.spans) - 1, at, at + take, not self._left))
                at += take
                continue
            take = min(self._need - len(self._head), len(view) - at)
            self._head += view[at : at + take]
            at += take
            complete = len(self._head) == self._need and self._header(offset + at)
            if complete and not self._left:  # an empty member: complete where it starts
                out.append(Piece(block, len(self.spans) - 1, at, at, True))
        return out

    def _header(self, start: int) -> bool:
        """The header bytes needed so far have come: True when they complete a member
        (its data beginning at ``start``), False while more are needed or the search ended."""
        if self._fixed is None:
            sig, _v, flags, method, _t, _d, crc, csize, usize, nlen, elen = _LOCAL.unpack(
                self._head
            )
            if sig != b"PK\x03\x04" or flags & _NOT_PLAIN or method != 0:
                self.ended = True
                return False
            self._fixed = (flags, crc, csize, usize, nlen)
            self._need += nlen + elen
            if nlen + elen:
                return False
        flags, crc, csize, usize, nlen = self._fixed
        raw_name = bytes(self._head[_LOCAL.size : _LOCAL.size + nlen])
        extra = bytes(self._head[_LOCAL.size + nlen :])
        self._head.clear()
        self._need = _LOCAL.size
        self._fixed = None
        try:
            name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        except UnicodeDecodeError:
            self.ended = True
            return False
        if _MAX_32 in (usize, csize):
            sizes = _zip64_sizes(extra, usize, csize)
            if sizes is None:
                self.ended = True
                return False
            usize, csize = sizes
        if usize != csize:  # stored bytes are their own size
            self.ended = True
            return False
        self.spans.append(Span(name, start, usize, crc))
        self._left = usize
        self.ended = len(self.spans) >= MAX_MEMBERS  # more, and the reader refuses the package
        return True


class StreamScan:
    """Give it a package's bytes in order with ``feed`` (any chunk size; they are copied, so
    the caller may reuse its buffer); ``finish`` with the file they were written to gives
    the ``Scan``. Use it with ``with`` (or ``close``): its two hashing threads end there,
    whether or not it finished. A feeder faster than SM3 waits for a free block: memory
    stays at the hashing blocks (``scan.BLOCK`` each, six of them)."""

    def __init__(self) -> None:
        self._hashing = Hashing()
        self._headers = _LocalHeaders()
        self._block: Block | None = None
        self._filled = 0
        self._offset = 0  # bytes handed on to the hashing so far

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        while view:
            if self._block is None:
                self._block, self._filled = self._hashing.blocks.take(), 0
            take = min(BLOCK - self._filled, len(view))
            self._block.buf[self._filled : self._filled + take] = view[:take]
            self._filled += take
            view = view[take:]
            if self._filled == BLOCK:
                self._hand_on()

    def _hand_on(self) -> None:
        block, self._block = self._block, None
        if block is None:
            return
        block.length = self._filled
        self._hashing.hash(block, self._headers.pieces(block, self._offset))
        self._offset += self._filled

    def finish(self, path: Path) -> Scan:
        """The scan of ``path``, the file the fed bytes were written to (and closed): the
        caller's word, checked only by size — the scan stands for that file as it is now
        (``file_id``) and for nothing else."""
        self._hand_on()
        whole, members = self._hashing.finish()
        ident = file_id(os.stat(path))
        if ident[2] != whole.size:
            raise ValueError(f"{path} holds {ident[2]} bytes, {whole.size} were fed")
        return Scan(whole, matching(self._headers.spans, members), ident)

    def close(self) -> None:
        if self._block is not None:
            self._hashing.blocks.release(self._block)
            self._block = None
        self._hashing.stop()

    def __enter__(self) -> StreamScan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
