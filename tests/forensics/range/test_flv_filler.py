"""The load-test knob of the HTTP-FLV stream: filler NAL units bring it to a real room's
bitrate (8 Mbit/s) while the picture and sound packets stay those of the TS segments."""

from __future__ import annotations

import io

import av

from forensics.range import build_content
from forensics.range.flv import FlvWriter, filler_per_frame, remux_ts
from forensics.range.video import encode_ts_segment
from tests.forensics.range.conftest import SEED
from tests.forensics.range.flvread import nal_units_of_avc_tag, read_flv

PLAN = build_content(SEED).stream


def _flv(filler: int, first: int = 3, count: int = 2) -> bytes:
    writer = FlvWriter(filler=filler)
    segments = [remux_ts(encode_ts_segment(PLAN, n)) for n in range(first, first + count)]
    data = writer.start(segments[0])
    for tags in segments:
        data += b"".join(chunk for _, chunk in writer.segment(tags))
    return data


def test_filler_reaches_the_bitrate_and_keeps_the_packets() -> None:
    per_frame = filler_per_frame(8000, PLAN.fps)
    assert per_frame == 8_000_000 // 8 // PLAN.fps
    plain, padded = _flv(0), _flv(per_frame)
    seconds = 2 * PLAN.segment_s
    assert len(padded) * 8 / seconds >= 8_000_000
    plain_tags, _ = read_flv(plain)
    padded_tags, used = read_flv(padded)
    assert used == len(padded) and len(plain_tags) == len(padded_tags)
    for a, b in zip(plain_tags, padded_tags, strict=True):
        assert (a.kind, a.timestamp) == (b.kind, b.timestamp)
        if a.kind == 9 and a.body[1] == 1:  # AVC NALU tags: the same units, then filler
            units = nal_units_of_avc_tag(b.body)
            assert units[:-1] == nal_units_of_avc_tag(a.body)
            filler = units[-1]
            assert filler[0] & 0x1F == 12 and len(filler) == per_frame
            assert set(filler[1:-1]) == {0xFF} and filler[-1] == 0x80
        else:
            assert a.body == b.body

    # Decoders skip the filler: the same pictures come out.
    def frames(data: bytes) -> int:
        with av.open(io.BytesIO(data), mode="r", format="flv") as container:
            return len(list(container.decode(video=0)))

    assert frames(padded) == frames(plain) == 2 * PLAN.segment_s * PLAN.fps
