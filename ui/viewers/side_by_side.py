"""What the officer saw beside what the server sent: a screen-recording segment
(``capture.video``) and a stream item (``capture.stream``) played side by side on one
wall clock (Beijing time), with one play/pause and one position slider.

Each side is a ``VideoViewer`` whose own controls are hidden; seeking puts each player at
the moment in its own file (``app.desk.clips`` says where each file starts, from the
ledger), and a side whose file does not cover the moment says so instead of showing a
frame from another time. While playing, a timer advances the clock and starts, stops or
re-aligns each player as the moment enters, leaves or drifts from its file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.beijing import beijing
from app.desk.clips import Clip
from app.desk.errors import explain
from forensics.errors import QuzhengError
from ui.util import named
from ui.viewers.video import VideoViewer

TICK_MS: Final = 100
DRIFT_MS: Final = 400  # a playing side further than this from the clock is put back on it

type Opener = Callable[[Clip], Path]  # the sealed file of a clip (raises QuzhengError)

_Icon = QStyle.StandardPixmap
_PLAYING = QMediaPlayer.PlaybackState.PlayingState


def _ms(delta: timedelta) -> int:
    return round(delta / timedelta(milliseconds=1))


def span_text(clip: Clip) -> str:
    """``2026-11-28 19:30:00.000 – 19:30:02.000`` (Beijing time)."""
    return f"{beijing(clip.start.isoformat())} – {beijing(clip.end.isoformat())[11:]}"


class ClipPane(QWidget):
    """One side: its title, the file's span in Beijing time, and the player or, when the
    moment lies outside the file (or the file cannot be read), a label saying so."""

    def __init__(self, title: str, name: str, blank: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.clip: Clip | None = None  # None: nothing loaded, or its file cannot be read
        self.blank_text = blank
        self.title = QLabel(f"<b>{title}</b>")
        self.span = QLabel()
        self.viewer = VideoViewer()
        self.viewer.controls.hide()
        self.blank = named(QLabel(blank), "noPicture")
        self.blank.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.blank.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.viewer)
        self.stack.addWidget(self.blank)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.span)
        layout.addWidget(self.stack, 1)

    @property
    def player(self) -> QMediaPlayer:
        return self.viewer.player

    def load(self, clip: Clip, path: Path | None, problem: str = "") -> None:
        """Play ``path``, the file of ``clip``; None: it cannot be read, for ``problem``."""
        self.clear()
        self.span.setText(span_text(clip))
        self.blank.setText(problem or self.blank_text)
        if path is not None:
            self.clip = clip
            self.viewer.load(path, [])

    def clear(self) -> None:
        self.viewer.stop()
        self.clip = None
        self.span.clear()
        self.stack.setCurrentWidget(self.blank)

    def show_at(self, when: datetime, playing: bool) -> None:
        """Show the frame at ``when`` (playing on from it when ``playing``)."""
        at = self.clip.position_ms(when) if self.clip is not None else None
        if at is None:
            if self.player.playbackState() == _PLAYING:
                self.player.pause()
            self.stack.setCurrentWidget(self.blank)
            return
        self.stack.setCurrentWidget(self.viewer)
        if not playing:
            if self.player.playbackState() == _PLAYING:
                self.player.pause()
            self.viewer.seek(at)
        elif self.player.playbackState() != _PLAYING:
            self.player.setPosition(at)
            self.player.play()
        elif abs(self.player.position() - at) > DRIFT_MS:
            self.player.setPosition(at)


class SideBySideViewer(QWidget):
    """A window: the recording segment (left) and the stream item (right) on one clock."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("sideBySide")
        self.setWindowTitle(self.tr("Play side by side (recording and stream)"))
        self.lang = lang
        self._stream: Clip | None = None
        self._recordings: list[Clip] = []
        self._opener: Opener | None = None
        blank = self.tr("No picture at this moment")
        self.recording = ClipPane(
            self.tr("Screen recording (what the officer saw)"), "recordingSide", blank
        )
        self.stream = ClipPane(self.tr("Live stream as the server sent it"), "streamSide", blank)
        self.chooser = named(QComboBox(), "recordingChoice")
        self.chooser.currentIndexChanged.connect(self._choose)
        self.play = named(QToolButton(), "playPause")
        self.play.setToolTip(self.tr("Play / pause"))
        self.play.clicked.connect(self.toggle)
        self.slider = named(QSlider(Qt.Orientation.Horizontal), "clock")
        self.slider.sliderMoved.connect(
            lambda ms: self.seek(self._origin + timedelta(milliseconds=ms))
        )
        self.moment_label = named(QLabel(), "moment")
        self._origin: datetime = datetime.min  # the slider's 0 and its end
        self._end: datetime = datetime.min
        self.moment: datetime = datetime.min  # the wall-clock moment shown
        self._playing_from: datetime | None = None  # the moment play was pressed at
        self._elapsed = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

        pick = QHBoxLayout()
        pick.addWidget(QLabel(self.tr("Recording segment")))
        pick.addWidget(self.chooser, 1)
        sides = QHBoxLayout()
        sides.addWidget(self.recording, 1)
        sides.addWidget(self.stream, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.play)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.moment_label)
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addLayout(sides, 1)
        layout.addLayout(bar)
        self._show_state(playing=False)

    # -- loading --------------------------------------------------------------------------

    def load(self, stream: Clip, recordings: Sequence[Clip], opener: Opener) -> None:
        """The stream item and the recording segments sharing its time (the first is shown;
        the chooser lists them all), their files found by ``opener``."""
        self.stop()
        self._stream, self._recordings, self._opener = stream, list(recordings), opener
        self._open(self.stream, stream)
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for clip in self._recordings:
            self.chooser.addItem(self.tr("No. {0}: {1}").format(clip.seq, span_text(clip)))
        self.chooser.setEnabled(len(self._recordings) > 1)
        self.chooser.blockSignals(False)
        self._choose(0)

    def _choose(self, index: int) -> None:
        """Show recording segment ``index`` (none when there is none) beside the stream,
        from the first moment both show."""
        stream = self._stream
        recording = self._recordings[index] if 0 <= index < len(self._recordings) else None
        if stream is None:
            return
        if recording is None:
            self.recording.clear()
            self._origin, self._end = stream.start, stream.end
        else:
            self._open(self.recording, recording)
            self._origin = min(recording.start, stream.start)
            self._end = max(recording.end, stream.end)
        self.slider.setRange(0, _ms(self._end - self._origin))
        self.seek(max(recording.start, stream.start) if recording else stream.start)

    def _open(self, pane: ClipPane, clip: Clip) -> None:
        if self._opener is None:
            return
        try:
            pane.load(clip, self._opener(clip))
        except QuzhengError as exc:  # a missing sealed file: the verifier reports it too
            pane.load(clip, None, explain(exc, self.lang))

    # -- the clock ------------------------------------------------------------------------

    def seek(self, when: datetime) -> None:
        """Go to wall-clock ``when`` on both sides (playing on if playing)."""
        self.moment = when
        if self._playing_from is not None:
            self._playing_from = when
            self._elapsed.restart()
        self._show()

    def toggle(self) -> None:
        if self._playing_from is not None:
            self._playing_from = None
            self._timer.stop()
            self._show_state(playing=False)
            self._show()
            return
        if self.moment >= self._end:
            self.moment = self._origin
        self._playing_from = self.moment
        self._elapsed.start()
        self._timer.start()
        self._show_state(playing=True)
        self._show()

    def stop(self) -> None:
        self._timer.stop()
        self._playing_from = None
        self._show_state(playing=False)
        self.recording.clear()
        self.stream.clear()

    def _tick(self) -> None:
        if self._playing_from is None:
            return
        self.moment = self._playing_from + timedelta(milliseconds=self._elapsed.elapsed())
        if self.moment >= self._end:
            self.moment = self._end
            self.toggle()
        else:
            self._show()

    def _show(self) -> None:
        playing = self._playing_from is not None
        self.recording.show_at(self.moment, playing)
        self.stream.show_at(self.moment, playing)
        if not self.slider.isSliderDown():
            self.slider.setValue(_ms(self.moment - self._origin))
        self.moment_label.setText(
            self.tr("Beijing time {0}").format(beijing(self.moment.isoformat()))
        )

    def _show_state(self, playing: bool) -> None:
        icon = _Icon.SP_MediaPause if playing else _Icon.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)
