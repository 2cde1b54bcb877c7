"""Ledger records as rows of the evidence timeline (seq, Beijing time, kind, files, hashes,
time-stamp state). Pure data: the item model in ``ui/`` shows these rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from forensics.canonical import BEIJING, parse_time
from forensics.entries import Item
from forensics.errors import InputError
from forensics.ledger import STAMPED_KINDS, Record


class StampState(StrEnum):
    STAMPED = "stamped"  # an RFC 3161 token over this entry is sealed
    QUEUED = "queued"  # a seal point still waiting for its token
    NONE = "none"  # not a seal point (covered by the next token in the chain)


ItemRef = Item  # one sealed file of an entry, as the ledger names it


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    time: str  # RFC 3339 UTC, as sealed
    kind: str
    hash: str
    actor: str
    badge: str
    session: str | None
    items: tuple[ItemRef, ...]
    stamp: StampState
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def beijing(self) -> str:
        return beijing_time(self.time)

    @property
    def size(self) -> int:
        return sum(i.size for i in self.items)

    @property
    def file_name(self) -> str:
        if not self.items:
            return ""
        more = len(self.items) - 1
        return self.items[0].name + (f" (+{more})" if more else "")

    @property
    def sha256_short(self) -> str:
        return self.items[0].sha256[:12] if self.items else ""

    @property
    def summary(self) -> str:
        """One line that says what the entry is about (URL, note text, reason…)."""
        d = self.data
        for key in ("url", "text", "note", "reason", "title", "source_name", "method"):
            value = d.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().splitlines()[0][:200]
        return ""

    @property
    def warnings(self) -> int:
        """How many warnings a clean-environment check found (0 for other entries)."""
        return len(self.data.get("warnings") or []) if self.kind == "env.check" else 0


def beijing_time(utc: str) -> str:
    """``2026-11-28T11:30:01.123456Z`` → ``2026-11-28 19:30:01`` (UTC+8); unparseable as is."""
    try:
        return parse_time(utc).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    except InputError:
        return utc


def offset_text(offset_us: int | None) -> str:
    """A clock offset for people: ``+0.012 s``; empty when unknown."""
    if offset_us is None:
        return ""
    return f"{timedelta(microseconds=offset_us).total_seconds():+.3f} s"


def stamped_seqs(records: Iterable[Record]) -> set[int]:
    """Entries that have a sealed time-stamp token (``timestamp`` entries name them)."""
    out: set[int] = set()
    for r in records:
        if r.kind == "timestamp":
            seq = r.data_int("stamped_seq")
            if seq is not None:
                out.add(seq)
    return out


def row_from_record(record: Record, stamped: set[int]) -> TimelineRow:
    """A seal point without a sealed token is waiting for one (the queue keeps it)."""
    if record.kind not in STAMPED_KINDS:
        state = StampState.NONE
    else:
        state = StampState.STAMPED if record.seq in stamped else StampState.QUEUED
    return TimelineRow(
        seq=record.seq,
        time=record.time,
        kind=record.kind,
        hash=record.hash,
        actor=record.actor_name,
        badge=record.actor_badge,
        session=record.session,
        items=record.items,
        stamp=state,
        data=dict(record.data),
    )


def timeline_rows(records: Iterable[Record], *, tokens: bool = False) -> list[TimelineRow]:
    """Rows for every entry in seq order. ``timestamp`` entries are folded into the stamp
    state of the entry they cover unless ``tokens`` asks for them as rows of their own."""
    recs = list(records)
    stamped = stamped_seqs(recs)
    return [row_from_record(r, stamped) for r in recs if tokens or r.kind != "timestamp"]
