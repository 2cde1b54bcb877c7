"""The data of ``derive`` entries: an item made from another sealed item (its parent),
named by hash — a transcript of a recording, the HAR view of a WARC segment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, flag, integer, obj, plain, text

TRANSCRIPT = "transcript"


@dataclass(frozen=True)
class Parent:
    """The sealed item a derived item was made from: its entry, package path and digests."""

    seq: int | None
    path: str
    sha256: str
    sm3: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "path": self.path, "sha256": self.sha256, "sm3": self.sm3}

    @classmethod
    def from_json(cls, raw: object) -> Parent:
        d = obj(raw)
        return cls(
            integer(d.get("seq")), text(d.get("path")), text(d.get("sha256")), text(d.get("sm3"))
        )

    @classmethod
    def of_item(cls, seq: int, item: Mapping[str, Any]) -> Parent:
        """The parent from a ledger item (``path``, ``sha256``, ``sm3``) sealed by entry ``seq``."""
        return cls(seq, str(item["path"]), str(item["sha256"]), str(item["sm3"]))


@dataclass(frozen=True)
class Derived:
    """What every ``derive`` entry says, as every reader reads it."""

    derivation: str  # how it was made: "transcript", "har-1.2 from warc", …
    kind: str  # what it is, for labels: "transcript", "har" (the derivation when unnamed)
    reason: str
    parent: Parent
    format: str

    @classmethod
    def from_json(cls, raw: object) -> Derived:
        d = obj(raw)
        parent = Parent.from_json(d.get("parent"))
        if not parent.sha256:  # an entry written before ``parent`` held the digests
            parent = Parent(parent.seq, parent.path, text(d.get("parent_sha256")), parent.sm3)
        return cls(
            derivation=text(d.get("derivation")),
            kind=text(d.get("kind")) or text(d.get("derivation")),
            reason=text(d.get("reason")),
            parent=parent,
            format=text(d.get("format")),
        )


@dataclass(frozen=True)
class TranscriptLine:
    start_ms: int
    end_ms: int
    speaker: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "speaker": self.speaker,
            "text": self.text,
        }


@dataclass(frozen=True)
class TranscriptData:
    """A transcript an officer typed of a recording segment (``app.desk.transcript``)."""

    reason: str
    language: str
    parent: Parent
    lines: tuple[TranscriptLine, ...]
    format: str = "text/vtt"
    typed_by_officer: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "derivation": TRANSCRIPT,
            "reason": self.reason,
            "language": self.language,
            "parent": self.parent.to_json(),
            "format": self.format,
            "lines": [line.to_json() for line in self.lines],
            "typed_by_officer": self.typed_by_officer,
        }

    @classmethod
    def from_json(cls, raw: object) -> TranscriptData:
        d = obj(raw)
        base = Derived.from_json(d)
        lines = d.get("lines")
        return cls(
            reason=base.reason,
            language=text(d.get("language")),
            parent=base.parent,
            lines=tuple(
                TranscriptLine(
                    count(x.get("start_ms")),
                    count(x.get("end_ms")),
                    text(x.get("speaker")),
                    text(x.get("text")),
                )
                for x in (obj(v) for v in (lines if isinstance(lines, list) else []))
            ),
            format=base.format,
            typed_by_officer=flag(d.get("typed_by_officer")),
        )


@dataclass(frozen=True)
class HarData:
    """The HAR 1.2 view of a sealed WARC segment (``forensics.har_derive``)."""

    derivation: str
    kind: str
    reason: str
    parent: Parent
    format: str
    tool: dict[str, Any]  # the converter: name, version, module
    max_body_bytes: int
    entries: int
    sensitive_entries: int
    websocket_messages: int
    websocket_not_embedded: int
    websocket_not_listed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "derivation": self.derivation,
            "kind": self.kind,
            "reason": self.reason,
            "parent": self.parent.to_json(),
            # Written since the first HAR entries, for readers of that time.
            "parent_sha256": self.parent.sha256,
            "format": self.format,
            "tool": dict(self.tool),
            "max_body_bytes": self.max_body_bytes,
            "entries": self.entries,
            "sensitive_entries": self.sensitive_entries,
            "websocket_messages": self.websocket_messages,
            "websocket_not_embedded": self.websocket_not_embedded,
            "websocket_not_listed": self.websocket_not_listed,
        }

    @classmethod
    def from_json(cls, raw: object) -> HarData:
        d = obj(raw)
        base = Derived.from_json(d)
        return cls(
            derivation=text(d.get("derivation")),
            kind=text(d.get("kind")),
            reason=base.reason,
            parent=base.parent,
            format=base.format,
            tool=plain(d.get("tool")),
            max_body_bytes=count(d.get("max_body_bytes")),
            entries=count(d.get("entries")),
            sensitive_entries=count(d.get("sensitive_entries")),
            websocket_messages=count(d.get("websocket_messages")),
            websocket_not_embedded=count(d.get("websocket_not_embedded")),
            websocket_not_listed=count(d.get("websocket_not_listed")),
        )
