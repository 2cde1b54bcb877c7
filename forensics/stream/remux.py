"""Received stream bytes as a playable MP4, by copying packets: no decode, no encode.

Two inputs, as platforms send them:

- HTTP-FLV (H.264 + AAC in FLV tags): a period's tags are written to an FLV file that plays
  on its own (``FlvPeriod``): the stream's FLV header, its ``onMetaData`` tag and the newest
  AVC/AAC sequence headers (carried from the stream start by ``flvtags.FlvSplitter``), then
  the period's tags. A period of a running response starts with the previous period's last
  picture group (``Gop``: from its key frame, ``carried``), so consecutive MP4s overlap by
  at most one picture group and leave no gap. Tags that cannot be decoded (before the first
  key frame when nothing could be carried: a stream's very first tags, or a picture group
  over the size bound) are not copied but counted in ``lead`` (number, bytes, first and
  last time), so the item says exactly what it leaves out; they are in the WARC.
- MPEG-TS segments (HLS): the period's segments, joined in the order received (``TsPeriod``).

``remux_file`` then copies every packet into an MP4 with PyAV (``add_stream_from_template``
and ``mux``): the H.264 and AAC access units in the MP4 are the very bytes the server sent
(FFmpeg's MP4 muxer only moves the ADTS header of TS audio into the AudioSpecificConfig, as
the MP4 format requires). Timestamps are kept: the MP4's clock is the stream's clock. Both
steps stream through files; a long period is never held in memory.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

from forensics.errors import InputError
from forensics.stream.flvtags import TAG_AUDIO, TAG_VIDEO, FlvSplitter, FlvTag

MP4_MEDIA_TYPE: Final = "video/mp4"
GAP_MS: Final = 1000
MAX_GAPS: Final = 20


@dataclass
class Span:
    """How many tags and bytes, and the first and last stream time (ms) among them."""

    tags: int = 0
    size: int = 0
    first_ms: int | None = None
    last_ms: int | None = None

    def add(self, tag: FlvTag) -> None:
        self.tags += 1
        self.size += len(tag.raw)
        if self.first_ms is None:
            self.first_ms = tag.timestamp_ms
        self.last_ms = tag.timestamp_ms

    def record(self) -> dict[str, Any]:
        return {
            "tags": self.tags,
            "bytes": self.size,
            "first_ms": self.first_ms,
            "last_ms": self.last_ms,
        }


@dataclass
class Gop:
    """The media tags since the newest video key frame of a running response: what the next
    period starts with, so that the MP4s of consecutive periods leave no gap. Bounded: a
    picture group larger than ``limit`` bytes is not kept (that period then starts at its
    own first key frame, and says how much it left out)."""

    limit: int = 64 << 20
    tags: list[FlvTag] = field(default_factory=list)
    size: int = 0

    def add(self, tag: FlvTag) -> None:
        if tag.is_key_frame:
            self.tags, self.size = [tag], len(tag.raw)
        elif tag.is_media and self.tags:
            self.tags.append(tag)
            self.size += len(tag.raw)
            if self.size > self.limit:
                self.tags, self.size = [], 0


@dataclass
class FlvPeriod:
    """One period's tags of one FLV response, written as an FLV file that plays alone."""

    path: Path
    splitter: FlvSplitter
    lead: Span = field(default_factory=Span)
    copied: Span = field(default_factory=Span)
    carried: Span = field(default_factory=Span)
    carried_from: int | None = None  # payload range of the carried tags
    carried_to: int | None = None
    # Jumps of the video clock by more than ``GAP_MS`` (a server moving a viewer that fell
    # behind to the live edge skips the pictures between): (from_ms, to_ms), the first few.
    gaps: list[tuple[int, int]] = field(default_factory=list)
    _last_video_ms: int | None = None
    _out: BinaryIO | None = None

    @property
    def started(self) -> bool:
        return self._out is not None

    def _clock(self, tag: FlvTag) -> None:
        if tag.kind != TAG_VIDEO:
            return
        last = self._last_video_ms
        if last is not None and tag.timestamp_ms - last > GAP_MS and len(self.gaps) < MAX_GAPS:
            self.gaps.append((last, tag.timestamp_ms))
        self._last_video_ms = tag.timestamp_ms

    def carry(self, gop: list[FlvTag]) -> None:
        """Start with the previous period's last picture group (from its key frame)."""
        if self._out is not None or not gop or not gop[0].is_key_frame:
            return
        self._begin()
        assert self._out is not None
        self.carried_from = gop[0].offset
        self.carried_to = gop[-1].offset + len(gop[-1].raw)
        for tag in gop:
            self._out.write(tag.raw)
            self.carried.add(tag)
            self._clock(tag)

    def _begin(self) -> None:
        header = self.splitter.header
        if header is None:  # the splitter yields no tag before the header
            raise InputError("FLV tags before the FLV header", "FLV 头之前出现了数据")
        self._out = self.path.open("wb")
        self._out.write(header)
        for head in self.splitter.head_tags():
            self._out.write(head.raw)

    def add(self, tag: FlvTag) -> None:
        if not tag.is_media:
            # Metadata and sequence headers: the splitter keeps the newest for the head; one
            # arriving after the start applies from here on, so it is copied in place.
            if self._out is not None:
                self._out.write(tag.raw)
            return
        if self._out is None:
            audio_only = self.splitter.avc_header is None and tag.kind == TAG_AUDIO
            if not (tag.is_key_frame or audio_only):
                self.lead.add(tag)
                return
            self._begin()
            assert self._out is not None
        self._out.write(tag.raw)
        self.copied.add(tag)
        self._clock(tag)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


