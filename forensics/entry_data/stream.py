"""The data of ``capture.stream`` (a live stream's media as received, remuxed from a
sealed traffic segment by ``forensics.stream.periods``) and ``capture.chat`` (the live
room's chat read from the same segment's websocket messages, ``forensics.stream.items``).

Both name their parent (the traffic segment's item), the traffic period and the screen
recording segments that share time with it. The technical parts (media, tool, flv,
mpegts, the chat's socket URLs) are kept as recorded; what readers read is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forensics.entry_data.derive import Parent
from forensics.entry_data.fields import count, integer, obj, plain, strings, text


def _objects(value: object) -> tuple[dict[str, Any], ...]:
    return tuple(plain(v) for v in (value if isinstance(value, list) else ()) if obj(v))


@dataclass(frozen=True)
class StreamPeriod:
    """The traffic segment the item was read from and its start and end (RFC 3339)."""

    traffic_segment: str
    started: str
    ended: str

    def to_json(self) -> dict[str, Any]:
        return {
            "traffic_segment": self.traffic_segment,
            "started": self.started,
            "ended": self.ended,
        }

    @classmethod
    def from_json(cls, raw: object) -> StreamPeriod:
        d = obj(raw)
        return cls(text(d.get("traffic_segment")), text(d.get("started")), text(d.get("ended")))


@dataclass(frozen=True)
class RecordingOverlap:
    """A ``capture.video`` entry sharing time with the item, when it was sealed."""

    seq: int | None
    recording: str
    segment: int | None
    path: str | None  # None when the video entry has no item
    overlap_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "recording": self.recording,
            "segment": self.segment,
            "path": self.path,
            "overlap_ms": self.overlap_ms,
        }

    @classmethod
    def from_json(cls, raw: object) -> RecordingOverlap:
        d = obj(raw)
        path = d.get("path")
        return cls(
            seq=integer(d.get("seq")),
            recording=text(d.get("recording")),
            segment=integer(d.get("segment")),
            path=path if isinstance(path, str) else None,
            overlap_ms=count(d.get("overlap_ms")),
        )


def _overlaps(value: object) -> tuple[RecordingOverlap, ...]:
    return tuple(RecordingOverlap.from_json(o) for o in _objects(value))


@dataclass(frozen=True)
class StreamSource:
    """One WARC response part the stream's bytes came from: the segment file, the record
    and the payload's byte range; the rest of the part's record (origin, number, date,
    truncated) is kept as recorded."""

    segment: str
    record_id: str
    uri: str
    payload_from: int | None
    payload_to: int | None
    part: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            **self.part,
            "record_id": self.record_id,
            "uri": self.uri,
            "payload_from": self.payload_from,
            "payload_to": self.payload_to,
        }

    @classmethod
    def from_json(cls, raw: object) -> StreamSource:
        d = obj(raw)
        typed = ("segment", "record_id", "uri", "payload_from", "payload_to")
        return cls(
            segment=text(d.get("segment")),
            record_id=text(d.get("record_id")),
            uri=text(d.get("uri")),
            payload_from=integer(d.get("payload_from")),
            payload_to=integer(d.get("payload_to")),
            part={k: v for k, v in d.items() if k not in typed},
        )


@dataclass(frozen=True)
class StreamData:
    """``capture.stream``: ``forensics.stream.periods`` (how it was remuxed, from which
    parts) with ``forensics.stream.items.stream_data`` (parent, period, overlap)."""

    derivation: str
    container: str  # "flv" or "mpegts"
    stream_url: str
    response_record: str
    response_date: str
    sources: tuple[StreamSource, ...]
    media: dict[str, Any]  # packets, first/last stream time (forensics.stream.remux)
    tool: dict[str, Any]
    reason: str = ""
    parent: Parent | None = None
    period: StreamPeriod | None = None
    recording_overlap: tuple[RecordingOverlap, ...] = ()
    flv: dict[str, Any] | None = None  # an FLV stream's splitting record
    mpegts: dict[str, Any] | None = None  # an HLS stream's segments and bytes
    kind: str = "stream"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "derivation": self.derivation,
            "kind": self.kind,
            "container": self.container,
            "stream_url": self.stream_url,
            "response_record": self.response_record,
            "response_date": self.response_date,
            "sources": [s.to_json() for s in self.sources],
            "media": dict(self.media),
            "tool": dict(self.tool),
        }
        if self.flv is not None:
            out["flv"] = dict(self.flv)
        if self.mpegts is not None:
            out["mpegts"] = dict(self.mpegts)
        if self.parent is not None:  # written once the parent is known (stream_data)
            out["reason"] = self.reason
            out["parent"] = self.parent.to_json()
            out["parent_sha256"] = self.parent.sha256
            out["period"] = (self.period or StreamPeriod("", "", "")).to_json()
            out["recording_overlap"] = [o.to_json() for o in self.recording_overlap]
        return out

    @classmethod
    def from_json(cls, raw: object) -> StreamData:
        d = obj(raw)
        flv, mpegts = d.get("flv"), d.get("mpegts")
        return cls(
            derivation=text(d.get("derivation")),
            kind=text(d.get("kind")),
            container=text(d.get("container")),
            stream_url=text(d.get("stream_url")),
            response_record=text(d.get("response_record")),
            response_date=text(d.get("response_date")),
            sources=tuple(StreamSource.from_json(s) for s in _objects(d.get("sources"))),
            media=plain(d.get("media")),
            tool=plain(d.get("tool")),
            reason=text(d.get("reason")),
            parent=Parent.from_json(d.get("parent")) if obj(d.get("parent")) else None,
            period=StreamPeriod.from_json(d.get("period")) if obj(d.get("period")) else None,
            recording_overlap=_overlaps(d.get("recording_overlap")),
            flv=plain(flv) if obj(flv) else None,
            mpegts=plain(mpegts) if obj(mpegts) else None,
        )


@dataclass(frozen=True)
class ChatMessageData:
    """One chat message as ``forensics.stream.chat.ChatMessageData.record`` writes it."""

    time: str  # when it passed the recording proxy (WARC-Date, UTC)
    stream_ms: int | None
    kind: str  # comment, gift, order, enter, …
    user: str
    text: str
    platform_kind: str
    record_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "stream_ms": self.stream_ms,
            "kind": self.kind,
            "user": self.user,
            "text": self.text,
            "platform_kind": self.platform_kind,
            "record_id": self.record_id,
        }

    @classmethod
    def from_json(cls, raw: object) -> ChatMessageData | None:
        d = obj(raw)
        if not d:
            return None
        return cls(
            time=text(d.get("time")),
            stream_ms=integer(d.get("stream_ms")),
            kind=text(d.get("kind")),
            user=text(d.get("user")),
            text=text(d.get("text")),
            platform_kind=text(d.get("platform_kind")),
            record_id=text(d.get("record_id")),
        )


@dataclass(frozen=True)
class ChatData:
    """``capture.chat``: the messages read from one traffic segment (the items are their
    JSON and CSV), counted per kind, with the first and the last."""

    derivation: str
    reason: str
    parent: Parent
    period: StreamPeriod
    format: str
    count: int
    by_kind: dict[str, int]
    first: ChatMessageData | None
    last: ChatMessageData | None
    sockets: tuple[str, ...]  # the chat sockets' URLs
    parser: str
    message_records: int
    not_chat: int  # server messages that were not chat (hello, pong, unknown frames)
    recording_overlap: tuple[RecordingOverlap, ...] = ()
    kind: str = "chat"

    def to_json(self) -> dict[str, Any]:
        return {
            "derivation": self.derivation,
            "kind": self.kind,
            "reason": self.reason,
            "parent": self.parent.to_json(),
            "parent_sha256": self.parent.sha256,
            "period": self.period.to_json(),
            "format": self.format,
            "count": self.count,
            "by_kind": dict(self.by_kind),
            "first": self.first.to_json() if self.first is not None else None,
            "last": self.last.to_json() if self.last is not None else None,
            "sockets": list(self.sockets),
            "parser": self.parser,
            "message_records": self.message_records,
            "not_chat": self.not_chat,
            "recording_overlap": [o.to_json() for o in self.recording_overlap],
        }

    @classmethod
    def from_json(cls, raw: object) -> ChatData:
        d = obj(raw)
        parent = Parent.from_json(d.get("parent"))
        if not parent.sha256:
            parent = Parent(parent.seq, parent.path, text(d.get("parent_sha256")), parent.sm3)
        return cls(
            derivation=text(d.get("derivation")),
            kind=text(d.get("kind")),
            reason=text(d.get("reason")),
            parent=parent,
            period=StreamPeriod.from_json(d.get("period")),
            format=text(d.get("format")),
            count=count(d.get("count")),
            by_kind={
                k: n for k, v in obj(d.get("by_kind")).items() if (n := integer(v)) is not None
            },
            first=ChatMessageData.from_json(d.get("first")),
            last=ChatMessageData.from_json(d.get("last")),
            sockets=strings(d.get("sockets")),
            parser=text(d.get("parser")),
            message_records=count(d.get("message_records")),
            not_chat=count(d.get("not_chat")),
            recording_overlap=_overlaps(d.get("recording_overlap")),
        )
