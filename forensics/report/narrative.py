"""One sentence per ledger entry: the process narrative (提取过程) and shared formatting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from forensics.canonical import beijing
from forensics.entries import int_of, mapping, text, time_of
from forensics.entry_data import (
    PAGE_KINDS,
    AccessData,
    AccountNote,
    CaseOpenData,
    DepositData,
    Derived,
    EnvCheckData,
    ExportFailedData,
    ImportData,
    MarkData,
    MediaNote,
    Note,
    OfficerData,
    PageData,
    RecordingNote,
    RecoveredData,
    ReportData,
    TimestampData,
    TrafficData,
    TransferData,
    VerifyData,
    VideoData,
    read_note,
)
from forensics.entry_data.derive import TRANSCRIPT
from forensics.entry_data.recording import PAUSE
from forensics.ledger import Record
from forensics.report.envview import flat_view
from forensics.report.labels import LABELS, field_name, kind_name, label
from forensics.report.model import ReportModel, strings
from forensics.verdict import Verdict

MAX_LIST = 12  # list values longer than this are cut, with a count of the rest
MAX_TEXT = 400  # characters of one free-text value


def bj(t: datetime) -> str:
    return beijing(t)


def utc(t: datetime, micro: bool = False) -> str:
    fmt = "%Y-%m-%d %H:%M:%S.%fZ" if micro else "%Y-%m-%d %H:%M:%SZ"
    return t.astimezone(UTC).strftime(fmt)


def both(t: datetime) -> str:
    """Beijing time with UTC beside it."""
    return f"{bj(t)} (UTC {utc(t)})"


def duration(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def offset_text(us: int) -> str:
    return f"{us / 1000:+.1f} ms"


def at_text(us: int | None) -> str:
    if us is None:
        return "?"
    ms = us // 1000
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def size_text(n: int) -> str:
    return f"{n:,}"


def cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"…(+{len(text) - limit})"


def yes_no(lang: str, value: bool) -> str:
    """A recorded boolean as a word of the report's language (是/否, yes/no)."""
    return label(lang, "m.yes" if value else "m.no")


def flat(lang: str, value: object, limit: int = MAX_LIST) -> str:
    """A compact, bounded rendering of a data value (lists cut, long text cut).

    Field names are printed by their ``field_name`` and booleans as words, so no raw key
    and no bare ``true``/``false`` reaches the page.
    """
    return cut(_flat(lang, value, limit, 0), 4 * MAX_TEXT)


def _flat(lang: str, value: object, limit: int, depth: int) -> str:
    if depth > 4:
        return "…"
    zh = lang != "en"
    if isinstance(value, Mapping):
        colon = "：" if zh else ": "
        parts = [
            f"{field_name(lang, str(k))}{colon}{_flat(lang, v, limit, depth + 1)}"
            for k, v in list(value.items())[:limit]
        ]
        if len(value) > limit:
            parts.append(f"…(+{len(value) - limit})")
        body = ("；" if zh else "; ").join(parts)
        if depth == 0:
            return body
        return f"（{body}）" if zh else f"({body})"
    if isinstance(value, list):
        parts = [_flat(lang, v, limit, depth + 1) for v in value[:limit]]
        if len(value) > limit:
            parts.append(f"…(+{len(value) - limit})")
        return ", ".join(parts)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return yes_no(lang, value)
    return cut(str(value))


def role_text(lang: str, role: str) -> str:
    key = f"role.{role}"
    return label(lang, key) if key in LABELS else role


def phase_text(lang: str, phase: str) -> str:
    return (
        label(lang, f"e.{phase}") if phase in ("before", "after") else label(lang, "e.phase_other")
    )


def category(lang: str, kind: str) -> str:
    key = f"cat.{kind}"
    return label(lang, key) if key in LABELS else kind_name(lang, kind)


