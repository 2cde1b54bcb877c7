"""Video viewer: QtMultimedia playback of a sealed recording segment, with its marks
(click one to jump there)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.transcript import format_time_code


class VideoViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.video = QVideoWidget()
        self.video.setMinimumHeight(200)
        self.player.setVideoOutput(self.video)
        self.play = QToolButton()
        self.play.setText("▶")
        self.play.setToolTip(self.tr("Play / pause"))
        self.play.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.sliderMoved.connect(self.player.setPosition)
        self.position = QLabel("00:00:00.000")
        self.player.positionChanged.connect(self._position)
        self.player.durationChanged.connect(lambda d: self.slider.setRange(0, int(d)))
        self.player.playbackStateChanged.connect(self._state)
        self.marks = QListWidget()
        self.marks.setObjectName("marks")
        self.marks.setMaximumHeight(110)
        self.marks.itemActivated.connect(self._jump)
        self.marks.itemClicked.connect(self._jump)
        bar = QHBoxLayout()
        bar.addWidget(self.play)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.position)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addLayout(bar)
        layout.addWidget(QLabel(self.tr("Marks in this segment")))
        layout.addWidget(self.marks)

    def load(self, path: Path, marks: Sequence[tuple[int, str]]) -> None:
        """``marks``: (milliseconds into this segment, note)."""
        self.player.stop()
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.marks.clear()
        for at_ms, note in marks:
            item = QListWidgetItem(f"{format_time_code(at_ms)}  {note}")
            item.setData(Qt.ItemDataRole.UserRole, at_ms)
            self.marks.addItem(item)
        if not marks:
            self.marks.addItem(self.tr("No marks."))

    def stop(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())

    def toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _jump(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(at, int):
            self.player.setPosition(at)

    def _position(self, ms: int) -> None:
        self.position.setText(format_time_code(ms))
        if not self.slider.isSliderDown():
            self.slider.setValue(int(ms))

    def _state(self, state: QMediaPlayer.PlaybackState) -> None:
        self.play.setText("⏸" if state == QMediaPlayer.PlaybackState.PlayingState else "▶")
