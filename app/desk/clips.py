"""Sealed media files placed on the wall clock, so that a screen-recording segment
(``capture.video``) and the live stream as received (``capture.stream``) can be played
side by side for the same moment (``ui/viewers/side_by_side.py``).

Where each file starts is read from its ledger entry, never guessed from the file:

- a recording segment's file starts at the segment's ``started`` and ends at its ``ended``;
- a stream item's MP4 keeps the stream's own clock (docs/package-format.md §4.5) and a player
  counts from its first packet (``media.stream_first_ms``). The period's first tag arrived
  when the period began (``period.started``), or when the response began if that was later
  (a stream opened during the period): that tag is the earliest of the period's own tags,
  copied or not (``flv.copied``, ``flv.lead_not_copied``); an HLS item has no tag record and
  its first packet is taken. Packets carried from the previous period come before it. The
  mapping follows the stream's clock: after a jump of that clock (``flv.clock_jumps_ms``)
  the rest of the file is placed by the clock, not by arrival.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.desk.timeline import ItemRef, TimelineRow
from forensics.entries import int_of, mapping
from forensics.entry_data import StreamData, VideoData
from forensics.stream.items import overlap_ms, parse_when

STREAM_KIND = "capture.stream"
VIDEO_KIND = "capture.video"


@dataclass(frozen=True)
class Clip:
    """A sealed media file (``item`` of entry ``seq``) whose position 0 is ``start``."""

    seq: int
    item: ItemRef
    start: datetime
    end: datetime

    def position_ms(self, when: datetime) -> int | None:
        """Milliseconds into the file at wall-clock ``when``; None outside the file."""
        if not self.start <= when <= self.end:
            return None
        return round((when - self.start) / timedelta(milliseconds=1))


def recording_clip(row: TimelineRow) -> Clip | None:
    """A recording segment's file on the wall clock (None without a file or times)."""
    video = VideoData.from_json(row.data)
    start, end = parse_when(video.started), parse_when(video.ended)
    if not row.items or start is None or end is None or end < start:
        return None
    return Clip(row.seq, row.items[0], start, end)


def stream_clip(row: TimelineRow) -> Clip | None:
    """A stream item's MP4 on the wall clock (None without a file, period or packets)."""
    stream = StreamData.from_json(row.data)
    period = _span(stream.period.started, stream.period.ended) if stream.period else None
    first = int_of(stream.media.get("stream_first_ms"))
    last = int_of(stream.media.get("stream_last_ms"))
    if not row.items or period is None or first is None or last is None or last < first:
        return None
    arrived = period[0]
    opened = parse_when(stream.response_date)
    if opened is not None and period[0] < opened <= period[1]:
        arrived = opened
    start = arrived - timedelta(milliseconds=_first_tag_ms(stream.flv, first) - first)
    return Clip(row.seq, row.items[0], start, start + timedelta(milliseconds=last - first))


def overlapping_recordings(stream: TimelineRow, rows: Iterable[TimelineRow]) -> list[Clip]:
    """The recording segments that share time with the stream item's period, worked out
    from both entries' times as the report does (so segments sealed after it count too)."""
    data = StreamData.from_json(stream.data)
    period = _span(data.period.started, data.period.ended) if data.period else None
    if period is None:
        return []
    out = []
    for row in rows:
        clip = recording_clip(row) if row.kind == VIDEO_KIND else None
        if clip is not None and overlap_ms(period, (clip.start, clip.end)) > 0:
            out.append(clip)
    return out


def _first_tag_ms(flv: Mapping[str, Any] | None, fallback: int) -> int:
    """The stream time of the period's first tag as received (FLV), else ``fallback``."""
    firsts = [
        ms
        for part in ("lead_not_copied", "copied")
        if (ms := int_of(mapping(mapping(flv).get(part)).get("first_ms"))) is not None
    ]
    return min(firsts, default=fallback)


def _span(started: str, ended: str) -> tuple[datetime, datetime] | None:
    start, end = parse_when(started), parse_when(ended)
    if start is None or end is None or end < start:
        return None
    return start, end
