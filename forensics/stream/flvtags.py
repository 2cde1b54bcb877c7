"""HTTP-FLV framing, split incrementally: the FLV header, then tags (11-byte header, body,
4-byte PreviousTagSize). Only the framing is read; nothing is decoded.

An endless FLV response reaches us in pieces (a whole WARC record at the end, or one part
per traffic segment), cut anywhere, even inside a tag. ``FlvSplitter`` keeps what it needs
between pieces: the bytes of a tag not yet complete, the payload offset, and the stream's
FLV header, ``onMetaData`` script tag and newest AVC/AAC sequence headers, which a period
that starts mid-stream needs to be playable on its own (``remux.FlvPeriod``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from forensics.errors import InputError

TAG_AUDIO: Final = 8
TAG_VIDEO: Final = 9
TAG_SCRIPT: Final = 18
_TAG_HEAD: Final = 11
_PREV_SIZE: Final = 4
# No real stream has tags this large (a 4K key frame is a few MB); a larger size means the
# bytes are not FLV, and holding them would let a hostile server fill memory.
MAX_TAG_BYTES: Final = 32 << 20
_AVC: Final = 7
_AAC: Final = 10


@dataclass(frozen=True)
class FlvTag:
    """One complete tag as received: ``raw`` is the tag header, body and PreviousTagSize;
    ``offset`` is where it starts in the response's payload."""

    kind: int
    timestamp_ms: int
    raw: bytes
    offset: int

    @property
    def body(self) -> bytes:
        return self.raw[_TAG_HEAD:-_PREV_SIZE]

    @property
    def is_sequence_header(self) -> bool:
        """An AVC decoder configuration or an AAC AudioSpecificConfig tag."""
        head = self.raw[_TAG_HEAD : _TAG_HEAD + 2]
        if len(head) < 2:
            return False
        if self.kind == TAG_VIDEO:
            return head[0] & 0x0F == _AVC and head[1] == 0
        if self.kind == TAG_AUDIO:
            return head[0] >> 4 == _AAC and head[1] == 0
        return False

    @property
    def is_key_frame(self) -> bool:
        """A video key frame carrying coded pictures (not a sequence header)."""
        head = self.raw[_TAG_HEAD : _TAG_HEAD + 2]
        return self.kind == TAG_VIDEO and len(head) == 2 and head[0] >> 4 == 1 and head[1] == 1

    @property
    def is_media(self) -> bool:
        """Audio or video data (not a sequence header, not a script tag)."""
        return self.kind in (TAG_AUDIO, TAG_VIDEO) and not self.is_sequence_header


class FlvSplitter:
    """Splits one FLV response's payload, fed in pieces, into complete tags."""

    def __init__(self) -> None:
        self.offset = 0  # payload bytes fed so far
        self.header: bytes | None = None  # FLV header + PreviousTagSize0
        self.metadata: FlvTag | None = None
        self.avc_header: FlvTag | None = None
        self.aac_header: FlvTag | None = None
        self._carry = bytearray()
        self._carry_at = 0  # payload offset of the carry's first byte

    @property
    def pending(self) -> int:
        """Bytes of an incomplete tag (or header) held for the next piece."""
        return len(self._carry)

    def head_tags(self) -> list[FlvTag]:
        """What a period starting mid-stream needs first: metadata and sequence headers."""
        return [t for t in (self.metadata, self.avc_header, self.aac_header) if t is not None]

    def feed(self, data: bytes) -> Iterator[FlvTag]:
        """The tags completed by ``data`` (raises ``InputError`` when it is not FLV)."""
        self._carry += data
        self.offset += len(data)
        buf = self._carry
        at = 0
        if self.header is None:
            if len(buf) < 9 + _PREV_SIZE:
                return
            if buf[:3] != b"FLV" or buf[3] != 1:
                raise _not_flv(self._carry_at, "no FLV signature")
            size = struct.unpack(">I", buf[5:9])[0]
            if not 9 <= size <= 1024:
                raise _not_flv(self._carry_at, f"header size {size}")
            if len(buf) < size + _PREV_SIZE:
                return
            self.header = bytes(buf[: size + _PREV_SIZE])  # as received
            at = size + _PREV_SIZE
        try:
            while len(buf) - at >= _TAG_HEAD:
                kind = buf[at] & 0x1F  # the filter bit (encrypted tags) aside
                size = int.from_bytes(buf[at + 1 : at + 4], "big")
                end = at + _TAG_HEAD + size + _PREV_SIZE
                if kind not in (TAG_AUDIO, TAG_VIDEO, TAG_SCRIPT) or size > MAX_TAG_BYTES:
                    raise _not_flv(self._carry_at + at, f"tag type {kind}, size {size}")
                if len(buf) < end:
                    break
                prev = struct.unpack(">I", buf[end - _PREV_SIZE : end])[0]
                if prev != _TAG_HEAD + size:
                    raise _not_flv(self._carry_at + at, f"PreviousTagSize {prev}")
                ts = int.from_bytes(buf[at + 4 : at + 7], "big") | buf[at + 7] << 24
                tag = FlvTag(kind, ts, bytes(buf[at:end]), self._carry_at + at)
                at = end
                self._remember(tag)
                yield tag
        finally:
            del buf[:at]
            self._carry_at += at

    def _remember(self, tag: FlvTag) -> None:
        if tag.kind == TAG_SCRIPT and self.metadata is None:
            self.metadata = tag
        elif tag.is_sequence_header:
            if tag.kind == TAG_VIDEO:
                self.avc_header = tag
            else:
                self.aac_header = tag


def _not_flv(offset: int, what: str) -> InputError:
    return InputError(
        f"the stream is not HTTP-FLV at payload byte {offset} ({what})",
        f"直播流在第 {offset} 字节处不是 HTTP-FLV 格式（{what}）",
    )
