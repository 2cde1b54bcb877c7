"""The live stream: a sliding HLS playlist on the range clock, played back with PyAV.
(The HTTP-FLV variant: test_flv.py and test_live_player.py.)"""

from __future__ import annotations

import io
import re
from pathlib import Path

import av
from PIL import Image

from forensics.range import LIVE_HOST, RangeServer, read_marker
from forensics.range.video import encode_ts_segment
from tests.forensics.range.conftest import FakeClock, Get


def parse_playlist(text: str) -> tuple[int, list[int]]:
    sequence = int(re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)$", text, re.M)[1])  # type: ignore[index]
    numbers = [int(n) for n in re.findall(r"^seg/(\d+)\.ts$", text, re.M)]
    return sequence, numbers


def test_playlist_starts_with_preroll_and_slides_with_the_clock(
    server: RangeServer, get: Get, clock: FakeClock
) -> None:
    plan = server.content.stream
    first = get(LIVE_HOST, "/hls/live.m3u8")
    assert first.header("content-type") == "application/vnd.apple.mpegurl"
    assert first.header("cache-control") == "no-cache"
    text = first.text
    assert text.startswith("#EXTM3U\n") and "#EXT-X-ENDLIST" not in text
    assert f"#EXT-X-TARGETDURATION:{plan.segment_s}" in text
    sequence, numbers = parse_playlist(text)
    assert (sequence, numbers) == (0, [0, 1, 2])  # 6 s of pre-roll: three segments
    assert text.count("#EXT-X-PROGRAM-DATE-TIME:") == 3
    clock.advance(20)
    sequence, numbers = parse_playlist(get(LIVE_HOST, "/hls/live.m3u8").text)
    assert numbers == list(range(7, 13)) and sequence == 7
    assert get(LIVE_HOST, "/hls/seg/13.ts").status == 404  # not yet published
    assert get(LIVE_HOST, "/hls/seg/12.webm").status == 404


def test_play_hls_with_pyav_and_find_the_claim(
    server: RangeServer, get: Get, clock: FakeClock, tmp_path: Path
) -> None:
    """Mirror the live playlist and its segments, play them with FFmpeg's HLS demuxer,
    and read the frame markers: the first claim must be on screen from its start time."""
    plan = server.content.stream
    claim = plan.claims[0]
    assert claim.text == "正品保证"
    # The next showing of the claim still ahead of the live edge (the schedule loops).
    assert server.timeline is not None
    now_s = int(server.timeline.stream_seconds())
    start = next(
        s
        for s, _, c in plan.occurrences(now_s, now_s + 2 * plan.loop_s)
        if c == claim and s > now_s
    )
    # Move the clock so the newest segments span the claim's start.
    target_edge = (start + 4) // plan.segment_s
    clock.advance((target_edge + 1) * plan.segment_s - server.timeline.stream_seconds())
    playlist = get(LIVE_HOST, "/hls/live.m3u8").text
    _, numbers = parse_playlist(playlist)
    wanted = [n for n in numbers if (n + 1) * plan.segment_s > start - 2][:3]
    assert wanted and wanted[0] * plan.segment_s < start
    mirror = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    mirror += f"#EXT-X-MEDIA-SEQUENCE:{wanted[0]}\n"
    (tmp_path / "seg").mkdir()
    for n in wanted:
        segment = get(LIVE_HOST, f"/hls/seg/{n}.ts")
        assert segment.status == 200 and segment.header("content-type") == "video/mp2t"
        (tmp_path / "seg" / f"{n}.ts").write_bytes(segment.body)
        mirror += f"#EXTINF:2.000,\nseg/{n}.ts\n"
    (tmp_path / "live.m3u8").write_text(mirror + "#EXT-X-ENDLIST\n")

    seen: list[tuple[float, int, int]] = []
    with av.open(str(tmp_path / "live.m3u8")) as container:
        assert {s.type for s in container.streams} == {"video", "audio"}
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert container.streams.audio[0].codec_context.name == "aac"
        for frame in container.decode(video=0):
            marker = read_marker(frame.to_image())
            assert marker is not None
            assert frame.time is not None
            seen.append((frame.time, marker.frame, marker.claim_id))
    assert len(seen) == len(wanted) * plan.segment_s * plan.fps  # no frame lost
    frames = [f for _, f, _ in seen]
    assert frames == list(range(frames[0], frames[0] + len(frames)))  # contiguous
    for time, frame, claim_id in seen:
        assert abs(time - frame / plan.fps) < 1e-6  # timestamps follow the stream clock
        stream_s = frame / plan.fps
        expected = plan.claim_at(stream_s)
        assert claim_id == (expected.claim_id if expected else 0)
    shown = [frame / plan.fps for _, frame, claim_id in seen if claim_id == claim.claim_id]
    assert shown and min(shown) == start


def test_segments_are_deterministic(server: RangeServer, get: Get) -> None:
    body = get(LIVE_HOST, "/hls/seg/1.ts").body
    assert body == encode_ts_segment(server.content.stream, 1)


def test_no_webm_variant(get: Get) -> None:
    # Real platforms serve H.264 + AAC only (HTTP-FLV and HLS); the range no longer offers
    # a WebM copy of the stream.
    assert get(LIVE_HOST, "/webm/2.webm").status == 404
    assert get(LIVE_HOST, "/hls/seg/2.webm").status == 404


def test_still_frames(server: RangeServer, get: Get) -> None:
    plan = server.content.stream
    frame = plan.claims[0].start_s * plan.fps + 5
    reply = get(LIVE_HOST, f"/frames/{frame}.jpg")
    assert reply.status == 200
    marker = read_marker(Image.open(io.BytesIO(reply.body)))
    assert marker is not None and (marker.claim_id, marker.frame) == (1, frame)
    assert get(LIVE_HOST, f"/frames/{10**8}.jpg").status == 404
