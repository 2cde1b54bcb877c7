"""The report's facts, drawn from the ledger: who, when, where, what was sealed, how.

Every entry kind is read defensively: modules still being written add data keys, so a
missing or odd value is shown as absent, never a crash. Required fields are checked here
(``ReportModel.missing``) so the report refuses before drawing anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forensics.canonical import canonical_bytes
from forensics.entries import Item, int_of, mapping, text, time_of
from forensics.entry_data import (
    PAGE_KINDS,
    ExportFailedData,
    MarkData,
    OfficerData,
    PageData,
    SessionStartData,
    TimestampData,
    ToolData,
    TrafficData,
)
from forensics.errors import InputError, IntegrityError
from forensics.fingerprints import TrustFingerprints
from forensics.ledger import Record
from forensics.report.envview import flat_view
from forensics.report.labels import label
from forensics.report.source import CaseMeta, ReportSource
from forensics.stamping import LATE_AFTER_SECONDS

# Entry kinds whose items are not evidence but custody files (time-stamp tokens).
_CUSTODY_ITEM_KINDS = frozenset({"timestamp"})
# Officer roles that are not law-enforcement officers (they do not count toward the two).
_NON_OFFICER_ROLES = frozenset({"assistant"})
DEFAULT_CLOCK_WARN_MS = 1000


def strings(value: object) -> list[str]:
    """A string or a list's strings, as a list (other values give nothing)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _stamped_late(records: list[Record], stamped: int | None, gen: datetime | None) -> bool:
    """A token fixed more than LATE_AFTER_SECONDS after its entry's own time was obtained
    late (the TSA was unreachable): judged from the times, not from the signer's flag."""
    if stamped is None or gen is None or not 0 <= stamped < len(records):
        return False
    entry_time = records[stamped].when
    return entry_time is not None and (gen - entry_time).total_seconds() > LATE_AFTER_SECONDS


@dataclass(frozen=True)
class OfficerInfo:
    key: str
    name: str
    badge: str
    agency: str
    role: str
    cert_sha256: str
    self_signed: bool

    @property
    def is_officer(self) -> bool:
        return self.role not in _NON_OFFICER_ROLES


@dataclass
class SessionInfo:
    sid: str
    start: datetime | None = None
    end: datetime | None = None
    start_seq: int | None = None
    end_seq: int | None = None
    signers: list[str] = field(default_factory=list)
    single_officer: bool = False


@dataclass(frozen=True)
class EvidenceRow:
    no: int
    seq: int
    kind: str
    item: Item
    time: datetime
    data: Mapping[str, Any]

    @property
    def path(self) -> str:
        return self.item.path

    @property
    def sha256(self) -> str:
        return self.item.sha256

    @property
    def sm3(self) -> str:
        return self.item.sm3

    @property
    def media_type(self) -> str:
        return self.item.media_type or "application/octet-stream"

    @property
    def size(self) -> int:
        return self.item.size


@dataclass(frozen=True)
class ClockReading:
    seq: int
    phase: str
    time: datetime
    offset_us: int | None
    rtt_us: int | None
    server: str
    threshold_ms: int

    @property
    def over_threshold(self) -> bool:
        return self.offset_us is not None and abs(self.offset_us) > self.threshold_ms * 1000


@dataclass(frozen=True)
class StampInfo:
    seq: int
    stamped_seq: int | None
    stamped_kind: str
    tsa: str
    serial: str
    gen_time: datetime | None
    gen_time_raw: str
    policy: str
    accuracy_us: int | None
    late: bool
    token: Item | None


@dataclass(frozen=True)
class MarkInfo:
    """A mark set while recording: its entry, time and what the recorder wrote
    (``recording`` and ``segment`` name the sealed segment whose frame shows it)."""

    seq: int
    time: datetime
    mark: MarkData

    @property
    def at_us(self) -> int | None:
        return self.mark.at_us

    @property
    def note(self) -> str:
        return self.mark.note


