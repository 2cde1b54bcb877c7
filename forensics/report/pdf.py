"""The PDF itself (reportlab platypus): sections, tables and thumbnails; ``page`` draws
every page's header and footer.

Bulk tables (the process narrative, the evidence list, time-stamps) use plain, pre-wrapped
strings rather than Paragraphs: a 1,000-item case then renders in seconds. Every page's
header and footer are drawn after the last page is laid out, so "第 x 页 共 y 页" is known.
"""

from __future__ import annotations

import io
import os
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

import forensics
from forensics.entries import int_of, mapping
from forensics.entries import text as str_of
from forensics.report.envview import changes as env_changes
from forensics.report.envview import flat_view
from forensics.report.envview import sections as env_sections
from forensics.report.fonts import HEX_FONT, TEXT_FONT, clean, para_text
from forensics.report.fpview import fingerprint_notes, fingerprint_rows
from forensics.report.labels import LABELS, label, label_list
from forensics.report.model import (
    EvidenceRow,
    ReportModel,
)
from forensics.report.narrative import (
    at_text,
    bj,
    both,
    category,
    cut,
    describe,
    duration,
    flat,
    offset_text,
    phase_text,
    role_text,
    size_text,
    utc,
)
from forensics.report.page import (
    GRID_COLOR,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_W,
    ReportBinding,
    canvas_class,
    page_decor,
)
from forensics.report.source import ReportSource
from forensics.report.thumbs import Thumb, failed, image_thumb, video_thumbs
from forensics.report.tool import APP_NAME, tool_info

FRAME_W = PAGE_W - 2 * MARGIN_X
CHUNK_ROWS = 40  # rows per bulk table: small tables split across pages cheaply
MAX_CELL_LINES = 48  # lines of one table cell (a row must fit on a page)
HEX_SIZE = 6.3
CELL_SIZE = 7.0
CELL_LEADING = 9.0
FP_SIZE = 9.5
FP_COL_W = 230.0  # 16 bytes "XX:" at FP_SIZE, plus the cell padding
MAX_TRANSCRIPT_BYTES = 64 * 1024
MAX_TRANSCRIPT_CHARS = 6000
THUMB_COLS = 3
THUMB_MAX_H = 190.0
THUMB_WORKERS = min(2, os.cpu_count() or 1)
# reportlab keeps global state (font registry, rl_config): one report is laid out at a time.
_RENDER_LOCK = threading.Lock()
HEAD_BG = colors.HexColor("#e9edf2")
NOTE_COLOR = colors.HexColor("#a0001a")


# -- text helpers ------------------------------------------------------------------------------

_width_cache: dict[tuple[str, str], float] = {}


def _char_width(ch: str, font: str) -> float:
    key = (font, ch)
    w = _width_cache.get(key)
    if w is None:
        w = float(pdfmetrics.stringWidth(ch, font, 1000)) / 1000
        _width_cache[key] = w
    return w


def _breakable_after(ch: str) -> bool:
    return ch in " /&?=-_.,;:，。、；：）" or ord(ch) >= 0x2E80


def wrap(
    text: object, size: float, width: float, font: str = TEXT_FONT, max_lines: int = MAX_CELL_LINES
) -> str:
    """``text`` broken into lines no wider than ``width`` (plain strings for fast tables).

    Breaks after spaces, URL punctuation and CJK characters when it can, anywhere when a
    run has no break (hashes, long URLs).
    """
    out: list[str] = []
    limit = width / size
    for para in clean(text).split("\n"):
        if pdfmetrics.stringWidth(para, font, size) <= width:
            out.append(para)
            continue
        line: list[str] = []
        w = 0.0
        brk = -1  # index in ``line`` after which a break is allowed
        for ch in para:
            cw = _char_width(ch, font)
            if line and w + cw > limit:
                if 0 <= brk < len(line) - 1:
                    head, rest = line[: brk + 1], line[brk + 1 :]
                else:
                    head, rest = line, []
                out.append("".join(head).rstrip())
                line = rest
                w = sum(_char_width(c, font) for c in line)
                brk = -1
                if ch == " " and not line:
                    continue
            line.append(ch)
            w += cw
            if _breakable_after(ch):
                brk = len(line) - 1
        out.append("".join(line).rstrip())
    if len(out) > max_lines:
        # A table row cannot run over a page: evidence text is cut here, whole in the ledger.
        out = [*out[: max_lines - 1], "…"]
    return "\n".join(out)


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    wrap_mode = "CJK" if lang == "zh" else None
    base = ParagraphStyle(
        "body", fontName=TEXT_FONT, fontSize=8.6, leading=12.5, wordWrap=wrap_mode
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "cell": derive("cell", fontSize=CELL_SIZE + 0.5, leading=CELL_LEADING + 1),
        "small": derive("small", fontSize=7, leading=9.2),
        "hex": derive("hex", fontName=HEX_FONT, fontSize=HEX_SIZE + 0.7, leading=9),
        # Fingerprints to read out over the phone: larger, one 16-byte group per line.
        "fp": derive("fp", fontName=HEX_FONT, fontSize=FP_SIZE, leading=FP_SIZE + 2.6),
        "note": derive("note", textColor=NOTE_COLOR),
        "agency": derive("agency", fontSize=13, leading=18, alignment=TA_CENTER),
        "title": derive("title", fontSize=20, leading=27, alignment=TA_CENTER, spaceBefore=2),
        "subtitle": derive("subtitle", fontSize=9, leading=13, alignment=TA_CENTER),
        "docno": derive("docno", fontSize=9, leading=13, alignment=TA_RIGHT, spaceAfter=6),
        "h": derive(
            "h",
            fontSize=11.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=5,
            textColor=colors.HexColor("#14325a"),
        ),
        "h3": derive("h3", fontSize=9.2, leading=13, spaceBefore=6, spaceAfter=3),
        "caption": derive("caption", fontSize=6.6, leading=8.4),
        "caption_note": derive("caption_note", fontSize=6.6, leading=8.4, textColor=NOTE_COLOR),
    }


