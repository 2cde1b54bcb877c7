"""FLV for the live stream's HTTP-FLV variant: the MPEG-TS segments' packets, remuxed.

Real live-selling platforms serve the desktop web one endless FLV response per viewer
(H.264 + AAC), read by an flv.js-style player. Here each MPEG-TS segment is demuxed (PyAV)
and its packets are re-wrapped as FLV tags, without decoding or re-encoding:

* video: each access unit's NAL units, exactly as in the TS (Annex B start codes replaced by
  4-byte lengths, as FLV / MP4 carry them), in an AVC ``NALU`` tag; the decoder configuration
  (SPS and PPS, an ``AVCDecoderConfigurationRecord``) goes in a sequence-header tag;
* audio: each ADTS frame's raw AAC payload (its 7- or 9-byte ADTS header dropped), in an
  AAC ``raw`` tag; the ``AudioSpecificConfig`` built from the ADTS header goes in a
  sequence-header tag.

Timestamps are the stream's (milliseconds from stream start; the TS carries stream time on
its 90 kHz clock), so they run on unbroken from segment to segment. ``FlvWriter`` joins
segments into one stream: the file header, ``onMetaData`` and both sequence headers first,
then each segment's tags, dropping the priming AAC frame of every segment after the first
(it has the time of the previous segment's last frame: see ``video``).

For load tests the stream can be made as heavy as a real room (``FlvWriter.filler``: e.g.
8 Mbit/s) without encoding more: each video tag then ends with an H.264 filler-data NAL
unit (type 12, as constant-bitrate encoders emit; decoders skip it). Off by default: the
range's normal stream carries exactly the TS segments' packets.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import av

from forensics.range.errors import RangeError

TAG_AUDIO = 8
TAG_VIDEO = 9
TAG_SCRIPT = 18
TS_HZ = 90_000
AAC_SAMPLES = 1024
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
# SoundFormat 10 (AAC), and "44 kHz, 16-bit, stereo" as the FLV spec requires for AAC (the
# real rate and channels are in the AudioSpecificConfig).
_AAC_FLAGS = 0xAF
_AVC_CODEC = 7
_NAL_SPS = 7
_NAL_PPS = 8
_NAL_FILLER = 12


def file_header() -> bytes:
    """The FLV header (version 1, audio and video) and PreviousTagSize0."""
    return b"FLV\x01\x05" + struct.pack(">I", 9) + struct.pack(">I", 0)


def tag_bytes(kind: int, timestamp_ms: int, data: bytes) -> bytes:
    """One tag and the PreviousTagSize field that follows it."""
    if len(data) >= 1 << 24:
        raise RangeError("FLV tag too large", "FLV 标签过大")
    ts = timestamp_ms & 0xFFFFFFFF
    head = bytes([kind]) + len(data).to_bytes(3, "big")
    head += (ts & 0xFFFFFF).to_bytes(3, "big") + bytes([ts >> 24]) + b"\x00\x00\x00"
    return head + data + struct.pack(">I", 11 + len(data))


# -- AMF0 (onMetaData) --------------------------------------------------------------------------


def _amf_string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">H", len(raw)) + raw


def _amf_value(value: float | bool | str) -> bytes:
    if isinstance(value, bool):
        return b"\x01" + bytes([value])
    if isinstance(value, str):
        return b"\x02" + _amf_string(value)
    return b"\x00" + struct.pack(">d", float(value))


def metadata(values: dict[str, float | bool | str]) -> bytes:
    """The body of an ``onMetaData`` script tag (AMF0 string + ECMA array)."""
    body = b"\x02" + _amf_string("onMetaData") + b"\x08" + struct.pack(">I", len(values))
    for key, value in values.items():
        body += _amf_string(key) + _amf_value(value)
    return body + b"\x00\x00\x09"


# -- H.264 --------------------------------------------------------------------------------------


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (start codes of 3 or 4 bytes)."""
    units: list[bytes] = []
    i, n, start = 0, len(data), -1
    while i + 2 < n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start >= 0:
                units.append(data[start:i].rstrip(b"\x00"))
            i += 3
            start = i
        else:
            i += 1
    if start >= 0:
        units.append(data[start:])
    return [u for u in units if u]


