"""The HTTP-FLV variant's muxing: FLV structure, timestamps across segments, the same H.264
and AAC packets as the MPEG-TS segments, and the claim tones in the sound."""

from __future__ import annotations

import itertools
import struct
from functools import cache
from pathlib import Path

import av
import pytest

from forensics.range import build_content, read_marker
from forensics.range.content import StreamPlan
from forensics.range.flv import FlvWriter, remux_ts, tag_bytes
from forensics.range.video import TICK_HZ, audio_frames, claim_tone_hz, encode_ts_segment
from tests.forensics.range.conftest import SEED
from tests.forensics.range.flvread import (
    decoded_audio,
    goertzel_power,
    nal_units_of_avc_tag,
    read_flv,
    ts_packets,
)

PLAN: StreamPlan = build_content(SEED).stream
FIRST = 5  # stream seconds 10-16: three segments


@cache
def ts(number: int) -> bytes:
    return encode_ts_segment(PLAN, number)


def flv_of(numbers: range) -> bytes:
    writer = FlvWriter()
    data = writer.start(remux_ts(ts(numbers[0])))
    for n in numbers:
        data += b"".join(chunk for _, chunk in writer.segment(remux_ts(ts(n))))
    return data


@pytest.fixture(scope="module")
def three() -> bytes:
    return flv_of(range(FIRST, FIRST + 3))


def test_header_metadata_and_sequence_headers(three: bytes) -> None:
    tags, used = read_flv(three)
    assert used == len(three)  # whole tags only, every PreviousTagSize right
    script, avc, aac = tags[:3]
    assert script.kind == 18 and script.timestamp == 0
    assert script.body.startswith(b"\x02\x00\x0aonMetaData\x08")
    for key in (b"width", b"height", b"framerate", b"videocodecid", b"audiocodecid"):
        assert key in script.body
    # AVC sequence header: key frame, AVC, packet type 0, then the decoder configuration
    # holding the TS stream's own SPS and PPS.
    assert avc.kind == 9 and avc.body[:5] == b"\x17\x00\x00\x00\x00"
    config = avc.body[5:]
    assert config[0] == 1 and config[4] == 0xFF and config[5] == 0xE1
    sps_len = struct.unpack(">H", config[6:8])[0]
    sps = config[8 : 8 + sps_len]
    pps = config[8 + sps_len + 3 :]
    first_key = ts_packets(ts(FIRST)).video[0][1]
    assert sps in first_key and pps in first_key
    assert config[1:4] == sps[1:4]  # profile, compatibility, level
    # AAC sequence header: AudioSpecificConfig = AAC LC, 22050 Hz, mono.
    assert aac.kind == 8 and aac.body[:2] == b"\xaf\x00"
    asc = int.from_bytes(aac.body[2:4], "big")
    assert (asc >> 11, asc >> 7 & 15, asc >> 3 & 15) == (2, 7, 1)
    assert avc.timestamp == aac.timestamp == tags[3].timestamp


