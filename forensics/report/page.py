"""What every page carries: the header, and the footer that binds paper to package.

The footer holds the package id and the SHA-256 and SM3 of ``custody/manifest.json``
(``ReportBinding``), or "not yet exported" for a live case, the ledger head, and a QR code
with ``quzheng:<package or case id>:<sha256>``. Pages are held until the last one is laid
out (``canvas_class``), so each can say "第 x 页 共 y 页".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from forensics.report.fonts import HEX_FONT, TEXT_FONT, clean
from forensics.report.labels import label
from forensics.report.model import ReportModel
from forensics.report.narrative import cut
from forensics.report.pdfa import make_pdfa

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 21 * mm
# The QR code: 45 modules (version 7, error correction M, for the 109-character binding) at
# about 0.58 mm each, so that a print of the page read back at 100 dpi (2.3 pixels a module)
# decodes; a quiet zone of five modules (3 mm) around it, and 5 mm from the paper's edge
# for printers that cannot print to the edge.
QR_SIZE = 26 * mm
QR_QUIET = 3 * mm
QR_EDGE = 5 * mm
FOOTER_RULE = QR_EDGE + QR_SIZE + QR_QUIET  # the footer's top rule, from the page's bottom
MARGIN_BOTTOM = FOOTER_RULE + 5 * mm
_QR_FORM = "QuzhengBinding"
GRID_COLOR = colors.HexColor("#9a9a9a")


@dataclass(frozen=True)
class ReportBinding:
    """What binds paper to package: the package id and its manifest's digests."""

    package_id: str
    manifest_sha256: str
    manifest_sm3: str


@dataclass
class PageDecor:
    lang: str
    agency: str
    docno: str
    package_line: str
    manifest_lines: list[tuple[str, str]]  # (label, hex value)
    head_line: tuple[str, str]
    qr_value: str
    created: datetime
    pages: int = 0
    _qr: list[list[bool]] | None = field(default=None, repr=False)
    _qr_form: bool = False

    def qr_modules(self) -> list[list[bool]]:
        if self._qr is None:
            code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
            code.add_data(self.qr_value)
            code.make(fit=True)
            self._qr = [[bool(v) for v in row] for row in code.get_matrix()]
        return self._qr

    def draw_qr(self, c: Any, x: float, y: float) -> None:
        """The QR code as filled rectangles (one per run of dark modules): vector, no font."""
        rows = self.qr_modules()
        cell = QR_SIZE / len(rows)
        path = c.beginPath()
        for r, row in enumerate(rows):
            top = y + QR_SIZE - (r + 1) * cell
            col = 0
            while col < len(row):
                if row[col]:
                    start = col
                    while col < len(row) and row[col]:
                        col += 1
                    path.rect(x + start * cell, top, (col - start) * cell, cell)
                else:
                    col += 1
        c.setFillColor(colors.black)
        c.drawPath(path, stroke=0, fill=1)

    def place_qr(self, c: Any, x: float, y: float) -> None:
        """Every page shows the same code: drawn once as a form, referenced on each page."""
        if not self._qr_form:
            c.beginForm(_QR_FORM, 0, 0, QR_SIZE, QR_SIZE)
            self.draw_qr(c, 0, 0)
            c.endForm()
            self._qr_form = True
        c.saveState()
        c.translate(x, y)
        c.doForm(_QR_FORM)
        c.restoreState()

    def timestamp(self) -> TimeStamp:
        """The PDF's creation date: the report's ``now``, so a pinned clock gives equal bytes."""
        ts = TimeStamp(invariant=True)
        t = self.created.timestamp()
        ts.t = t
        ts.lt = time.gmtime(t)
        ts.YMDhms = tuple(ts.lt)[:6]
        return ts

    def draw(self, c: Any, page: int, total: int) -> None:
        c.saveState()
        lang = self.lang
        # header
        y = PAGE_H - 12 * mm
        c.setFont(TEXT_FONT, 7.5)
        c.setFillColor(colors.HexColor("#333333"))
        c.drawString(MARGIN_X, y, clean(cut(self.agency, 40)))
        c.drawCentredString(PAGE_W / 2, y, clean(label(lang, "doc.title")))
        c.drawRightString(
            PAGE_W - MARGIN_X,
            y,
            clean(
                label(lang, "doc.number", cut(self.docno, 40))
                + "    "
                + label(lang, "doc.page", page, total)
            ),
        )
        c.setStrokeColor(GRID_COLOR)
        c.setLineWidth(0.4)
        c.line(MARGIN_X, y - 2.2 * mm, PAGE_W - MARGIN_X, y - 2.2 * mm)
        # footer: rule, four lines of binding, the page number, the QR code at the right
        top = FOOTER_RULE
        c.line(MARGIN_X, top, PAGE_W - MARGIN_X, top)
        x = MARGIN_X
        yy = top - 8
        c.setFont(TEXT_FONT, 6.8)
        c.drawString(x, yy, clean(cut(self.package_line, 120)))
        c.drawRightString(
            PAGE_W - MARGIN_X - QR_SIZE - QR_QUIET,
            yy,
            clean(label(lang, "doc.page", page, total)),
        )
        for lab, value in [*self.manifest_lines, self.head_line]:
            yy -= 8.6
            c.setFont(TEXT_FONT, 6.3)
            text = clean(lab)
            c.drawString(x, yy, text)
            if value:
                c.setFont(HEX_FONT, 6.6)
                c.drawString(x + pdfmetrics.stringWidth(text, TEXT_FONT, 6.3), yy, value)
        self.place_qr(c, PAGE_W - MARGIN_X - QR_SIZE, QR_EDGE)
        c.restoreState()


def canvas_class(decor: PageDecor) -> type:
    class ReportCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        """Holds pages until the end so every page can say how many there are."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            self._doc._timeStamp = decor.timestamp()

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                decor.draw(self, number, total)
                Canvas.showPage(self)
            decor.pages = total
            make_pdfa(self)
            Canvas.save(self)

    return ReportCanvas


def page_decor(
    model: ReportModel, lang: str, binding: ReportBinding | None, now: datetime
) -> PageDecor:
    """The header and footer of ``model``'s report, bound to ``binding`` when exported."""
    case_id = model.meta.case_id
    if binding is None:
        package_line = label(lang, "foot.unexported", case_id)
        manifest_lines = [(label(lang, "foot.manifest_none"), "")]
        qr_value = f"quzheng:{case_id}:{model.head_hash}"
    else:
        package_line = label(lang, "foot.package", binding.package_id)
        manifest_lines = [
            (label(lang, "foot.manifest_sha256"), binding.manifest_sha256),
            (label(lang, "foot.manifest_sm3"), binding.manifest_sm3),
        ]
        qr_value = f"quzheng:{binding.package_id}:{binding.manifest_sha256}"
    return PageDecor(
        lang=lang,
        agency=model.agency,
        docno=model.document_number,
        package_line=package_line,
        manifest_lines=manifest_lines,
        head_line=(label(lang, "foot.head", model.head_seq), model.head_hash),
        qr_value=qr_value,
        created=now,
    )