def _sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def _capture_what(lang: str, rec: Record, data: Mapping[str, Any]) -> str:
    """A capture entry in one line, read through its type: a page's URL, title, server
    IPs and live room; a recording's live room and part number; a traffic segment's file,
    exchanges, hosts and the officer's credentials it carried; then the sealed files."""
    parts: list[str] = []
    live: Mapping[str, Any] = {}
    recording_part: int | None = None
    if rec.kind in PAGE_KINDS:
        page = PageData.from_json(data)
        if page.url:
            parts.append(cut(page.url, 200))
        if page.title:
            parts.append(f"\u201c{cut(page.title, 120)}\u201d")
        if page.server_ips:
            parts.append(label(lang, "k.server_ip", flat(lang, list(page.server_ips), 4)))
        live = page.live or {}
    elif rec.kind == "capture.video":
        video = VideoData.from_json(data)
        live, recording_part = video.live or {}, video.segment
    if live:
        parts.append(
            label(
                lang,
                "k.live",
                platform=cut(text(live.get("platform")), 80) or "-",
                room=cut(text(live.get("room_id")), 80) or "-",
                anchor=cut(text(live.get("anchor_account")), 80) or "-",
                streams=flat(lang, [cut(u, 200) for u in strings(live.get("stream_urls"))], 2)
                or "-",
            )
        )
    if recording_part is not None:
        parts.append(str(recording_part))
    if rec.kind == "capture.recovered":
        state = f"k.recovered.{RecoveredData.from_json(data).state}"
        parts.append(label(lang, state if state in LABELS else "k.recovered.other"))
    if rec.kind == "capture.traffic":
        segment = TrafficData.from_json(data)
        if segment.segment:
            parts.append(segment.segment)  # the WARC file
        parts.append(label(lang, "k.records", segment.records))
        if segment.hosts:
            parts.append(flat(lang, list(segment.hosts), 4))
        if segment.sensitive:
            headers = sorted({h for s in segment.sensitive for h in s.headers}, key=str.lower)
            parts.append(
                label(lang, "k.sensitive", len(segment.sensitive), ", ".join(headers[:6]) or "-")
            )
    paths = [i.path for i in rec.items]
    if paths:
        parts.append(label(lang, "k.items", ", ".join(p for p in paths if p)))
    return _sep(lang).join(parts) or "-"


def describe(lang: str, rec: Record, model: ReportModel) -> str:
    """What entry ``rec`` records, in one sentence."""
    data = rec.data
    kind = rec.kind
    sid = (rec.session or "")[:8]
    if kind == "case.open":
        opened = CaseOpenData.from_json(data)
        return label(lang, "k.case.open", title=opened.title, number=opened.number)
    if kind == "officer.add":
        added = OfficerData.from_json(data)
        return label(
            lang,
            "k.officer.add",
            role=role_text(lang, added.role or "officer"),
            name=added.name,
            badge=added.badge,
        )
    if kind == "env.check":
        check = EnvCheckData.from_json(data)
        clock = mapping(flat_view(data).get("clock"))
        offset = int_of(clock.get("offset_us"))
        server = text(clock.get("server")) or text(clock.get("best_server"))
        extra = ""
        if offset is not None:
            extra = _sep(lang) + label(lang, "t.offset", f"{offset_text(offset)} ({server})")
        return label(lang, "k.env.check", phase=phase_text(lang, check.phase), clock=extra)
    if kind == "session.start":
        return label(lang, "k.session.start", sid=sid)
    if kind == "session.end":
        who = []
        for key in strings(data.get("signers")):
            o = model.officer(key)
            who.append(f"{o.name} ({o.badge})" if o else key[:16])
        return label(lang, "k.session.end", sid=sid, who=", ".join(who) or "-")
    if kind.startswith("capture.") and f"k.{kind}" in LABELS:
        return label(lang, f"k.{kind}", what=_capture_what(lang, rec, data))
    if kind == "mark":
        mark = MarkData.from_json(data)
        return label(lang, "k.mark", at=at_text(mark.at_us), note=cut(mark.note or "-"))
    if kind == "note":
        return _note(lang, read_note(data))
    if kind == "import.file":
        what = ImportData.from_json(data).source_name or _capture_what(lang, rec, data)
        return label(lang, "k.import.file", what=what)
    if kind == "derive":
        derived = Derived.from_json(data)
        return label(
            lang,
            "k.derive",
            dkind=derived_kind(lang, derived),
            parent=derived.parent.sha256[:16] or "-",
            reason=cut(derived.reason or "-"),
        )
    if kind == "timestamp":
        stamp = TimestampData.from_json(data)
        gen = time_of(stamp.gen_time)
        return label(
            lang,
            "k.timestamp",
            seq=str(stamp.stamped_seq) if stamp.stamped_seq is not None else "?",
            tsa=stamp.tsa_name or stamp.tsa_url or "-",
            gen=both(gen) if gen else stamp.gen_time or "-",
        )
    if kind == "custody.transfer":
        sent = TransferData.from_json(data)
        parts = [label(lang, "u.to", name=sent.to_name or "-", agency=sent.to_agency or "-")]
        if sent.reason:
            parts.append(label(lang, "u.reason", cut(sent.reason)))
        if sent.package_sha256:
            parts.append(label(lang, "u.package", sent.package_sha256))
        return label(lang, "k.custody.transfer", what=_sep(lang).join(parts))
    if kind in ("verify", "custody.report", "custody.access"):
        return label(lang, f"k.{kind}", what=_sep(lang).join(_custody_parts(lang, kind, data)))
    if kind == "custody.deposit":
        return label(lang, "k.custody.deposit", what=_sep(lang).join(_deposit_parts(lang, data)))
    if kind == "package.export" and (note := model.export_failure(rec)) is not None:
        return label(lang, "k.package.export_failed", note=note.seq, what=flat(lang, data))
    if kind in ("package.export", "custody.receive", "case.close"):
        return label(lang, f"k.{kind}", what=flat(lang, data) if data else "")
    return label(
        lang, "k.other", kind=kind_name(lang, kind), what=flat(lang, data) if data else "-"
    )


