"""Video viewer: QtMultimedia playback of a sealed recording segment, with its marks
(click one to jump there: the frame at the mark is shown, playing or not)."""

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
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.transcript import format_time_code
from ui.util import named

_Icon = QStyle.StandardPixmap


class VideoViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.video = QVideoWidget()
        self.video.setMinimumHeight(120)
        self.player.setVideoOutput(self.video)
        # The style's own media icons (a glyph such as U+23F8 is missing from many fonts).
        self.play = named(QToolButton(), "playPause")
        self.play.setToolTip(self.tr("Play / pause"))
        self.play.clicked.connect(self.toggle)
        self.stop_button = named(QToolButton(), "stop")
        self.stop_button.setIcon(self.style().standardIcon(_Icon.SP_MediaStop))
        self.stop_button.setToolTip(self.tr("Stop"))
        self.stop_button.clicked.connect(self._to_start)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.sliderMoved.connect(self.seek)
        self.position = QLabel("00:00:00.000")
        self.player.positionChanged.connect(self._position)
        self.player.durationChanged.connect(lambda d: self.slider.setRange(0, int(d)))
        self.player.playbackStateChanged.connect(self._state)
        self.player.mediaStatusChanged.connect(self._status)
        self._pending: int | None = None  # a position asked for before the media was ready
        self.marks = QListWidget()
        self.marks.setObjectName("marks")
        self.marks.setMinimumHeight(48)
        self.marks.setMaximumHeight(110)
        self.marks.itemActivated.connect(self._jump)
        self.marks.itemClicked.connect(self._jump)
        # Its own controls and marks, in one widget a viewer driving the player hides
        # (ui/viewers/side_by_side.py plays two files on one clock).
        self.controls = QWidget()
        bar = QHBoxLayout()
        bar.addWidget(self.play)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.position)
        below = QVBoxLayout(self.controls)
        below.setContentsMargins(0, 0, 0, 0)
        below.addLayout(bar)
        below.addWidget(QLabel(self.tr("Marks in this segment")))
        below.addWidget(self.marks)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.controls)
        self._state(QMediaPlayer.PlaybackState.StoppedState)

    def load(self, path: Path, marks: Sequence[tuple[int, str]]) -> None:
        """``marks``: (milliseconds into this segment, note)."""
        self._pending = None
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

    def seek(self, ms: int) -> None:
        """Go to ``ms``; a stopped player pauses there, so the frame at ``ms`` is shown
        (once the media is loaded, if it is still loading)."""
        if self.player.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            self._pending = ms
            self.player.pause()
        self.player.setPosition(ms)

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        ready = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if status in ready and self._pending is not None:
            ms, self._pending = self._pending, None
            self.player.setPosition(ms)

    def _to_start(self) -> None:
        self.player.pause()
        self.player.setPosition(0)

    def _jump(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(at, int):
            self.seek(at)

    def _position(self, ms: int) -> None:
        self.position.setText(format_time_code(ms))
        if not self.slider.isSliderDown():
            self.slider.setValue(int(ms))

    def _state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play.setIcon(
            self.style().standardIcon(_Icon.SP_MediaPause if playing else _Icon.SP_MediaPlay)
        )