@dataclass
class ReportModel:
    meta: CaseMeta
    records: list[Record]
    officers: list[OfficerInfo]
    sessions: list[SessionInfo]
    evidence: list[EvidenceRow]
    clocks: list[ClockReading]
    stamps: list[StampInfo]
    marks: list[MarkInfo]
    head_seq: int
    head_hash: str
    extraction: tuple[datetime, datetime] | None
    extraction_from_items: bool
    proxies: list[dict[str, Any]]
    tools: list[ToolData]
    urls: list[str]
    hosts: list[str]
    server_ips: list[str]
    login_accounts: list[str]
    # Agency CA, officers' certificates and TSA roots, printed on the signature page.
    fingerprints: TrustFingerprints = field(default_factory=TrustFingerprints)

    # -- lookups ----------------------------------------------------------------------------

    def officer(self, key: str) -> OfficerInfo | None:
        for o in self.officers:
            if o.key == key:
                return o
        return None

    def evidence_by_sha(self, sha256: str) -> EvidenceRow | None:
        for row in self.evidence:
            if row.sha256 == sha256:
                return row
        return None

    def export_failure(self, rec: Record) -> Record | None:
        """The note that marks the ``package.export`` entry ``rec`` failed, if any."""
        for later in self.records[rec.seq + 1 :]:
            if later.kind != "note":
                continue
            failed = ExportFailedData.from_json(later.data)
            if failed is not None and failed.names(rec.seq, rec.hash):
                return later
        return None

    def kind_of(self, seq: int | None) -> str:
        if seq is None or not 0 <= seq < len(self.records):
            return ""
        return self.records[seq].kind

    @property
    def agency(self) -> str:
        if self.meta.agency:
            return self.meta.agency
        for role in ("lead", "officer", "recorder"):
            for o in self.officers:
                if o.role == role and o.agency:
                    return o.agency
        return next((o.agency for o in self.officers if o.agency), "")

    @property
    def document_number(self) -> str:
        if self.meta.document_number:
            return self.meta.document_number
        # Tied to the ledger state: the same ledger always yields the same number.
        return f"QZ-{self.meta.case_id[:8].upper()}-{self.head_seq:06d}"

    @property
    def law_officers(self) -> list[OfficerInfo]:
        return [o for o in self.officers if o.is_officer]

    # -- required fields (REQUIREMENTS.md §A1, §A2) -------------------------------------------

    def missing(self, lang: str) -> list[str]:
        """The required fields that are empty, named in ``lang``."""
        m = self.meta
        out = [
            label(lang, f"req.{key}")
            for key, value in (
                ("title", m.title),
                ("number", m.number),
                ("cause", m.cause),
                ("purpose", m.purpose),
                ("location", m.location),
            )
            if not value
        ]
        officers = self.law_officers
        if len(officers) < (1 if m.training else 2):
            out.append(label(lang, "req.officers"))
        for o in self.officers:
            if not o.badge:
                out.append(label(lang, "req.officer_badge", o.name or o.key[:16]))
        for s in self.sessions:
            if s.start is None:
                out.append(label(lang, "req.session_start", s.sid[:8]))
            if s.end is None:
                out.append(label(lang, "req.session_end", s.sid[:8]))
        if self.extraction is None:
            out.append(label(lang, "req.extraction"))
        return out


def check_chain(records: list[Record]) -> None:
    """Refuse to report on a ledger whose hash chain is broken (a cheap check, no signatures).

    The verifier does the full check; the report must not dress up a tampered ledger.
    """
    prev: str | None = None
    for i, rec in enumerate(records):
        try:
            actual = hashlib.sha256(canonical_bytes(rec.entry)).hexdigest()
        except InputError:
            actual = ""
        if rec.entry.get("seq") != i or actual != rec.hash or rec.entry.get("prev") != prev:
            raise IntegrityError(
                f"ledger entry {i} does not match its hash or does not link to the entry "
                "before it; verify the case: no report is made from a broken ledger",
                f"账本第 {i} 条与其哈希值不符或未链接前一条；请先校验案件，账本链断裂时不生成笔录",
            )
        prev = rec.hash


def _clock(rec: Record, data: Mapping[str, Any], when: datetime) -> ClockReading | None:
    clock = mapping(flat_view(data).get("clock"))
    if not clock:
        return None
    threshold = int_of(clock.get("warn_threshold_ms")) or DEFAULT_CLOCK_WARN_MS
    return ClockReading(
        seq=rec.seq,
        phase=text(data.get("phase")),
        time=when,
        offset_us=int_of(clock.get("offset_us")),
        rtt_us=int_of(clock.get("rtt_us", clock.get("round_trip_us"))),
        server=text(clock.get("server")) or text(clock.get("best_server")),
        threshold_ms=threshold,
    )


def _add_unique(out: list[str], values: Iterable[str]) -> None:
    seen = set(out)
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)


def _is_proxy_disclosure(value: object) -> bool:
    d = mapping(value)
    return bool(d) and any(k in d for k in ("mitmproxy", "addon_sha256", "ca_sha256"))


