"""One sentence per ledger entry: the process narrative (提取过程) and shared formatting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from forensics.canonical import beijing
from forensics.entries import int_of, mapping, text, time_of
from forensics.ledger import Record
from forensics.report.envview import flat_view
from forensics.report.labels import LABELS, field_name, kind_name, label
from forensics.report.model import ReportModel, server_ips_of, strings

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
    parts: list[str] = []
    url = text(data.get("url"))
    title = text(data.get("title"))
    if url:
        parts.append(cut(url, 200))
    if title:
        parts.append(f"\u201c{cut(title, 120)}\u201d")
    ips = server_ips_of(data)
    if ips:
        parts.append(label(lang, "k.server_ip", flat(lang, ips, 4)))
    live = mapping(data.get("live"))
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
    # A segment is a file name (traffic) or a number (a recording's part).
    number = int_of(data.get("segment"))
    segment = str(number) if number is not None else text(data.get("segment"))
    if segment:
        parts.append(segment)
    records = int_of(data.get("records"))
    if records is not None:
        parts.append(label(lang, "k.records", records))
    hosts = data.get("hosts")
    if isinstance(hosts, list) and hosts:
        parts.append(flat(lang, hosts, 4))
    sensitive = data.get("sensitive")
    if isinstance(sensitive, list) and sensitive:
        headers = sorted(
            {h for s in sensitive for h in strings(mapping(s).get("headers"))}, key=str.lower
        )
        parts.append(label(lang, "k.sensitive", len(sensitive), ", ".join(headers[:6]) or "-"))
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
        return label(
            lang, "k.case.open", title=text(data.get("title")), number=text(data.get("number"))
        )
    if kind == "officer.add":
        return label(
            lang,
            "k.officer.add",
            role=role_text(lang, text(data.get("role")) or "officer"),
            name=text(data.get("name")),
            badge=text(data.get("badge")),
        )
    if kind == "env.check":
        clock = mapping(flat_view(data).get("clock"))
        offset = int_of(clock.get("offset_us"))
        server = text(clock.get("server")) or text(clock.get("best_server"))
        extra = ""
        if offset is not None:
            extra = _sep(lang) + label(lang, "t.offset", f"{offset_text(offset)} ({server})")
        return label(
            lang, "k.env.check", phase=phase_text(lang, text(data.get("phase"))), clock=extra
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
            at=at_text(int_of(data.get("at_us"))),
            note=cut(text(data.get("note")) or "-"),
        )
    if kind == "note":
        return label(lang, "k.note", text=cut(text(data.get("text")), 2000))
    if kind == "import.file":
        what = text(data.get("source_name")) or _capture_what(lang, rec, data)
        return label(lang, "k.import.file", what=what)
    if kind == "derive":
        dkey = f"dk.{text(data.get('kind'))}"
        return label(
            lang,
            "k.derive",
            dkind=label(lang, dkey) if dkey in LABELS else text(data.get("kind")) or "-",
            parent=(
                text(data.get("parent_sha256")) or text(mapping(data.get("parent")).get("sha256"))
            )[:16]
            or "-",
            reason=cut(text(data.get("reason")) or "-"),
        )
    if kind == "timestamp":
        gen = time_of(data.get("gen_time"))
        return label(
            lang,
            "k.timestamp",
            seq=str(stamped) if (stamped := int_of(data.get("stamped_seq"))) is not None else "?",
            tsa=text(data.get("tsa_name")) or text(data.get("tsa_url")) or "-",
            gen=both(gen) if gen else text(data.get("gen_time")) or "-",
        )
    if kind == "custody.transfer":
        parts = [
            label(
                lang,
                "u.to",
                name=text(data.get("to_name")) or "-",
                agency=text(data.get("to_agency")) or "-",
            )
        ]
        if text(data.get("reason")):
            parts.append(label(lang, "u.reason", cut(text(data.get("reason")))))
        if text(data.get("package_sha256")):
            parts.append(label(lang, "u.package", text(data.get("package_sha256"))))
        return label(lang, "k.custody.transfer", what=_sep(lang).join(parts))
    if kind in ("package.export", "custody.receive", "verify", "case.close"):
        return label(lang, f"k.{kind}", what=flat(lang, data) if data else "")
    return label(
        lang, "k.other", kind=kind_name(lang, kind), what=flat(lang, data) if data else "-"
    )
