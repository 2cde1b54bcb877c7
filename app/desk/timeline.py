"""Ledger records as rows of the evidence timeline (seq, Beijing time, kind, files, hashes,
time-stamp state). Pure data: the item model in ``ui/`` shows these rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from forensics.canonical import BEIJING, parse_time
from forensics.entries import Item
from forensics.entry_data import EnvCheckData, ExportFailedData, TimestampData
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
    stamp_seq: int | None = None  # the ``timestamp`` entry holding this entry's token
    failed_by: int | None = None  # a ``package.export`` marked failed by this later note

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
        if self.kind != "env.check":
            return 0
        return len(EnvCheckData.from_json(self.data).warnings)


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


def stamp_tokens(records: Iterable[Record]) -> dict[int, int]:
    """Entry seq → seq of the ``timestamp`` entry holding its sealed token."""
    out: dict[int, int] = {}
    for r in records:
        if r.kind == "timestamp":
            seq = TimestampData.from_json(r.data).stamped_seq
            if seq is not None:
                out[seq] = r.seq
    return out


def stamped_seqs(records: Iterable[Record]) -> set[int]:
    """Entries that have a sealed time-stamp token (``timestamp`` entries name them)."""
    return set(stamp_tokens(records))


def row_from_record(record: Record, stamped: set[int] | Mapping[int, int]) -> TimelineRow:
    """A seal point without a sealed token is waiting for one (the queue keeps it). With
    ``stamped`` a mapping (``stamp_tokens``), the row names its token's entry: the numbers
    the timeline folds away stay accounted for."""
    if record.kind not in STAMPED_KINDS:
        state = StampState.NONE
    else:
        state = StampState.STAMPED if record.seq in stamped else StampState.QUEUED
    token = stamped.get(record.seq) if isinstance(stamped, Mapping) else None
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
        stamp_seq=token,
    )


def export_failures(records: Iterable[Record]) -> dict[int, int]:
    """``package.export`` entries that a later ``package.export-failed`` note marks failed:
    export seq → note seq (the append-only ledger keeps the attempt; readers show it failed)."""
    recs = list(records)
    hashes = {r.seq: r.hash for r in recs if r.kind == "package.export"}
    out: dict[int, int] = {}
    for r in recs:
        failed = ExportFailedData.from_json(r.data) if r.kind == "note" else None
        seq = failed.export_seq if failed is not None else None
        if failed is not None and seq is not None and failed.names(seq, hashes.get(seq, "")):
            out.setdefault(seq, r.seq)
    return out


def timeline_rows(records: Iterable[Record], *, tokens: bool = False) -> list[TimelineRow]:
    """Rows for every entry in seq order. ``timestamp`` entries are folded into the stamp
    state of the entry they cover unless ``tokens`` asks for them as rows of their own."""
    recs = list(records)
    stamped = stamp_tokens(recs)
    failed = export_failures(recs)
    return [
        replace(row, failed_by=failed.get(row.seq)) if row.seq in failed else row
        for row in (row_from_record(r, stamped) for r in recs if tokens or r.kind != "timestamp")
    ]
