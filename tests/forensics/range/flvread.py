"""Independent readers for the range's stream tests: FLV tags (checked against the spec,
not against ``forensics.range.flv``), MPEG-TS packets via PyAV, and a Goertzel filter."""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

import av


@dataclass(frozen=True)
class Tag:
    kind: int
    timestamp: int
    body: bytes


def read_flv(data: bytes) -> tuple[list[Tag], int]:
    """The complete tags of an FLV prefix and how many bytes they and the header took.
    Checks the header and every PreviousTagSize field on the way."""
    assert data[:3] == b"FLV" and data[3] == 1, "FLV signature and version 1"
    assert data[4] == 0x05, "audio and video flags"
    header_size = struct.unpack(">I", data[5:9])[0]
    assert header_size == 9
    assert struct.unpack(">I", data[9:13])[0] == 0, "PreviousTagSize0"
    tags, at = [], 13
    while at + 11 <= len(data):
        kind = data[at]
        size = int.from_bytes(data[at + 1 : at + 4], "big")
        timestamp = int.from_bytes(data[at + 4 : at + 7], "big") | data[at + 7] << 24
        assert data[at + 8 : at + 11] == b"\x00\x00\x00", "StreamID is 0"
        end = at + 11 + size
        if end + 4 > len(data):
            break
        assert kind in (8, 9, 18), f"tag type {kind}"
        assert struct.unpack(">I", data[end : end + 4])[0] == 11 + size, "PreviousTagSize"
        tags.append(Tag(kind, timestamp, data[at + 11 : end]))
        at = end + 4
    return tags, at


def nal_units_of_avc_tag(body: bytes) -> list[bytes]:
    """NAL units of an AVC NALU tag body (4-byte lengths)."""
    assert body[0] & 0x0F == 7 and body[1] == 1
    units, at = [], 5
    while at < len(body):
        size = struct.unpack(">I", body[at : at + 4])[0]
        units.append(body[at + 4 : at + 4 + size])
        at += 4 + size
    assert at == len(body)
    return units


def annexb_units(data: bytes) -> list[bytes]:
    parts = data.split(b"\x00\x00\x01")
    return [p.rstrip(b"\x00") for p in parts[1:] if p.rstrip(b"\x00")]


def adts_payloads(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        assert data[at] == 0xFF and data[at + 1] & 0xF0 == 0xF0
        length = (data[at + 3] & 3) << 11 | data[at + 4] << 3 | data[at + 5] >> 5
        header = 7 if data[at + 1] & 1 else 9
        out.append(data[at + header : at + length])
        at += length
    return out


@dataclass(frozen=True)
class TsPackets:
    video: list[tuple[int, list[bytes]]]  # (dts in ms, NAL units)
    audio: list[tuple[int, bytes]]  # (dts in ms of the PES, raw AAC frame)


def ts_packets(data: bytes) -> TsPackets:
    video, audio = [], []
    with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
        for packet in container.demux():
            if not packet.size or packet.dts is None:
                continue
            ms = round(packet.dts * 1000 / 90000)
            if packet.stream.type == "video":
                video.append((ms, annexb_units(bytes(packet))))
            else:
                audio += [(ms, frame) for frame in adts_payloads(bytes(packet))]
    return TsPackets(video, audio)


def goertzel_power(samples: list[float], rate: int, freq: float) -> float:
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def decoded_audio(path: str | io.BytesIO) -> tuple[int, float, list[float]]:
    """(rate, start time in s, mono samples) of a file's first audio stream, decoded."""
    samples: list[float] = []
    start: float | None = None
    with av.open(path) as container:
        rate = container.streams.audio[0].codec_context.sample_rate
        for frame in container.decode(audio=0):
            if start is None:
                start = float(frame.time or 0.0)
            # Read the float plane directly: numpy may be absent.
            assert frame.format.name == "fltp"
            raw = bytes(frame.planes[0])[: frame.samples * 4]
            samples += struct.unpack(f"<{frame.samples}f", raw)
    assert start is not None
    return rate, start, samples