def avc_config(sps: bytes, pps: bytes) -> bytes:
    """An ``AVCDecoderConfigurationRecord`` (4-byte NAL lengths, one SPS, one PPS)."""
    return (
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1])
        + struct.pack(">H", len(sps))
        + sps
        + b"\x01"
        + struct.pack(">H", len(pps))
        + pps
    )


def length_prefixed(units: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(u)) + u for u in units)


def filler_unit(size: int) -> bytes:
    """An H.264 filler-data NAL unit of ``size`` bytes (at least 2): the NAL header, 0xFF
    bytes, and the RBSP stop bit."""
    if size < 2:
        raise RangeError("filler NAL unit too small", "填充 NAL 单元过小")
    return bytes([_NAL_FILLER]) + b"\xff" * (size - 2) + b"\x80"


def filler_per_frame(kbps: int, fps: float) -> int:
    """Filler bytes per video frame that bring a stream to about ``kbps`` (0: none)."""
    if kbps <= 0 or fps <= 0:
        return 0
    return max(2, int(kbps * 1000 / 8 / fps))


# -- AAC ----------------------------------------------------------------------------------------


def split_adts(data: bytes) -> list[tuple[bytes, bytes]]:
    """``(header, payload)`` of each ADTS frame in ``data``."""
    frames = []
    i = 0
    while i + 7 <= len(data):
        if data[i] != 0xFF or data[i + 1] & 0xF6 != 0xF0:
            raise RangeError("not an ADTS stream", "不是 ADTS 音频流")
        length = (data[i + 3] & 0x03) << 11 | data[i + 4] << 3 | data[i + 5] >> 5
        header_len = 7 if data[i + 1] & 0x01 else 9  # protection_absent: no CRC
        if length < header_len or i + length > len(data):
            raise RangeError("truncated ADTS frame", "ADTS 帧不完整")
        frames.append((data[i : i + header_len], data[i + header_len : i + length]))
        i += length
    return frames


def aac_config(adts_header: bytes) -> bytes:
    """The 2-byte ``AudioSpecificConfig`` an ADTS header describes."""
    object_type = (adts_header[2] >> 6) + 1
    rate_index = (adts_header[2] >> 2) & 0x0F
    channels = (adts_header[2] & 0x01) << 2 | adts_header[3] >> 6
    return struct.pack(">H", object_type << 11 | rate_index << 7 | channels << 3)


def aac_rate(config: bytes) -> int:
    return _ADTS_RATES[(int.from_bytes(config[:2], "big") >> 7) & 0x0F]