def test_timestamps_monotonic_and_continuous_across_segments(three: bytes) -> None:
    tags, _ = read_flv(three)
    media = tags[3:]
    video = [t.timestamp for t in media if t.kind == 9]
    audio = [t.timestamp for t in media if t.kind == 8]
    fps, seg = PLAN.fps, PLAN.segment_s
    # Every frame of the three segments, 100 ms apart, with no gap at the joins.
    assert video == [(FIRST * seg * fps + i) * 1000 // fps for i in range(3 * seg * fps)]
    # AAC: one frame per 1024 samples at 22050 Hz (46.4 ms) from the first segment's
    # priming frame on; later segments' priming frames are dropped (no repeat, no gap).
    frames = [*audio_frames(PLAN, FIRST), *audio_frames(PLAN, FIRST + 2)]
    first, last = frames[0] - 1, frames[-1]
    expected = [k * 1024 * 1000 / 22050 for k in range(first, last + 1)]
    assert len(audio) == len(expected)  # (the TS's 90 kHz clock rounds: within 1 ms)
    assert all(abs(a - e) <= 1 for a, e in zip(audio, expected, strict=True))
    steps = {b - a for a, b in itertools.pairwise(audio)}
    assert steps <= {46, 47}
    # Decode order in the file: timestamps never go back.
    stamps = [t.timestamp for t in media]
    assert stamps == sorted(stamps)


def test_tag_timestamp_extension_and_size() -> None:
    five_hours = 5 * 3600 * 1000  # above 2**24 ms: the upper byte goes in TimestampExtended
    raw = tag_bytes(9, five_hours, b"abc")
    assert raw[0] == 9 and raw[1:4] == b"\x00\x00\x03"
    assert int.from_bytes(raw[4:7], "big") | raw[7] << 24 == five_hours
    assert raw[7] == five_hours >> 24 and raw[-4:] == struct.pack(">I", 14)


def test_same_packets_as_the_ts_segments(three: bytes) -> None:
    """Remuxed, not re-encoded: every H.264 access unit's NAL units and every AAC frame of
    the FLV are byte for byte those of the MPEG-TS segment for the same stream time."""
    tags, _ = read_flv(three)
    flv_video = {t.timestamp: nal_units_of_avc_tag(t.body) for t in tags[3:] if t.kind == 9}
    flv_audio = [t.body[2:] for t in tags[3:] if t.kind == 8]
    assert all(t.body[:2] == b"\xaf\x01" for t in tags[3:] if t.kind == 8)
    ts_audio: list[bytes] = []
    for n in range(FIRST, FIRST + 3):
        packets = ts_packets(ts(n))
        assert len(packets.video) == PLAN.segment_s * PLAN.fps
        for ms, units in packets.video:
            assert flv_video[ms] == units
        frames = [frame for _, frame in packets.audio]
        ts_audio += frames if n == FIRST else frames[1:]  # later priming frames dropped
    assert flv_audio == ts_audio


def test_pyav_plays_the_flv(three: bytes, tmp_path: Path) -> None:
    path = tmp_path / "three.flv"
    path.write_bytes(three)
    with av.open(str(path)) as container:
        assert container.format.name == "flv"
        assert {s.codec_context.name for s in container.streams} == {"h264", "aac"}
        markers = [read_marker(f.to_image()) for f in container.decode(video=0)]
    frames = [m.frame for m in markers if m is not None]
    start = FIRST * PLAN.segment_s * PLAN.fps
    assert frames == list(range(start, start + 3 * PLAN.segment_s * PLAN.fps))
    rate, begin, samples = decoded_audio(str(path))
    priming = (audio_frames(PLAN, FIRST)[0] - 1) * 1024 / rate
    assert rate == 22050 and abs(begin - priming) < 0.002
    assert len(samples) >= 3 * PLAN.segment_s * rate


def test_claim_tones_are_distinct_whole_hz() -> None:
    tones = [claim_tone_hz(c) for c in PLAN.claims]
    assert all(isinstance(t, int) for t in tones)
    assert len(set(tones)) == len(tones) and claim_tone_hz(None) not in tones
    assert TICK_HZ not in tones


@pytest.mark.parametrize("claim_id", [0, *range(1, 7)])
def test_the_sound_says_which_claim_is_on_screen(claim_id: int, tmp_path: Path) -> None:
    """Decode the FLV of a segment while a claim is shown (or none is) and find the drone
    by Goertzel filters: its pitch is ``claim_tone_hz`` of the claim the picture shows."""
    claim = PLAN.claim(claim_id) if claim_id else None
    second = claim.start_s + 2 if claim else PLAN.claims[0].start_s - 3
    assert PLAN.claim_at(second) == claim and PLAN.claim_at(second + 0.99) == claim
    number = second // PLAN.segment_s
    path = tmp_path / "one.flv"
    path.write_bytes(flv_of(range(number, number + 1)))

    with av.open(str(path)) as container:
        ids = {
            m.claim_id
            for f in container.decode(video=0)
            if (m := read_marker(f.to_image())) and second <= m.frame / PLAN.fps < second + 1
        }
    assert ids == {claim_id}

    rate, begin, samples = decoded_audio(str(path))
    # The middle of that second: clear of the tick (first 80 ms) and of segment joins.
    lo = round((second + 0.15 - begin) * rate)
    window = samples[lo : lo + round(0.75 * rate)]
    candidates = sorted({claim_tone_hz(c) for c in (None, *PLAN.claims)})
    power = {hz: goertzel_power(window, rate, hz) for hz in candidates}
    loudest = max(power, key=lambda hz: power[hz])
    assert loudest == claim_tone_hz(claim)
    others = sorted(power.values())[-2]
    assert power[loudest] > 100 * others  # one clear tone, not a mixture