def _note(lang: str, note: Note) -> str:
    """A note in ``lang``: the events capture and export note are worded here (their own
    text holds both languages); an officer's note is printed as written."""
    if isinstance(note, ExportFailedData):
        return _export_failed_note(lang, note)
    if isinstance(note, RecordingNote) and note.event == PAUSE:
        return label(lang, "k.recording.pause", reason=cut(note.own_text or "-"))
    if isinstance(note, RecordingNote):
        resumed = label(lang, "k.recording.resume")
        return f"{resumed}{_sep(lang)}{cut(note.own_text)}" if note.own_text else resumed
    if isinstance(note, AccountNote):
        if note.account is None:
            return label(lang, "k.no_account")
        return label(lang, "k.account", account=cut(note.account, 200))
    if isinstance(note, MediaNote):
        said = text(note.media.get("zh" if lang == "zh" else "en")) or note.text
        return label(lang, "k.media_unplayable", what=cut(said, 2000))
    return label(lang, "k.note", text=cut(note.text, 2000))


def _export_failed_note(lang: str, failed: ExportFailedData) -> str:
    """The failure of an export, in ``lang`` alone (the note's text holds both languages)."""
    lines = [line for line in failed.text.splitlines() if line.strip()]
    if len(lines) == 2:
        return cut(lines[0] if lang == "zh" else lines[1], 2000)
    return label(
        lang,
        "k.export_failed_note",
        seq=str(failed.export_seq) if failed.export_seq is not None else "?",
        name=failed.file_name or "-",
        error=cut(failed.error or "-"),
    )


def derived_kind(lang: str, derived: Derived) -> str:
    """What a derived item is, in ``lang`` (a transcript, a HAR view …)."""
    name = "transcript" if derived.kind == TRANSCRIPT else derived.kind
    key = f"dk.{name}"
    return label(lang, key) if key in LABELS else name or "-"


def _via(lang: str, via: str) -> str:
    return label(lang, f"u.via_{via}") if f"u.via_{via}" in LABELS else ""


def _verdict_text(lang: str, verdict: str) -> str:
    try:
        return Verdict(verdict).text(lang)
    except ValueError:
        return verdict or "-"


def _time_text(value: str) -> str:
    t = time_of(value)
    return both(t) if t else value or "-"


def _deposit_parts(lang: str, data: Mapping[str, Any]) -> list[str]:
    """The facts of a deposit in the agency vault, as the vault's receipt states them."""
    d = DepositData.from_json(data)
    parts = [
        label(lang, "u.deposit_file", d.package_file or "-"),
        label(lang, "u.package", d.package_sha256 or "-"),
    ]
    if d.package_sm3:
        parts.append(label(lang, "u.package_sm3", d.package_sm3))
    parts.append(label(lang, "u.vault_verdict", _verdict_text(lang, d.verdict)))
    parts.append(label(lang, "u.deposited_at", _time_text(d.deposited_at)))
    until = _time_text(d.retention_until)
    if d.retention_mode == "COMPLIANCE":
        parts.append(label(lang, "u.retention_compliance", until=until))
    else:
        parts.append(label(lang, "u.retention", mode=d.retention_mode or "-", until=until))
    parts.append(label(lang, "u.bucket", d.vault_bucket or "-"))
    return parts


def _custody_parts(lang: str, kind: str, data: Mapping[str, Any]) -> list[str]:
    """The facts of a verification, report or access record, as the ledger holds them."""
    if kind == "verify":
        v = VerifyData.from_json(data)
        try:
            verdict = Verdict(v.verdict).text(lang)
        except ValueError:
            verdict = v.verdict or "-"
        return [
            label(lang, "u.verdict", verdict) + _via(lang, v.via),
            label(lang, "u.head", v.head_seq),
            label(lang, "u.errors", v.errors),
            label(lang, "u.result", v.result_sha256 or "-"),
        ]
    if kind == "custody.report":
        r = ReportData.from_json(data)
        return [
            label(lang, "u.report_file", r.file_name or "-", r.pages) + _via(lang, r.via),
            label(lang, "u.report_state", r.head_seq),
            label(lang, "u.sha256", r.sha256 or "-"),
        ]
    a = AccessData.from_json(data)
    seq = str(a.seq) if a.seq is not None else "?"
    return [
        label(lang, "u.viewed", seq, a.path or "-") + _via(lang, a.via),
        label(lang, "u.sha256", a.sha256 or "-"),
    ]
