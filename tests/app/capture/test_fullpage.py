"""The full-page action's check for a picture grabbed before Chromium drew the tall view
(app/capture/fullpage.py ``flat_below``) and how the officer is told (the result summary).
The capture itself runs against the practice range in test_session_e2e.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from app.capture.actions import CaptureResult
from app.capture.fullpage import flat_below
from forensics.ledger import Record

SCREEN = 720
pytestmark = pytest.mark.usefixtures("qapp")  # QPainter's text needs the application's fonts


def page(height: int, *, below: QColor | None = None, mark_at: int | None = None) -> QImage:
    """A 1280-px-wide picture: something drawn on the first screen, ``below`` filling the
    rest (grey as Chromium's background), and optionally one small mark further down."""
    image = QImage(1280, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(below or QColor(245, 245, 245))
    painter = QPainter(image)
    painter.fillRect(40, 40, 300, 300, QColor("#c0392b"))
    painter.drawText(400, 100, "凯岚潮品折扣店")
    if mark_at is not None:
        painter.fillRect(600, mark_at, 3, 3, Qt.GlobalColor.black)
    painter.end()
    return image


def test_a_stale_frame_is_flat_below_the_first_screen() -> None:
    assert flat_below(page(24_350), SCREEN)
    assert flat_below(page(24_350, below=QColor("white")), SCREEN)


def test_a_drawn_page_is_not() -> None:
    assert not flat_below(page(24_350, mark_at=24_349), SCREEN)  # the last row
    assert not flat_below(page(24_350, mark_at=12_000), SCREEN)  # one small mark mid-page
    two_tones = page(24_350)
    painter = QPainter(two_tones)
    painter.fillRect(0, 9_000, 1280, 15_350, QColor("white"))
    painter.end()
    assert not flat_below(two_tones, SCREEN)


def test_a_page_no_taller_than_the_screen_is_never_flagged() -> None:
    assert not flat_below(page(SCREEN), SCREEN)
    assert not flat_below(page(SCREEN + 1), SCREEN)
    assert not flat_below(QImage(), SCREEN)


def _result(parts: list[dict[str, object]]) -> CaptureResult:
    entry = {
        "seq": 12,
        "kind": "capture.fullpage",
        "data": {"parts": parts},
        "items": [{"path": "evidence/0012/fullpage.png"}],
    }
    record = Record(entry, "0" * 64, {}, [])
    return CaptureResult("capture.fullpage", record, record.items)


def test_the_officer_is_told_when_a_picture_stays_flat() -> None:
    flagged = _result([{"flat_below_first_screen": True, "regrabbed": True}])
    assert "check the page is blank there" in flagged.summary("en")
    assert "首屏以下为单一颜色" in flagged.summary("zh_CN")
    fine = _result([{"flat_below_first_screen": False, "regrabbed": False}])
    assert fine.summary("en") == "#12 full page: evidence/0012/fullpage.png"
    assert fine.summary("zh_CN") == "#12 整页截图：evidence/0012/fullpage.png"
