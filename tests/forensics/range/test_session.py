"""A ten-minute live session on the injected clock: the playlist never skips a segment."""

from __future__ import annotations

import io
import itertools
import re
from datetime import datetime

import av

from forensics.range import LIVE_HOST, RangeServer, read_marker
from tests.forensics.range.conftest import FakeClock, Get

SESSION_S = 600


def test_ten_minute_session_has_no_gaps(server: RangeServer, get: Get, clock: FakeClock) -> None:
    plan = server.content.stream
    seen: set[int] = set()
    sequences = []
    stamps: dict[int, datetime] = {}
    # A player reloads the playlist about once per target duration; poll a little slower
    # than that (2.5 s) to show the window absorbs jitter.
    for _ in range(int(SESSION_S / 2.5) + 1):
        text = get(LIVE_HOST, "/hls/live.m3u8").text
        sequence = int(re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)$", text, re.M)[1])  # type: ignore[index]
        numbers = [int(n) for n in re.findall(r"^seg/(\d+)\.ts$", text, re.M)]
        dates = re.findall(r"^#EXT-X-PROGRAM-DATE-TIME:(.+)$", text, re.M)
        assert numbers[0] == sequence
        assert numbers == list(range(sequence, sequence + len(numbers)))
        for n, date in zip(numbers, dates, strict=True):
            stamp = datetime.fromisoformat(date)
            assert stamps.setdefault(n, stamp) == stamp  # a segment never changes its time
        sequences.append(sequence)
        seen.update(numbers)
        clock.advance(2.5)
    assert sequences == sorted(sequences)
    assert seen == set(range(min(seen), max(seen) + 1))  # contiguous: no gap
    assert max(seen) - min(seen) + 1 >= SESSION_S // plan.segment_s
    ordered = sorted(stamps.items())
    for (n0, t0), (n1, t1) in itertools.pairwise(ordered):
        assert (t1 - t0).total_seconds() == (n1 - n0) * plan.segment_s

    # The newest segment of the session plays and carries the right frame numbers.
    last = max(seen)
    body = get(LIVE_HOST, f"/hls/seg/{last}.ts").body
    with av.open(io.BytesIO(body), format="mpegts") as container:
        markers = [read_marker(f.to_image()) for f in container.decode(video=0)]
    first_frame = last * plan.segment_s * plan.fps
    assert [m.frame for m in markers if m] == list(range(first_frame, first_frame + len(markers)))
    assert len(markers) == plan.segment_s * plan.fps
    # Older segments stay available after they leave the window (for late fetchers).
    assert get(LIVE_HOST, f"/hls/seg/{min(seen)}.ts").status == 200
