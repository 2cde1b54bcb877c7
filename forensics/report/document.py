"""The PDF itself (reportlab platypus): the story in section order, laid out on A4 with every
page's header and footer (``forensics/report/page.py``).

Every page's header and footer are drawn after the last page is laid out, so "第 x 页 共 y 页"
is known.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, SimpleDocTemplate

import forensics
from forensics.report.fonts import TEXT_FONT
from forensics.report.labels import label
from forensics.report.ledger_tables import LedgerTables
from forensics.report.method import MethodSections
from forensics.report.model import ReportModel
from forensics.report.page import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    ReportBinding,
    canvas_class,
    page_decor,
)
from forensics.report.particulars import ParticularSections
from forensics.report.signatures import SignatureSections
from forensics.report.source import ReportSource
from forensics.report.stream_view import StreamSections
from forensics.report.thumb_grid import ThumbnailGrid
from forensics.report.tool import APP_NAME

# reportlab keeps global state (font registry, rl_config): one report is laid out at a time.
_RENDER_LOCK = threading.Lock()


@dataclass
class RenderResult:
    pages: int
    thumbnails: int
    thumbnail_failures: int
    warnings: list[str]


class ReportBuilder(
    ParticularSections,
    MethodSections,
    LedgerTables,
    ThumbnailGrid,
    SignatureSections,
    StreamSections,
):
    """The whole story, section by section."""

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
        self.stream_section()  # the stream as received beside the recording; the chat
        self.custody_section()
        self.verify_section()
        self.sign_section()
        return self.story


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
    b = ReportBuilder(model, source, lang, binding, now)
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
