"""One sentence per ledger entry: the process narrative (提取过程) and shared formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forensics.canonical import beijing
from forensics.ledger import Record
from forensics.report.envview import flat_view
from forensics.report.labels import LABELS, label
from forensics.report.model import (
    ReportModel,
    as_dict,
    as_int,
    as_str,
    items_of,
    server_ips_of,
    strings,
    time_of,
)

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


def flat(value: object, limit: int = MAX_LIST) -> str:
    """A compact, bounded rendering of a data value (lists cut, long text cut)."""
    return cut(_flat(value, limit, 0), 4 * MAX_TEXT)


def _flat(value: object, limit: int, depth: int) -> str:
    if depth > 4:
        return "…"
    if isinstance(value, dict):
        parts = [f"{k}={_flat(v, limit, depth + 1)}" for k, v in list(value.items())[:limit]]
        if len(value) > limit:
            parts.append(f"…(+{len(value) - limit})")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        parts = [_flat(v, limit, depth + 1) for v in value[:limit]]
        if len(value) > limit:
            parts.append(f"…(+{len(value) - limit})")
        return ", ".join(parts)
    if value is None:
        return "-"
    return cut(as_str(value) or str(value))


def role_text(lang: str, role: str) -> str:
    key = f"role.{role}"
    return label(lang, key) if key in LABELS else role


def phase_text(lang: str, phase: str) -> str:
    return (
        label(lang, f"e.{phase}") if phase in ("before", "after") else label(lang, "e.phase_other")
    )


def category(lang: str, kind: str) -> str:
    key = f"cat.{kind}"
    return label(lang, key) if key in LABELS else kind


def _sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def _capture_what(lang: str, rec: Record, data: dict[str, Any]) -> str:
    parts: list[str] = []
    url = as_str(data.get("url"))
    title = as_str(data.get("title"))
    if url:
        parts.append(cut(url, 200))
    if title:
        parts.append(f"\u201c{cut(title, 120)}\u201d")
    ips = server_ips_of(data)
    if ips:
        parts.append(label(lang, "k.server_ip", flat(ips, 4)))
    live = as_dict(data.get("live"))
    if live:
        parts.append(
            label(
                lang,
                "k.live",
                platform=cut(as_str(live.get("platform")), 80) or "-",
                room=cut(as_str(live.get("room_id")), 80) or "-",
                anchor=cut(as_str(live.get("anchor_account")), 80) or "-",
                streams=flat([cut(u, 200) for u in strings(live.get("stream_urls"))], 2) or "-",
            )
        )
    segment = as_str(data.get("segment"))
    if segment:
        parts.append(segment)
    records = as_int(data.get("records"))
    if records is not None:
        parts.append(label(lang, "k.records", records))
    hosts = data.get("hosts")
    if isinstance(hosts, list) and hosts:
        parts.append(flat(hosts, 4))
    sensitive = data.get("sensitive")
    if isinstance(sensitive, list) and sensitive:
        headers = sorted(
            {h for s in sensitive for h in strings(as_dict(s).get("headers"))}, key=str.lower
        )
        parts.append(label(lang, "k.sensitive", len(sensitive), ", ".join(headers[:6]) or "-"))
    paths = [as_str(i.get("path")) for i in items_of(rec.entry)]
    if paths:
        parts.append(label(lang, "k.items", ", ".join(p for p in paths if p)))
    return _sep(lang).join(parts) or "-"


def describe(lang: str, rec: Record, model: ReportModel) -> str:
    """What entry ``rec`` records, in one sentence."""
    data = as_dict(rec.entry.get("data"))
    kind = rec.kind
    sid = as_str(rec.entry.get("session"))[:8]
    if kind == "case.open":
        return label(
            lang, "k.case.open", title=as_str(data.get("title")), number=as_str(data.get("number"))
        )
    if kind == "officer.add":
        return label(
            lang,
            "k.officer.add",
            role=role_text(lang, as_str(data.get("role")) or "officer"),
            name=as_str(data.get("name")),
            badge=as_str(data.get("badge")),
        )
    if kind == "env.check":
        clock = as_dict(flat_view(data).get("clock"))
        offset = as_int(clock.get("offset_us"))
        server = as_str(clock.get("server")) or as_str(clock.get("best_server"))
        extra = ""
        if offset is not None:
            extra = _sep(lang) + label(lang, "t.offset", f"{offset_text(offset)} ({server})")
        return label(
            lang, "k.env.check", phase=phase_text(lang, as_str(data.get("phase"))), clock=extra
        )
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
        return label(
            lang,
            "k.mark",
            at=at_text(as_int(data.get("at_us"))),
            note=cut(as_str(data.get("note")) or "-"),
        )
    if kind == "note":
        return label(lang, "k.note", text=cut(as_str(data.get("text")), 2000))
    if kind == "import.file":
        what = as_str(data.get("source_name")) or _capture_what(lang, rec, data)
        return label(lang, "k.import.file", what=what)
    if kind == "derive":
        dkey = f"dk.{as_str(data.get('kind'))}"
        return label(
            lang,
            "k.derive",
            dkind=label(lang, dkey) if dkey in LABELS else as_str(data.get("kind")) or "-",
            parent=as_str(data.get("parent_sha256"))[:16] or "-",
            reason=cut(as_str(data.get("reason")) or "-"),
        )
    if kind == "timestamp":
        gen = time_of(data.get("gen_time"))
        return label(
            lang,
            "k.timestamp",
            seq=as_str(data.get("stamped_seq")) or "?",
            tsa=as_str(data.get("tsa_name")) or as_str(data.get("tsa_url")) or "-",
            gen=both(gen) if gen else as_str(data.get("gen_time")) or "-",
        )
    if kind == "custody.transfer":
        parts = [
            label(
                lang,
                "u.to",
                name=as_str(data.get("to_name")) or "-",
                agency=as_str(data.get("to_agency")) or "-",
            )
        ]
        if as_str(data.get("reason")):
            parts.append(label(lang, "u.reason", cut(as_str(data.get("reason")))))
        if as_str(data.get("package_sha256")):
            parts.append(label(lang, "u.package", as_str(data.get("package_sha256"))))
        return label(lang, "k.custody.transfer", what=_sep(lang).join(parts))
    if kind in ("package.export", "custody.receive", "verify", "case.close"):
        return label(lang, f"k.{kind}", what=flat(data) if data else "")
    return label(lang, "k.other", kind=kind, what=flat(data) if data else "-")