# -- segments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Media:
    """One packet of a segment as an FLV tag body, at ``dts`` (90 kHz, stream time)."""

    kind: int
    dts: int
    body: bytes

    @property
    def timestamp_ms(self) -> int:
        return (self.dts * 1000 + TS_HZ // 2) // TS_HZ


@dataclass(frozen=True)
class SegmentTags:
    """A TS segment's packets as FLV tag bodies, in decode order."""

    avc_config: bytes
    aac_config: bytes
    width: int
    height: int
    fps: float
    media: tuple[Media, ...]


def remux_ts(data: bytes) -> SegmentTags:
    """The packets of one MPEG-TS segment (H.264 + ADTS AAC) as FLV tag bodies."""
    media: list[Media] = []
    sps = pps = adts = b""
    with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
        video = container.streams.video[0]
        width, height = video.codec_context.width, video.codec_context.height
        fps = float(video.average_rate or 0)
        rate = container.streams.audio[0].codec_context.sample_rate or 1
        for packet in container.demux():
            if packet.size == 0 or packet.dts is None or packet.pts is None:
                continue
            raw = bytes(packet)
            if packet.stream.type == "video":
                units = split_annexb(raw)
                for unit in units:
                    if unit[0] & 0x1F == _NAL_SPS and not sps:
                        sps = unit
                    elif unit[0] & 0x1F == _NAL_PPS and not pps:
                        pps = unit
                key = bool(packet.is_keyframe)
                cts = ((packet.pts - packet.dts) * 1000 + TS_HZ // 2) // TS_HZ
                head = bytes([(1 if key else 2) << 4 | _AVC_CODEC, 1]) + cts.to_bytes(
                    3, "big", signed=True
                )
                media.append(Media(TAG_VIDEO, packet.dts, head + length_prefixed(units)))
            elif packet.stream.type == "audio":
                frames = split_adts(raw)
                if not adts and frames:
                    adts = frames[0][0]
                for k, (_, payload) in enumerate(frames):
                    dts = packet.dts + k * AAC_SAMPLES * TS_HZ // rate
                    media.append(Media(TAG_AUDIO, dts, bytes([_AAC_FLAGS, 1]) + payload))
    if not (sps and pps and adts):
        raise RangeError("segment lacks SPS, PPS or AAC frames", "片段缺少 SPS、PPS 或 AAC 音频帧")
    media.sort(key=lambda m: m.dts)  # stable: each track keeps its own order
    return SegmentTags(avc_config(sps, pps), aac_config(adts), width, height, fps, tuple(media))


@dataclass
class FlvWriter:
    """Joins segments into one FLV stream: ``start`` gives the file's head, ``segment`` each
    segment's tags as ``(timestamp_ms, bytes)``, to be sent when that time comes."""

    filler: int = 0  # bytes of filler NAL unit added to each video tag (see module doc)
    _avc: bytes = b""
    _aac: bytes = b""
    _last_audio: int | None = None
    _last_video: int | None = None
    _filler_unit: bytes = b""

    def start(self, first: SegmentTags) -> bytes:
        self._avc, self._aac = first.avc_config, first.aac_config
        ts = first.media[0].timestamp_ms if first.media else 0
        info: dict[str, float | bool | str] = {
            "duration": 0.0,
            "width": first.width,
            "height": first.height,
            "framerate": first.fps,
            "videocodecid": _AVC_CODEC,
            "audiocodecid": 10,
            "audiosamplerate": aac_rate(first.aac_config),
            "audiosamplesize": 16,
            "stereo": False,
            "encoder": "Quzheng practice range",
        }
        return (
            file_header()
            + tag_bytes(TAG_SCRIPT, 0, metadata(info))
            + tag_bytes(TAG_VIDEO, ts, bytes([0x17, 0, 0, 0, 0]) + first.avc_config)
            + tag_bytes(TAG_AUDIO, ts, bytes([_AAC_FLAGS, 0]) + first.aac_config)
        )

    def segment(self, tags: SegmentTags) -> list[tuple[int, bytes]]:
        out: list[tuple[int, bytes]] = []
        first_ms = tags.media[0].timestamp_ms if tags.media else 0
        # A new encoder configuration (never, for the range's fixed settings) is announced
        # as players expect: a new sequence header before the packets that need it.
        if tags.avc_config != self._avc:
            self._avc = tags.avc_config
            out.append(
                (first_ms, tag_bytes(TAG_VIDEO, first_ms, b"\x17\x00\x00\x00\x00" + self._avc))
            )
        if tags.aac_config != self._aac:
            self._aac = tags.aac_config
            out.append((first_ms, tag_bytes(TAG_AUDIO, first_ms, b"\xaf\x00" + self._aac)))
        for item in tags.media:
            if item.kind == TAG_AUDIO:
                # The priming frame repeats the previous segment's last frame's time.
                if self._last_audio is not None and item.dts <= self._last_audio:
                    continue
                self._last_audio = item.dts
            else:
                if self._last_video is not None and item.dts <= self._last_video:
                    continue
                self._last_video = item.dts
                if self.filler:
                    if len(self._filler_unit) != self.filler:
                        self._filler_unit = filler_unit(self.filler)
                    unit = self._filler_unit
                    body = item.body + struct.pack(">I", len(unit)) + unit
                    out.append((item.timestamp_ms, tag_bytes(item.kind, item.timestamp_ms, body)))
                    continue
            out.append((item.timestamp_ms, tag_bytes(item.kind, item.timestamp_ms, item.body)))
        return out
