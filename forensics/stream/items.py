"""The ledger data of the stream and chat items derived from a sealed traffic segment.

Both follow the derived-item pattern of transcripts and HARs (``derivation``, ``reason``,
``parent`` with the sealed WARC's ``seq``, ``path``, ``sha256`` and ``sm3``, and
``parent_sha256``), and add the period they cover (``period``: the traffic segment's
``started``/``ended``, as the proxy reported them) and the screen-recording segments
(``capture.video``) sealed so far that overlap it in time (``recording_overlap``: entry,
recording, segment, and how many milliseconds they share). A recording segment still open
when the item is sealed is not listed there; the report and the timeline work the overlap
out again from both entries' times, so they list it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from forensics.entries import Item
from forensics.entry_data import Parent, TrafficData, VideoData
from forensics.entry_data.stream import (
    ChatData,
    ChatMessageData,
    RecordingOverlap,
    StreamData,
    StreamPeriod,
)
from forensics.ledger import Record
from forensics.stream.chat import ChatMessage, ChatRead, chat_counts

STREAM_KIND: Final = "capture.stream"
CHAT_KIND: Final = "capture.chat"
STREAM_FOLDER: Final = "stream"
CHAT_FOLDER: Final = "chat"
CHAT_DERIVATION: Final = "chat from websocket messages"
CHAT_FORMAT: Final = (
    "JSON list of {time, stream_ms, kind, user, text, platform_kind, record_id}; "
    "the same as CSV (UTF-8 with BOM)"
)
STREAM_REASON: Final = (
    "the live stream as the server sent it during this traffic segment, its packets copied "
    "from the sealed WARC into a playable MP4 (no re-encoding); the WARC remains the evidence"
)
CHAT_REASON: Final = (
    "the live room's chat messages in this traffic segment, read from the sealed WebSocket "
    "records into a list people can read; the WARC remains the evidence"
)


def parse_when(text: object) -> datetime | None:
    """An RFC 3339 time from an entry's data (WARC-Date or the ledger's spelling)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def span_of(record: Record) -> tuple[datetime, datetime] | None:
    """``(started, ended)`` of an entry whose data has them (traffic, video, stream, chat)."""
    data = record.data
    period = data.get("period")
    source = period if isinstance(period, dict) else data
    start, end = parse_when(source.get("started")), parse_when(source.get("ended"))
    if start is None or end is None or end < start:
        return None
    return start, end


def overlap_ms(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> int:
    shared = (min(a[1], b[1]) - max(a[0], b[0])).total_seconds()
    return max(0, int(shared * 1000))


def overlaps(
    span: tuple[datetime, datetime] | None, videos: Iterable[Record]
) -> tuple[RecordingOverlap, ...]:
    """The ``capture.video`` entries among ``videos`` that share time with ``span``."""
    out: list[RecordingOverlap] = []
    if span is None:
        return ()
    for video in videos:
        if video.kind != "capture.video":
            continue
        other = span_of(video)
        if other is None:
            continue
        shared = overlap_ms(span, other)
        if shared > 0:
            segment = VideoData.from_json(video.data)
            out.append(
                RecordingOverlap(
                    seq=video.seq,
                    recording=segment.recording,
                    segment=segment.segment,
                    path=video.items[0].path if video.items else None,
                    overlap_ms=shared,
                )
            )
    return tuple(out)


def recording_overlap(
    span: tuple[datetime, datetime] | None, videos: Iterable[Record]
) -> list[dict[str, Any]]:
    """``overlaps`` as the ledger writes them."""
    return [o.to_json() for o in overlaps(span, videos)]


def parent_of(parent: Record, item: Item) -> Parent:
    return Parent(parent.seq, item.path, item.sha256, item.sm3)


def period_of(parent: Record) -> StreamPeriod:
    segment = TrafficData.from_json(parent.data)
    return StreamPeriod(segment.segment, segment.started, segment.ended)


def stream_data(
    derived: StreamData, parent: Record, item: Item, videos: Iterable[Record]
) -> dict[str, Any]:
    """``capture.stream`` data: ``derived`` (from ``StreamPeriods``) with its parent."""
    return replace(
        derived,
        reason=STREAM_REASON,
        parent=parent_of(parent, item),
        period=period_of(parent),
        recording_overlap=overlaps(span_of(parent), videos),
    ).to_json()


def chat_data(
    read: ChatRead, parent: Record, item: Item, videos: Iterable[Record]
) -> dict[str, Any]:
    """``capture.chat`` data for the chat read from ``item`` (sealed by ``parent``)."""
    msgs = read.messages
    return ChatData(
        derivation=CHAT_DERIVATION,
        reason=CHAT_REASON,
        parent=parent_of(parent, item),
        period=period_of(parent),
        format=CHAT_FORMAT,
        count=len(msgs),
        by_kind=chat_counts(msgs),
        first=_message(msgs[0]) if msgs else None,
        last=_message(msgs[-1]) if msgs else None,
        sockets=tuple(read.sockets),
        parser=read.parser,
        message_records=read.records,
        not_chat=read.ignored,
        recording_overlap=overlaps(span_of(parent), videos),
    ).to_json()


def _message(m: ChatMessage) -> ChatMessageData:
    return ChatMessageData(
        time=m.time, stream_ms=m.stream_ms, kind=m.kind, user=m.user, text=m.text,
        platform_kind=m.platform_kind, record_id=m.record_id,
    )  # fmt: skip
