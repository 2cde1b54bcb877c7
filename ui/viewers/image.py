"""Image viewer with zoom: decoded off the GUI thread (a full page can be 20,000 px tall),
shown in a graphics view that scales without copying the picture."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task


class _View(QGraphicsView):
    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.25 if event.angleDelta().y() > 0 else 0.8
            self.scale(factor, factor)
            event.accept()
            return
        super().wheelEvent(event)


class ImageViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene = QGraphicsScene(self)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.view = _View(self.scene)
        self.view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.info = QLabel()
        self.info.setObjectName("imageInfo")
        bar = QHBoxLayout()
        for text, tip, slot in (
            ("−", self.tr("Zoom out"), lambda: self.zoom(0.8)),
            ("+", self.tr("Zoom in"), lambda: self.zoom(1.25)),
            ("1:1", self.tr("Actual size"), self.actual_size),
            ("⤢", self.tr("Fit width"), self.fit_width),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addWidget(self.info, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._token = 0

    def load(self, path: Path) -> None:
        self._token += 1
        token = self._token
        self.info.setText(self.tr("Loading…"))
        run_task(lambda: QImage(str(path)), lambda o: self._loaded(token, o))

    def _loaded(self, token: int, outcome: Outcome[QImage]) -> None:
        if token != self._token:
            return  # another item was chosen meanwhile
        image = outcome.value
        if outcome.error is not None or image is None or image.isNull():
            self.item.setPixmap(QPixmap())
            self.info.setText(self.tr("The picture could not be decoded."))
            return
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene.setSceneRect(self.item.boundingRect())
        self.info.setText(f"{image.width()} × {image.height()} px")
        self.fit_width()

    def zoom(self, factor: float) -> None:
        self.view.scale(factor, factor)

    def actual_size(self) -> None:
        self.view.resetTransform()

    def fit_width(self) -> None:
        rect = self.item.boundingRect()
        if rect.width() <= 0:
            return
        self.view.resetTransform()
        scale = min(1.0, (self.view.viewport().width() - 4) / rect.width())
        self.view.scale(scale, scale)
        self.view.centerOn(rect.center().x(), 0)

    def scale(self) -> float:
        return float(self.view.transform().m11())
