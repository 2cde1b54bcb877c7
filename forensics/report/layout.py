"""Laying out the report's story: measures, paragraph styles, table grids, wrapped text, and
``StoryBuilder``, the state and small helpers every section adds to the story with.

Bulk tables (the process narrative, the evidence list, time-stamps) use plain, pre-wrapped
strings (``wrap``) rather than Paragraphs: a 1,000-item case then renders in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from forensics.report.fonts import HEX_FONT, TEXT_FONT, clean, drawable, para_text
from forensics.report.labels import label
from forensics.report.model import ReportModel
from forensics.report.narrative import cut
from forensics.report.page import GRID_COLOR, MARGIN_X, PAGE_W, ReportBinding
from forensics.report.source import ReportSource

FRAME_W = PAGE_W - 2 * MARGIN_X
CHUNK_ROWS = 40  # rows per bulk table: small tables split across pages cheaply
MAX_CELL_LINES = 48  # lines of one table cell (a row must fit on a page)
HEX_SIZE = 6.3
CELL_SIZE = 7.0
CELL_LEADING = 9.0
FP_SIZE = 9.5
FP_COL_W = 230.0  # 16 bytes "XX:" at FP_SIZE, plus the cell padding
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


def table_grid(header: bool = True, extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
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


class StoryBuilder:
    """The story being built for one report, and the helpers its sections share."""

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
        t.setStyle(table_grid(False, [("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
        return t

    def hexp(self, value: str) -> Paragraph:
        """A digest in the condensed font; any other text in the text font (never a missing
        glyph: the condensed font has Latin only)."""
        text = clean(value)
        return Paragraph(para_text(text), self.st["hex" if drawable(text, HEX_FONT) else "cell"])

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
            t.setStyle(table_grid(True, extra))
            out.append(t)
        return out

    def listing(self, values: list[str], limit: int) -> str:
        shown = values[:limit]
        text = "\n".join(cut(v, 300) for v in shown)
        if len(values) > limit:
            text += "\n" + self.L("g.more", len(values) - limit)
        return text