@dataclass
class TsPeriod:
    """One period's MPEG-TS segments, joined in the order received."""

    path: Path
    segments: int = 0
    size: int = 0
    _out: BinaryIO | None = None

    def begin_segment(self) -> None:
        if self._out is None:
            self._out = self.path.open("wb")
        self.segments += 1

    def write(self, data: bytes) -> None:
        if self._out is None:
            self.begin_segment()
        assert self._out is not None
        self._out.write(data)
        self.size += len(data)

    @property
    def started(self) -> bool:
        return self._out is not None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


@dataclass(frozen=True)
class MediaSummary:
    """What an MP4 written by ``remux_file`` holds."""

    video_packets: int
    audio_packets: int
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    audio_rate: int | None
    first_ms: int | None
    last_ms: int | None
    not_copied: int  # packets the MP4 muxer refused (time going backwards)

    def record(self) -> dict[str, Any]:
        return {
            "video": {
                "codec": self.video_codec,
                "packets": self.video_packets,
                "width": self.width,
                "height": self.height,
            },
            "audio": {
                "codec": self.audio_codec,
                "packets": self.audio_packets,
                "sample_rate": self.audio_rate,
            },
            "stream_first_ms": self.first_ms,
            "stream_last_ms": self.last_ms,
            "packets_not_copied": self.not_copied,
        }


def remux_file(src: Path, container: str, dst: Path) -> MediaSummary:
    """Copy every H.264/AAC packet of ``src`` (``container``: "flv" or "mpegts") into the
    MP4 ``dst``. ``InputError`` when the input holds no playable stream."""
    import av  # PyAV loads FFmpeg: only when a stream is remuxed

    counts = {"video": 0, "audio": 0}
    first: int | None = None
    last: int | None = None
    refused = 0
    try:
        with av.open(str(src), mode="r", format=container) as inp:
            video = inp.streams.video[0] if inp.streams.video else None
            audio = inp.streams.audio[0] if inp.streams.audio else None
            chosen = [s for s in (video, audio) if s is not None]
            if not chosen:
                raise _no_stream(src, "no audio or video stream")
            with av.open(str(dst), mode="w", format="mp4") as out:
                mapping = {s.index: out.add_stream_from_template(s) for s in chosen}
                for packet in inp.demux(chosen):
                    if packet.dts is None or packet.size == 0:
                        continue  # demuxer flush packets
                    kind = packet.stream.type
                    if packet.time_base is not None:
                        ms = int(packet.dts * packet.time_base * 1000)
                        first = ms if first is None else min(first, ms)
                        last = ms if last is None else max(last, ms)
                    packet.stream = mapping[packet.stream.index]
                    try:
                        out.mux(packet)
                    except (av.error.FFmpegError, ValueError):
                        refused += 1
                        continue
                    counts[kind] += 1
            vctx = video.codec_context if video is not None else None
            actx = audio.codec_context if audio is not None else None
    except av.error.FFmpegError as exc:
        with contextlib.suppress(OSError):
            dst.unlink()
        raise _no_stream(src, str(exc)) from None
    if counts["video"] + counts["audio"] == 0:
        with contextlib.suppress(OSError):
            dst.unlink()
        raise _no_stream(src, "no packets")
    return MediaSummary(
        video_packets=counts["video"],
        audio_packets=counts["audio"],
        video_codec=vctx.name if vctx is not None else None,
        audio_codec=actx.name if actx is not None else None,
        width=vctx.width if vctx is not None else None,
        height=vctx.height if vctx is not None else None,
        audio_rate=actx.sample_rate if actx is not None else None,
        first_ms=first,
        last_ms=last,
        not_copied=refused,
    )


def _no_stream(src: Path, why: str) -> InputError:
    return InputError(
        f"{src.name}: no playable stream could be copied ({why})",
        f"{src.name}：没有可复制的音视频流（{why}）",
    )