def _grid(header: bool = True, extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.3, GRID_COLOR),
        ("FONTNAME", (0, 0), (-1, -1), TEXT_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    cmds.extend(extra)
    return TableStyle(cmds)


# -- the document ------------------------------------------------------------------------------


@dataclass
class RenderResult:
    pages: int
    thumbnails: int
    thumbnail_failures: int
    warnings: list[str]


class _JpegReader(ImageReader):  # type: ignore[misc]  # reportlab is untyped
    """A JPEG thumbnail reportlab embeds as it is.

    ``canvas.drawImage`` names every image by its ``getRGBData()``; the stock reader decodes
    the picture to raw RGB for that and keeps it (half a megabyte per thumbnail). The JPEG
    bytes name it just as well, and the JPEG itself is what gets embedded.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data
        self._dataA = None

    def getRGBData(self) -> bytes:
        return self._jpeg


class _Picture(Flowable):  # type: ignore[misc]  # reportlab is untyped
    def __init__(self, jpeg: bytes, width: float, height: float) -> None:
        super().__init__()
        self.jpeg = jpeg
        self.width = width
        self.height = height

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(_JpegReader(self.jpeg), 0, 0, self.width, self.height)


def _us_text(us: int) -> str:
    if us >= 1_000_000 and us % 100_000 == 0:
        return f"{us / 1_000_000:g} s"
    return f"{us / 1000:g} ms"


def _thumb_task(fp: BinaryIO | None, offsets: list[int] | None) -> Thumb | dict[int, Thumb]:
    if fp is None:
        missing = failed("th.missing")
        return missing if offsets is None else dict.fromkeys(offsets, missing)
    with fp:
        return image_thumb(fp) if offsets is None else video_thumbs(fp, offsets)


class _Builder:
    def __init__(
        self,
        model: ReportModel,
        source: ReportSource,
        lang: str,
        binding: ReportBinding | None,
        now: datetime,
    ) -> None:
        self.m = model
        self.source = source
        self.lang = lang
        self.binding = binding
        self.now = now
        self.st = _styles(lang)
        self.story: list[Flowable] = []
        self.warnings: list[str] = []
        self.thumbs_ok = 0
        self.thumbs_failed = 0

    # small helpers ------------------------------------------------------------------------

    def L(self, key: str, *args: object, **kwargs: object) -> str:
        return label(self.lang, key, *args, **kwargs)

    def p(self, text: object, style: str = "body") -> Paragraph:
        return Paragraph(para_text(text), self.st[style])

    def h(self, key: str) -> None:
        self.story.append(CondPageBreak(60))
        self.story.append(self.p(self.L(key), "h"))

    def h3(self, text: str) -> None:
        self.story.append(CondPageBreak(40))
        self.story.append(self.p(text, "h3"))

    def kv(self, rows: Sequence[tuple[str, object]], key_w: float = 100) -> Table:
        rows = rows or [("-", "-")]
        data = []
        for k, v in rows:
            cell = v if isinstance(v, Flowable | list) else self.p(v if v != "" else "-", "cell")
            data.append([self.p(k, "cell"), cell])
        # splitInRow: a long value may continue on the next page instead of failing layout.
        t = Table(data, colWidths=[key_w, FRAME_W - key_w], splitInRow=24)
        t.setStyle(_grid(False, [("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
        return t

    def hexp(self, value: str) -> Paragraph:
        return Paragraph(para_text(value), self.st["hex"])

    def table(
        self,
        header: list[str],
        rows: list[list[Any]],
        widths: list[float],
        extra: Iterable[tuple[Any, ...]] = (),
    ) -> list[Flowable]:
        """Bulk rows as several small tables, each with the header repeated."""
        head = [wrap(h, CELL_SIZE, w - 6) for h, w in zip(header, widths, strict=True)]
        out: list[Flowable] = []
        extra = list(extra)
        for i in range(0, max(len(rows), 1), CHUNK_ROWS):
            chunk = rows[i : i + CHUNK_ROWS]
            if not chunk:
                break
            t = Table([head, *chunk], colWidths=widths, repeatRows=1)
            t.setStyle(_grid(True, extra))
            out.append(t)
        return out

    # sections -------------------------------------------------------------------------------

    def build_story(self) -> list[Flowable]:
        self.title_block()
        self.case_section()
        self.time_section()
        self.place_section()
        self.people_section()
        self.target_section()
        self.carrier_section()
        self.method_section()
        self.clean_section()
        self.process_section()
        self.evidence_section()
        self.thumbs_section()
        self.derived_section()
        self.custody_section()
        self.verify_section()
        self.sign_section()
        return self.story

    def title_block(self) -> None:
        s = self.story
        s.append(self.p(self.m.agency or " ", "agency"))
        s.append(self.p(self.L("doc.title"), "title"))
        s.append(self.p(self.L("doc.subtitle"), "subtitle"))
        s.append(self.p(self.L("doc.number", self.m.document_number), "docno"))
        if self.m.meta.training:
            s.append(self.p(self.L("doc.training"), "note"))
            s.append(Spacer(1, 4))

    def extraction_text(self) -> str:
        ext = self.m.extraction
        if ext is None:
            return "-"
        a, b = ext
        text = self.L("t.range", bj(a), bj(b)) + "\n" + self.L("t.utc_range", utc(a), utc(b))
        if self.m.extraction_from_items:
            text += "\n" + self.L("t.from_items")
        return text

    def case_section(self) -> None:
        m = self.m.meta
        self.h("sec.case")
        self.story.append(
            self.kv(
                [
                    (self.L("f.title"), m.title),
                    (self.L("f.number"), m.number),
                    (self.L("f.case_id"), m.case_id),
                    (self.L("f.cause"), m.cause),
                    (self.L("f.party"), m.party or self.L("f.party_unknown")),
                    (self.L("f.purpose"), m.purpose),
                    (self.L("f.agency"), self.m.agency),
                    (self.L("f.location"), m.location),
                    (self.L("f.extraction"), self.extraction_text()),
                    (self.L("f.entries"), str(len(self.m.records))),
                    (
                        self.L("f.head"),
                        [self.p(f"#{self.m.head_seq}", "cell"), self.hexp(self.m.head_hash)],
                    ),
                ]
            )
        )

    def clock_summary(self) -> str:
        parts = []
        for c in self.m.clocks:
            if c.offset_us is None:
                text = f"{phase_text(self.lang, c.phase)} {self.L('t.offset_unknown')}"
            else:
                text = self.L(
                    "t.offset_item",
                    phase=phase_text(self.lang, c.phase),
                    offset=offset_text(c.offset_us),
                    server=c.server or "-",
                    rtt=offset_text(c.rtt_us).lstrip("+") if c.rtt_us is not None else "-",
                )
                if c.over_threshold:
                    text += " " + self.L("t.offset_warn", c.threshold_ms)
            parts.append(text)
        return ("；" if self.lang == "zh" else "; ").join(parts) or self.L("t.offset_unknown")

    def time_section(self) -> None:
        self.h("sec.time")
        self.story.append(
            self.kv(
                [
                    (self.L("f.extraction"), self.extraction_text()),
                    (self.L("t.offset_label"), self.clock_summary()),
                ]
            )
        )
        for c in self.m.clocks:
            if c.over_threshold:
                self.warnings.append(
                    f"clock offset {offset_text(c.offset_us or 0)} at entry {c.seq}"
                )
        if self.m.sessions:
            self.h3(self.L("t.sessions"))
            rows = []
            for s in self.m.sessions:
                who = []
                for key in s.signers:
                    o = self.m.officer(key)
                    who.append(f"{o.name} {o.badge}" if o else key[:16])
                people = ", ".join(who)
                if s.single_officer:
                    people += f" ({self.L('t.single')})"
                dur = duration((s.end - s.start).total_seconds()) if s.start and s.end else "-"
                rows.append(
                    [
                        wrap(s.sid, CELL_SIZE, 60),
                        f"{bj(s.start)}\nUTC {utc(s.start)}" if s.start else "-",
                        f"{bj(s.end)}\nUTC {utc(s.end)}" if s.end else "-",
                        dur,
                        wrap(people, CELL_SIZE, FRAME_W - 66 - 2 * 118 - 46 - 6),
                    ]
                )
            self.story.extend(
                self.table(
                    [
                        self.L(k)
                        for k in (
                            "t.col_session",
                            "t.col_start",
                            "t.col_end",
                            "t.col_duration",
                            "t.col_people",
                        )
                    ],
                    rows,
                    [66, 118, 118, 46, FRAME_W - 66 - 2 * 118 - 46],
                )
            )
        self.stamps_block()

    def stamps_block(self) -> None:
        self.h3(self.L("t.stamps"))
        stamps = self.m.stamps
        if not stamps:
            self.story.append(self.p(self.L("t.no_stamps"), "note"))
            self.warnings.append("no time-stamp in the ledger")
            return
        covered = max((s.stamped_seq for s in stamps if s.stamped_seq is not None), default=-1)
        text = self.L("t.coverage", covered) if covered >= 0 else ""
        uncovered = [r.seq for r in self.m.records if r.seq > covered and r.kind != "timestamp"]
        if len(uncovered) == 1:
            text += " " + self.L("t.uncovered_one", uncovered[0])
        elif uncovered:
            text += " " + self.L("t.uncovered", uncovered[0], uncovered[-1])
        # Policy and accuracy are usually the same for every token: said once, not per row.
        common: list[str] = []
        policies = {s.policy for s in stamps}
        accuracies = {s.accuracy_us for s in stamps}
        if len(policies) == 1 and "" not in policies:
            common.append(self.L("t.policy", next(iter(policies))))
        only_accuracy = next(iter(accuracies)) if len(accuracies) == 1 else None
        if only_accuracy is not None:
            common.append(self.L("t.accuracy", _us_text(only_accuracy)))
        if common:
            text += " " + self.L(
                "t.all_tokens", "；".join(common) if self.lang == "zh" else "; ".join(common)
            )
        self.story.append(self.p(text))
        self.story.append(Spacer(1, 3))
        widths = [46, 160, 96, FRAME_W - 302]
        rows = []
        for s in stamps:
            tsa = [s.tsa or "-", s.serial or "-"]
            if len(policies) > 1 and s.policy:
                tsa.append(self.L("t.policy", s.policy))
            if len(accuracies) > 1 and s.accuracy_us is not None:
                tsa.append(self.L("t.accuracy", _us_text(s.accuracy_us)))
            if s.late:
                tsa.append(self.L("t.late"))
            gen = (
                f"{bj(s.gen_time)}\nUTC {utc(s.gen_time)[:10]}\n{utc(s.gen_time, True)[11:]}"
                if s.gen_time
                else wrap(s.gen_time_raw or "-", CELL_SIZE, widths[2] - 6)
            )
            token = s.token
            token_text = f"{token.path}\n{token.sha256}" if token else "-"
            entry = f"#{s.stamped_seq}" if s.stamped_seq is not None else "?"
            if s.stamped_kind:
                entry += f"\n{s.stamped_kind}"
            rows.append(
                [
                    wrap(entry, CELL_SIZE, widths[0] - 6),
                    wrap("\n".join(tsa), CELL_SIZE, widths[1] - 6),
                    gen,
                    token_text,
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("t.col_entry", "t.col_tsa", "t.col_gentime", "t.col_token")],
                rows,
                widths,
                [("FONTNAME", (3, 1), (3, -1), HEX_FONT), ("FONTSIZE", (3, 1), (3, -1), HEX_SIZE)],
            )
        )

    def env_value(self, data: Mapping[str, Any], *keys: str) -> str:
        for k in keys:
            v = data.get(k)
            if v not in (None, "", [], {}) and not (
                k == "proxy" and isinstance(v, dict) and "mitmproxy" in v
            ):
                return flat(v, 6)
        return ""

    def place_section(self) -> None:
        self.h("sec.place")
        rows: list[tuple[str, object]] = [(self.L("f.location"), self.m.meta.location)]
        checks = [r for r in self.m.records if r.kind == "env.check"]
        first = next(
            (r for r in checks if r.data.get("phase") == "before"),
            checks[0] if checks else None,
        )
        if first is not None:
            d = flat_view(first.data)
            for key, keys in (
                ("n.public_ip", ("public_ip", "egress_ip", "public_ips")),
                ("n.local_ip", ("local_ip", "local_ips")),
                ("n.dns", ("dns_servers", "dns")),
                ("n.hostname", ("hostname", "host")),
                ("n.os", ("os", "os_version", "platform")),
                ("n.proxy", ("system_proxy", "os_proxy", "proxy")),
                ("n.vpn", ("vpn",)),
            ):
                value = self.env_value(d, *keys)
                if value:
                    rows.append((self.L(key), value))
        else:
            rows.append((self.L("n.summary"), self.L("n.none")))
        if self.m.hosts:
            rows.append((self.L("n.hosts"), self.listing(self.m.hosts, 30)))
        if self.m.server_ips:
            rows.append((self.L("n.server_ips"), self.listing(self.m.server_ips, 30)))
        self.story.append(self.kv(rows))

    def listing(self, values: list[str], limit: int) -> str:
        shown = values[:limit]
        text = "\n".join(cut(v, 300) for v in shown)
        if len(values) > limit:
            text += "\n" + self.L("g.more", len(values) - limit)
        return text

    def people_section(self) -> None:
        self.h("sec.people")
        widths = [46, 52, 96, 44, 50, FRAME_W - 288]
        rows = []
        for o in self.m.officers:
            rows.append(
                [
                    wrap(o.name, CELL_SIZE, widths[0] - 6),
                    wrap(o.badge, CELL_SIZE, widths[1] - 6),
                    wrap(o.agency, CELL_SIZE, widths[2] - 6),
                    wrap(role_text(self.lang, o.role), CELL_SIZE, widths[3] - 6),
                    wrap(
                        self.L("p.self") if o.self_signed else self.L("p.ca"),
                        CELL_SIZE,
                        widths[4] - 6,
                    ),
                    o.key,
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "p.col_name",
                        "p.col_badge",
                        "p.col_agency",
                        "p.col_role",
                        "p.col_cert",
                        "p.col_key",
                    )
                ],
                rows,
                widths,
                [("FONTNAME", (5, 1), (5, -1), HEX_FONT), ("FONTSIZE", (5, 1), (5, -1), HEX_SIZE)],
            )
        )
        if any(o.self_signed for o in self.m.officers):
            self.story.append(self.p(self.L("p.self_note"), "note"))
        recorders = [o for o in self.m.officers if o.role == "recorder"]
        assistants = [o for o in self.m.officers if o.role == "assistant"]
        none = self.L("p.none")
        self.story.append(Spacer(1, 3))
        self.story.append(
            self.p(
                self.L(
                    "p.recorder",
                    ", ".join(
                        f"{o.name}（{o.badge}）" if self.lang == "zh" else f"{o.name} ({o.badge})"
                        for o in recorders
                    )
                    or none,
                )
            )
        )
        self.story.append(
            self.p(
                self.L(
                    "p.assistants",
                    ", ".join(f"{o.name} {o.agency}".strip() for o in assistants) or none,
                )
            )
        )
        if self.m.meta.training:
            self.story.append(self.p(self.L("doc.training"), "note"))

    def target_section(self) -> None:
        self.h("sec.target")
        rows: list[tuple[str, object]] = []
        for key, value in self.m.meta.target.items():
            lk = f"g.{key}"
            rows.append((self.L(lk) if lk in LABELS else str(key), flat(value)))
        if not rows:
            rows.append((self.L("g.platform"), self.L("g.no_target")))
        counts: dict[str, int] = {}
        for row in self.m.evidence:
            name = category(self.lang, row.kind)
            counts[name] = counts.get(name, 0) + 1
        sep = "；" if self.lang == "zh" else "; "
        rows.append(
            (
                self.L("g.content"),
                sep.join(self.L("g.count", k, v) for k, v in counts.items()) or "-",
            )
        )
        if self.m.urls:
            rows.append((self.L("g.urls"), self.listing(self.m.urls, 40)))
        if self.m.login_accounts:
            rows.append((self.L("g.login"), ", ".join(self.m.login_accounts)))
        self.story.append(self.kv(rows))

    def carrier_section(self) -> None:
        self.h("sec.carrier")
        if self.m.meta.carrier_statement:
            self.story.append(self.p(self.m.meta.carrier_statement))
            return
        target = self.m.meta.target
        platform = str_of(target.get("platform")) or self.L("c.platform_unknown")
        where = self.L("c.where", ", ".join(self.m.server_ips[:8])) if self.m.server_ips else ""
        self.story.append(self.p(self.L("c.statement", platform=platform, where=where)))

    def method_section(self) -> None:
        self.h("sec.method")
        kinds = {r.kind for r in self.m.records}
        if any(k.startswith("capture.") for k in kinds):
            self.story.append(self.p(self.L("m.online")))
        if "import.file" in kinds:
            self.story.append(self.p(self.L("m.import")))
        self.story.append(self.p(self.L("m.seal")))
        tools = self.m.tools
        note = self.L("m.tool_ledger")
        if not tools:
            tools = [tool_info()]
            note = self.L("m.tool_here")
        for tool in tools:
            self.h3(f"{self.L('m.tool')} {note}")
            rows: list[tuple[str, object]] = [
                (self.L("m.name"), str_of(tool.get("name")) or APP_NAME),
                (self.L("m.version"), str_of(tool.get("version")) or "-"),
                (
                    self.L("m.build"),
                    self.hexp(str_of(tool.get("build") or tool.get("build_hash")) or "-"),
                ),
                (self.L("m.os"), str_of(tool.get("os")) or "-"),
                (self.L("m.python"), str_of(tool.get("python")) or "-"),
            ]
            self.story.append(self.kv(rows, 120))
        self.h3(self.L("m.proxy"))
        if not self.m.proxies:
            self.story.append(self.p(self.L("m.proxy_none")))
        for px in self.m.proxies:
            modifies = px.get("modifies_traffic")
            rows = [
                (
                    self.L("m.px_software"),
                    f"{str_of(px.get('software')) or 'mitmproxy'} {str_of(px.get('mitmproxy'))}".strip(),
                ),
                (self.L("m.px_listen"), str_of(px.get("listen")) or "-"),
                (self.L("m.px_ca"), self.hexp(str_of(px.get("ca_sha256")) or "-")),
                (self.L("m.px_addon"), self.hexp(str_of(px.get("addon_sha256")) or "-")),
                (
                    self.L("m.px_modifies"),
                    self.L("m.yes")
                    if modifies is True
                    else self.L("m.no")
                    if modifies is False
                    else "-",
                ),
            ]
            extra = {
                k: v
                for k, v in px.items()
                if k
                not in {
                    "software",
                    "mitmproxy",
                    "listen",
                    "ca_sha256",
                    "addon_sha256",
                    "modifies_traffic",
                }
            }
            for k, v in extra.items():
                rows.append((str(k), flat(v, 8)))
            self.story.append(self.kv(rows, 120))
            self.story.append(Spacer(1, 4))

    def clean_section(self) -> None:
        self.h("sec.clean")
        checks = [r for r in self.m.records if r.kind == "env.check"]
        if not checks:
            self.story.append(self.p(self.L("e.none"), "note"))
            self.warnings.append("no environment check in the ledger")
            return
        for rec in checks:
            d = rec.data
            when = rec.when
            title = self.L(
                "e.check",
                rec.seq,
                phase_text(self.lang, str_of(d.get("phase"))),
                both(when) if when else "",
            )
            self.h3(title)
            rows: list[tuple[str, object]] = []
            view = flat_view(d)
            if view is not d:
                # A sealed snapshot: one row per section, then the clock line.
                rows += [(name, text) for name, text in env_sections(d, self.lang)]
                rows.append((self.L("e.clock"), self.clock_line(mapping(view.get("clock")))))
                self.story.append(self.kv(rows, 120))
                continue
            for key, value in d.items():
                if key == "phase":
                    continue
                if key == "clock" and isinstance(value, dict):
                    rows.append((self.L("e.clock"), self.clock_line(value)))
                    continue
                if isinstance(value, dict):
                    for sub, sv in list(value.items())[:40]:
                        rows.append((f"{key}.{sub}", self.env_text(sv)))
                else:
                    rows.append((str(key), self.env_text(value)))
            self.story.append(self.kv(rows, 120))
        before = next((r for r in checks if r.data.get("phase") == "before"), None)
        after = next(
            (r for r in reversed(checks) if r.data.get("phase") == "after"),
            None,
        )
        recorded = env_changes(after.data, self.lang) if after else None
        if before is not None and after is not None and recorded is not None:
            # The after check compared itself with the before check when it was sealed.
            rows = [
                (self.L("e.changed") if real else self.L("e.compare"), text)
                for text, real in recorded
            ] or [(self.L("e.compare"), self.L("e.same"))]
            for text, real in recorded:
                if real:
                    self.warnings.append(f"environment changed during capture: {text}")
            self.h3(self.L("e.compare") + f"（#{before.seq} / #{after.seq}）")
            self.story.append(self.kv(rows, 120))
        elif before is not None and after is not None:
            bd, ad = before.data, after.data
            rows = []
            for key in bd:
                if key in ("phase", "clock", "checked_at", "time") or key not in ad:
                    continue
                same = bd[key] == ad[key]
                rows.append((str(key), self.L("e.same") if same else self.L("e.changed")))
                if not same:
                    self.warnings.append(f"environment changed during capture: {key}")
            if rows:
                self.h3(self.L("e.compare") + f"（#{before.seq} / #{after.seq}）")
                self.story.append(self.kv(rows, 120))

    def clock_line(self, clock: Mapping[str, Any]) -> str:
        offset = int_of(clock.get("offset_us"))
        rtt = int_of(clock.get("rtt_us", clock.get("round_trip_us")))
        server = str_of(clock.get("server")) or str_of(clock.get("best_server")) or "-"
        if offset is None:
            return f"{self.L('t.offset_unknown')} ({server})"
        text = f"{offset_text(offset)} ({server}, RTT {offset_text(rtt).lstrip('+') if rtt is not None else '-'})"
        threshold = int_of(clock.get("warn_threshold_ms")) or 1000
        if abs(offset) > threshold * 1000:
            text += " " + self.L("t.offset_warn", threshold)
        return text

    def env_text(self, value: object) -> str:
        if isinstance(value, list) and len(value) > 12:
            return flat(value, 12) + " " + self.L("e.items", len(value))
        return flat(value, 12)

    def process_section(self) -> None:
        self.h("sec.process")
        widths = [34, 92, 64, FRAME_W - 190]
        rows = []
        for rec in self.m.records:
            t = rec.when
            who = f"{rec.actor_name}\n{rec.actor_badge}"
            rows.append(
                [
                    f"#{rec.seq}",
                    f"{bj(t)}\n{utc(t, True)[11:]}" if t else "-",
                    wrap(who, CELL_SIZE, widths[2] - 6),
                    wrap(describe(self.lang, rec, self.m), CELL_SIZE, widths[3] - 6),
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("r.col_seq", "r.col_time", "r.col_actor", "r.col_what")],
                rows,
                widths,
            )
        )

    def evidence_section(self) -> None:
        self.h("sec.evidence")
        if not self.m.evidence:
            self.story.append(self.p(self.L("v.none")))
            return
        widths = [22, 104, 44, 50, 40, 32, FRAME_W - 292]
        rows = []
        for row in self.m.evidence:
            rows.append(
                [
                    str(row.no),
                    wrap(self.evidence_name(row), CELL_SIZE, widths[1] - 6),
                    wrap(category(self.lang, row.kind), CELL_SIZE, widths[2] - 6),
                    wrap(row.media_type, CELL_SIZE, widths[3] - 6),
                    size_text(row.size),
                    "SHA-256\nSM3",
                    f"{row.sha256}\n{row.sm3}",
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "v.col_no",
                        "v.col_name",
                        "v.col_cat",
                        "v.col_fmt",
                        "v.col_size",
                        "v.col_alg",
                        "v.col_value",
                    )
                ],
                rows,
                widths,
                [
                    ("FONTNAME", (6, 1), (6, -1), HEX_FONT),
                    ("FONTSIZE", (5, 1), (6, -1), HEX_SIZE),
                    ("LEADING", (5, 1), (6, -1), CELL_LEADING),
                    ("ALIGN", (4, 1), (4, -1), "RIGHT"),
                ],
            )
        )
        total = sum(r.size for r in self.m.evidence)
        self.story.append(Spacer(1, 3))
        self.story.append(
            self.p(self.L("v.total", len(self.m.evidence), size_text(total)), "small")
        )

    def evidence_name(self, row: EvidenceRow) -> str:
        text = f"{row.path}\n{self.L('v.entry', row.seq)}"
        proves = str_of(row.data.get("proves"))
        if proves:
            text += "\n" + self.L("v.proves", cut(proves, 300))
        return text

    # thumbnails ----------------------------------------------------------------------------

    def thumbs_section(self) -> None:
        # A heading alone at the foot of a page, its pictures on the next: keep them together.
        self.story.append(CondPageBreak(THUMB_MAX_H + 90))
        self.h("sec.thumbs")
        cells: list[list[Flowable]] = []
        marks_by_sha: dict[str, list[Any]] = {}
        for mk in self.m.marks:
            marks_by_sha.setdefault(mk.recording_sha256, []).append(mk)
        videos = {r.sha256 for r in self.m.evidence if r.media_type.startswith("video/")}
        tasks: list[tuple[EvidenceRow, list[int] | None]] = []
        for row in self.m.evidence:
            if row.media_type.startswith("image/"):
                tasks.append((row, None))
            elif row.media_type.startswith("video/"):
                marks = marks_by_sha.get(row.sha256, [])
                tasks.append((row, [0] + [max(0, mk.at_us or 0) for mk in marks]))
        made = self.make_thumbs(tasks)
        for (row, offsets), result in zip(tasks, made, strict=True):
            if offsets is None:
                assert isinstance(result, Thumb)
                cells.append(self.thumb_cell(row, result, self.caption(row)))
                continue
            assert isinstance(result, dict)
            cells.append(
                self.thumb_cell(row, result[0], [*self.caption(row), self.L("th.first_frame")])
            )
            for mk in sorted(marks_by_sha.get(row.sha256, []), key=lambda mk: mk.at_us or 0):
                caption = [
                    f"#{row.no} · {self.L('v.entry', mk.seq)}",
                    self.L("th.mark_frame", at_text(mk.at_us), cut(mk.note or "-", 200)),
                    bj(mk.time),
                ]
                cells.append(self.thumb_cell(row, result[max(0, mk.at_us or 0)], caption))
        for mk in self.m.marks:
            if mk.recording_sha256 not in videos:
                caption = [
                    self.L("v.entry", mk.seq),
                    self.L("th.mark_frame", at_text(mk.at_us), cut(mk.note or "-", 200)),
                    bj(mk.time),
                ]
                cells.append(self.thumb_cell(None, failed("th.no_recording"), caption))
        if not cells:
            self.story.append(self.p(self.L("th.none")))
            return
        col_w = FRAME_W / THUMB_COLS
        grid = [cells[i : i + THUMB_COLS] for i in range(0, len(cells), THUMB_COLS)]
        for line in grid:
            line.extend([[]] * (THUMB_COLS - len(line)))
        for i in range(0, len(grid), 4):
            t = Table(grid[i : i + 4], colWidths=[col_w] * THUMB_COLS)
            t.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                        ("TOPPADDING", (0, 0), (-1, -1), 4),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                        ("FONTNAME", (0, 0), (-1, -1), TEXT_FONT),
                    ]
                )
            )
            self.story.append(t)

    def make_thumbs(
        self, tasks: list[tuple[EvidenceRow, list[int] | None]]
    ) -> list[Thumb | dict[int, Thumb]]:
        """Thumbnails in parallel (Pillow and FFmpeg release the GIL), in task order.

        Files are opened here, on this thread, a few at a time; each worker reads and
        closes only the file it was given.
        """
        results: list[Thumb | dict[int, Thumb] | None] = [None] * len(tasks)
        with ThreadPoolExecutor(THUMB_WORKERS, thread_name_prefix="qz-thumb") as pool:
            pending: deque[tuple[int, Future[Thumb | dict[int, Thumb]]]] = deque()
            for i, (row, offsets) in enumerate(tasks):
                fp = self.source.open_sealed(row.item)
                pending.append((i, pool.submit(_thumb_task, fp, offsets)))
                while len(pending) >= 2 * THUMB_WORKERS:
                    j, fut = pending.popleft()
                    results[j] = fut.result()
            for j, fut in pending:
                results[j] = fut.result()
        return [r for r in results if r is not None]

    def caption(self, row: EvidenceRow) -> list[str]:
        lines = [
            f"#{row.no} {category(self.lang, row.kind)} · {self.L('v.entry', row.seq)}",
            row.path,
            self.L("th.sealed", bj(row.time)),
        ]
        d = row.data
        if str_of(d.get("title")):
            lines.append(cut(str_of(d.get("title")), 120))
        if str_of(d.get("url")):
            lines.append(cut(str_of(d.get("url")), 200))
        exif = mapping(d.get("exif"))
        if exif:
            if str_of(exif.get("camera")):
                lines.append(self.L("th.exif_camera", str_of(exif.get("camera"))))
            if str_of(exif.get("original_time")):
                lines.append(self.L("th.exif_time", str_of(exif.get("original_time"))))
            gps = mapping(exif.get("gps"))
            if gps:
                lines.append(self.L("th.exif_gps", str_of(gps.get("lat")), str_of(gps.get("lon"))))
        return lines

    def thumb_cell(
        self, row: EvidenceRow | None, thumb: Thumb, caption: list[str]
    ) -> list[Flowable]:
        col_w = FRAME_W / THUMB_COLS - 6
        out: list[Flowable] = []
        if thumb.jpeg is not None and thumb.width > 0 and thumb.height > 0:
            self.thumbs_ok += 1
            scale = min(col_w / thumb.width, THUMB_MAX_H / thumb.height)
            out.append(_Picture(thumb.jpeg, thumb.width * scale, thumb.height * scale))
            if thumb.cropped:
                caption = [*caption, self.L("th.top")]
        else:
            self.thumbs_failed += 1
            text = self.L("th.failed")
            if thumb.error and thumb.error != "th.failed":
                reason = self.L(thumb.error)
                text += f"（{reason}）" if self.lang == "zh" else f" ({reason})"
            box = Table([[self.p(text, "caption")]], colWidths=[col_w], rowHeights=[48])
            box.setStyle(
                TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 0.5, GRID_COLOR),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f3f3")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ]
                )
            )
            out.append(box)
            self.warnings.append(
                f"no thumbnail for {row.path if row else 'a mark'}: {thumb.error} {thumb.detail}".strip()
            )
        out.append(Spacer(1, 2))
        out.append(self.p("\n".join(caption), "caption"))
        if row is not None and row.data.get("exif_time_far_from_import") is True:
            out.append(self.p(self.L("th.exif_flag"), "caption_note"))
        return out

    # derived, custody, verification, signatures ----------------------------------------------

    def derived_section(self) -> None:
        self.h("sec.derived")
        derived = [r for r in self.m.evidence if r.kind == "derive"]
        if not derived:
            self.story.append(self.p(self.L("d.none")))
            return
        widths = [24, 120, 50, 170, FRAME_W - 364]
        rows = []
        for row in derived:
            parent_sha = str_of(row.data.get("parent_sha256"))
            parent = self.m.evidence_by_sha(parent_sha)
            parent_text = f"#{parent.no} {parent.path}" if parent else self.L("d.unknown_parent")
            dkey = f"dk.{str_of(row.data.get('kind'))}"
            rows.append(
                [
                    str(row.no),
                    wrap(row.path, CELL_SIZE, widths[1] - 6),
                    wrap(
                        self.L(dkey) if dkey in LABELS else str_of(row.data.get("kind")) or "-",
                        CELL_SIZE,
                        widths[2] - 6,
                    ),
                    [self.p(parent_text, "cell"), self.hexp(parent_sha or "-")],
                    wrap(
                        cut(str_of(row.data.get("reason")) or "-", 1000), CELL_SIZE, widths[4] - 6
                    ),
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "v.col_no",
                        "d.col_item",
                        "d.col_kind",
                        "d.col_parent",
                        "d.col_reason",
                    )
                ],
                rows,
                widths,
            )
        )
        for row in derived:
            if str_of(row.data.get("kind")) == "transcript" or row.media_type.startswith("text/"):
                self.transcript(row)

    def transcript(self, row: EvidenceRow) -> None:
        fp = self.source.open_sealed(row.item)
        if fp is None:
            return
        with fp:
            raw = fp.read(MAX_TRANSCRIPT_BYTES + 1)
        text = raw[:MAX_TRANSCRIPT_BYTES].decode("utf-8", errors="replace")
        truncated = len(raw) > MAX_TRANSCRIPT_BYTES or len(text) > MAX_TRANSCRIPT_CHARS
        text = text[:MAX_TRANSCRIPT_CHARS]
        self.h3(self.L("d.transcript", f"#{row.no} {row.path}"))
        self.story.append(self.p(text, "small"))
        if truncated:
            self.story.append(self.p(self.L("d.truncated"), "small"))

    def custody_section(self) -> None:
        self.h("sec.custody")
        kinds = ("package.export", "custody.transfer", "custody.receive", "verify", "case.close")
        records = [r for r in self.m.records if r.kind in kinds]
        if not records:
            self.story.append(self.p(self.L("u.none")))
            return
        widths = [34, 92, 64, FRAME_W - 190]
        rows = []
        for rec in records:
            t = rec.when
            rows.append(
                [
                    f"#{rec.seq}",
                    f"{bj(t)}\n{utc(t, True)[11:]}" if t else "-",
                    wrap(
                        f"{rec.actor_name}\n{rec.actor_badge}",
                        CELL_SIZE,
                        widths[2] - 6,
                    ),
                    wrap(describe(self.lang, rec, self.m), CELL_SIZE, widths[3] - 6),
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("r.col_seq", "r.col_time", "r.col_actor", "u.col_action")],
                rows,
                widths,
            )
        )

    def verify_section(self) -> None:
        self.h("sec.verify")
        for i, step in enumerate(label_list(self.lang, "y.steps"), 1):
            self.story.append(self.p(f"{i}. {step}"))
            self.story.append(Spacer(1, 2))

    def fingerprint_block(self) -> None:
        """Agency CA, officers' and TSA root certificates, as the verifier prints them."""
        fps = self.m.fingerprints
        head = [self.p(self.L("s.fp_title"), "h3"), self.p(self.L("s.fp_note"), "small")]
        head += [self.p(note, "note") for note in fingerprint_notes(self.lang, fps)]
        rows = fingerprint_rows(self.lang, fps)
        if not rows:
            self.story.append(KeepTogether(head))
            return
        data: list[list[Any]] = [
            [self.p(self.L("s.fp_col_cert"), "cell"), self.p(self.L("s.fp_col_sha"), "cell")]
        ]
        for row in rows:
            who = f"{row.title}\n{row.subject}" if row.subject else row.title
            data.append([self.p(who, "cell"), Paragraph("<br/>".join(row.lines), self.st["fp"])])
        t = Table(data, colWidths=[FRAME_W - FP_COL_W, FP_COL_W], repeatRows=1)
        t.setStyle(_grid(True))
        self.story.append(KeepTogether([*head, Spacer(1, 3), t]))
        self.story.append(Spacer(1, 8))

    def sign_section(self) -> None:
        self.h("sec.sign")
        self.fingerprint_block()
        self.story.append(self.p(self.L("s.confirm")))
        self.story.append(Spacer(1, 6))
        for o in self.m.officers:
            block = [
                self.p(
                    self.L(
                        "s.officer", role=role_text(self.lang, o.role), name=o.name, badge=o.badge
                    )
                ),
                self.hexp(self.L("s.key", o.key)),
                Spacer(1, 10),
                self.p(self.L("s.line")),
                Spacer(1, 10),
            ]
            self.story.append(KeepTogether(block))
        meta = self.m.meta
        if meta.party_not_signed_reason:
            self.story.append(self.p(self.L("s.party_refused", meta.party_not_signed_reason)))
        else:
            self.story.append(
                KeepTogether(
                    [
                        self.p(self.L("s.party", meta.party or "")),
                        Spacer(1, 10),
                        self.p(self.L("s.line")),
                    ]
                )
            )
        self.story.append(Spacer(1, 12))
        self.story.append(
            self.p(
                self.L(
                    "doc.generated",
                    app=APP_NAME,
                    version=forensics.__version__,
                    time=both(self.now),
                ),
                "small",
            )
        )


def render(
    model: ReportModel,
    source: ReportSource,
    target: Any,
    *,
    lang: str,
    binding: ReportBinding | None,
    now: datetime,
) -> RenderResult:
    """Lay out and write the report to ``target`` (a path or a binary file)."""
    b = _Builder(model, source, lang, binding, now)
    story = b.build_story()
    decor = page_decor(model, lang, binding, now)
    doc = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{label(lang, 'doc.title')} {model.meta.number}",
        author=model.agency,
        subject=label(lang, "doc.meta_subject", model.meta.number),
        creator=f"{APP_NAME} {forensics.__version__}",
        producer=f"{APP_NAME} {forensics.__version__} (reportlab)",
        keywords=[binding.package_id if binding else model.meta.case_id, model.head_hash],
        invariant=1,
        initialFontName=TEXT_FONT,
        lang="zh-CN" if lang == "zh" else "en",
    )
    with _RENDER_LOCK:
        saved = rl_config.useA85
        # Binary streams: smaller, and reportlab's pure-Python ASCII85 encoder (used when
        # its optional C accelerator is absent) costs seconds on a report with pictures.
        rl_config.useA85 = 0
        try:
            doc.build(story, canvasmaker=canvas_class(decor))
        finally:
            rl_config.useA85 = saved
    return RenderResult(decor.pages, b.thumbs_ok, b.thumbs_failed, b.warnings)
