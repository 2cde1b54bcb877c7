"""Choosing an area of the page: a rubber band over the view; Esc cancels."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QRubberBand, QWidget


class AreaSelector(QWidget):
    selected = Signal(QRect)  # in the coordinates of the widget it covers
    cancelled = Signal()

    def __init__(self, over: QWidget) -> None:
        super().__init__(over)
        self.setObjectName("areaSelector")
        self.setGeometry(over.rect())
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._origin = QPoint()

    def start(self) -> None:
        over = self.parentWidget()
        if over is not None:
            self.setGeometry(over.rect())
        self.show()
        self.raise_()
        self.setFocus()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 40))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            self.rect().adjusted(0, 8, 0, 0),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            self.tr("Drag to choose the area to seal — Esc cancels"),
        )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._origin = event.position().toPoint()
        self.band.setGeometry(QRect(self._origin, QSize()))
        self.band.show()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        area = QRect(self._origin, event.position().toPoint()).normalized()
        self.finish(area)

    def finish(self, area: QRect) -> None:
        self.band.hide()
        self.hide()
        self.selected.emit(area)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.band.hide()
            self.hide()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
