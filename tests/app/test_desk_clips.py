"""Where a sealed stream item and a recording segment sit on the wall clock
(``app.desk.clips``), read from the entries a capture session's hook sealed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from app.desk.clips import overlapping_recordings, recording_clip, stream_clip
from app.desk.timeline import timeline_rows
from tests.conftest import World
from tests.forensics.report.builders import FullCase
from tests.forensics.stream.test_report_section import seal_room_traffic


def test_a_stream_is_placed_by_arrival_and_its_own_clock(
    full: FullCase, world: World, tmp_path: Path
) -> None:
    seal_room_traffic(full.case, world, tmp_path)
    rows = timeline_rows(full.case.ledger.records())
    (row,) = [r for r in rows if r.kind == "capture.stream"]
    video = next(r for r in rows if r.seq == full.records["video"].seq)
    # The range's FLV: one audio tag at 7988 ms came before the first key frame (not
    # copied), the MP4's first packet is at 8000 ms and its last at 15975 ms; the response
    # began before the period (11:29:59 UTC), so the period's first tag arrived then.
    flv, media = row.data["flv"], row.data["media"]
    assert flv["lead_not_copied"]["first_ms"] == 7988 and media["stream_first_ms"] == 8000
    assert media["stream_last_ms"] == 15975
    clip = stream_clip(row)
    assert clip is not None and clip.item == row.items[0]
    assert clip.start == datetime.fromisoformat("2026-11-28T11:29:59.012+00:00")
    assert clip.end - clip.start == timedelta(milliseconds=7975)
    assert clip.position_ms(clip.start + timedelta(seconds=2)) == 2000
    assert clip.position_ms(clip.start - timedelta(milliseconds=1)) is None
    assert clip.position_ms(clip.end + timedelta(milliseconds=1)) is None

    # A response that began inside the period: its first tag arrived when it began.
    began = "2026-11-28T11:30:00.500000Z"
    opened = stream_clip(replace(row, data={**row.data, "response_date": began}))
    assert opened is not None
    assert opened.start == datetime.fromisoformat("2026-11-28T11:30:00.512+00:00")

    # The recording segment runs from its start to its end; it shares the period's time.
    shown = recording_clip(video)
    assert shown is not None
    assert (shown.start, shown.end) == (
        datetime.fromisoformat("2026-11-28T11:30:00+00:00"),
        datetime.fromisoformat("2026-11-28T11:30:02+00:00"),
    )
    assert overlapping_recordings(row, rows) == [shown]
    assert stream_clip(replace(row, data={**row.data, "media": {}})) is None