def build_model(source: ReportSource) -> ReportModel:
    records = source.records
    meta = source.case_meta
    check_chain(records)
    officers: dict[str, OfficerInfo] = {}
    sessions: dict[str, SessionInfo] = {}
    evidence: list[EvidenceRow] = []
    clocks: list[ClockReading] = []
    stamps: list[StampInfo] = []
    marks: list[MarkInfo] = []
    proxies: list[dict[str, Any]] = []
    tools: list[ToolData] = []
    urls: list[str] = []
    hosts: list[str] = []
    server_ips: list[str] = []
    logins: list[str] = []
    for rec in records:
        data = rec.data
        when = rec.when or meta.opened
        kind = rec.kind
        sid = rec.session or ""
        if kind == "officer.add":
            added = OfficerData.from_json(data)
            if added.key:
                officers[added.key] = OfficerInfo(
                    key=added.key,
                    name=added.name,
                    badge=added.badge,
                    agency=added.agency,
                    role=added.role or "officer",
                    cert_sha256=added.cert_sha256,
                    self_signed=added.self_signed,
                )
        elif kind in ("session.start", "session.end") and sid:
            s = sessions.setdefault(sid, SessionInfo(sid))
            if kind == "session.start":
                s.start, s.start_seq = when, rec.seq
            else:
                s.end, s.end_seq = when, rec.seq
                s.signers = strings(data.get("signers"))
                s.single_officer = data.get("training_single_officer") is True
        elif kind == "env.check":
            reading = _clock(rec, data, when)
            if reading is not None:
                clocks.append(reading)
        elif kind == "timestamp":
            items = rec.items
            stamp = TimestampData.from_json(data)
            stamped = stamp.stamped_seq
            stamps.append(
                StampInfo(
                    seq=rec.seq,
                    stamped_seq=stamped,
                    stamped_kind=records[stamped].kind
                    if stamped is not None and 0 <= stamped < len(records)
                    else "",
                    tsa=stamp.tsa_name or stamp.tsa_url,
                    serial=stamp.serial,
                    gen_time=time_of(stamp.gen_time),
                    gen_time_raw=stamp.gen_time,
                    policy=stamp.policy,
                    accuracy_us=stamp.accuracy_us,
                    late=stamp.queued or _stamped_late(records, stamped, time_of(stamp.gen_time)),
                    token=items[0] if items else None,
                )
            )
        elif kind == "mark":
            marks.append(MarkInfo(seq=rec.seq, time=when, mark=MarkData.from_json(data)))
        if kind == "session.start":
            start = SessionStartData.from_json(data)
            if _is_proxy_disclosure(start.proxy) and start.proxy not in proxies:
                proxies.append(start.proxy)
            # The capture program, as the session that used it names it (a derived item's
            # ``tool`` is its converter, not the program that took the evidence).
            if start.tool is not None and start.tool not in tools:
                tools.append(start.tool)
        if kind in PAGE_KINDS:
            page = PageData.from_json(data)
            _add_unique(urls, strings(page.url))
            _add_unique(server_ips, page.server_ips)
            _add_unique(logins, strings(page.logged_in_account))
        elif kind == "capture.traffic":
            segment = TrafficData.from_json(data)
            _add_unique(urls, segment.urls)
            _add_unique(hosts, segment.hosts)
        if kind not in _CUSTODY_ITEM_KINDS:
            for item in rec.items:
                if item.path.startswith("custody/"):
                    continue
                evidence.append(EvidenceRow(len(evidence) + 1, rec.seq, kind, item, when, data))
    ordered = sorted(sessions.values(), key=lambda s: (s.start_seq or 0, s.sid))
    extraction: tuple[datetime, datetime] | None = None
    from_items = False
    starts = [s.start for s in ordered if s.start is not None]
    ends = [s.end for s in ordered if s.end is not None]
    if starts and ends:
        extraction = (min(starts), max(ends))
    elif not ordered and evidence:
        extraction = (evidence[0].time, evidence[-1].time)
        from_items = True
    last = records[-1]
    return ReportModel(
        meta=meta,
        records=records,
        officers=list(officers.values()),
        sessions=ordered,
        evidence=evidence,
        clocks=clocks,
        stamps=stamps,
        marks=marks,
        head_seq=last.seq,
        head_hash=last.hash,
        extraction=extraction,
        extraction_from_items=from_items,
        proxies=proxies,
        tools=tools,
        urls=urls,
        hosts=hosts,
        server_ips=server_ips,
        login_accounts=logins,
        fingerprints=source.fingerprints,
    )
