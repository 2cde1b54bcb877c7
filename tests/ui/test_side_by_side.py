"""A stream item played beside the recording of the same time (issue #18), from the case
view, on a capture sealed by the session's own hook: seeking to a wall-clock moment puts
each player at that moment in its own file, and a side whose file does not cover the
moment says so."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame
from pytestqt.qtbot import QtBot

from app.desk.timeline import TimelineRow
from app.installation import Installation
from forensics.entry_data import StreamData, VideoData
from tests.conftest import World
from tests.forensics.report.builders import FullCase
from tests.forensics.stream.test_report_section import seal_room_traffic
from ui.main_window import MainWindow
from ui.models.timeline import ROW_ROLE
from ui.viewers.side_by_side import ClipPane, SideBySideViewer

FRAME_MS = 100  # both files run at 10 frames per second


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def shown_at(pane: ClipPane, qtbot: QtBot, ms: int) -> None:
    """The pane's player is at ``ms`` of its file and shows the frame there."""
    frames: list[QVideoFrame] = []
    pane.viewer.video.videoSink().videoFrameChanged.connect(lambda f: frames.append(QVideoFrame(f)))
    qtbot.waitUntil(lambda: abs(pane.player.position() - ms) <= FRAME_MS, timeout=10_000)
    current = QVideoFrame(pane.viewer.video.videoSink().videoFrame())
    qtbot.waitUntil(
        lambda: any(
            f.isValid() and abs(f.startTime() // 1000 - ms) <= 2 * FRAME_MS
            for f in [current, *frames]
        ),
        timeout=10_000,
    )
    assert pane.stack.currentWidget() is pane.viewer


def test_recording_and_stream_play_on_one_clock(
    full: FullCase, world: World, tmp_path: Path, qtbot: QtBot, zh: str
) -> None:
    seal_room_traffic(full.case, world, tmp_path)
    video = VideoData.from_json(full.records["video"].data)
    (sealed,) = [r for r in full.case.ledger.records() if r.kind == "capture.stream"]
    stream = StreamData.from_json(sealed.data)
    assert stream.period is not None and stream.flv is not None
    # Where the stream's MP4 starts (docs/package-format.md §4.5, app/desk/clips.py): the
    # period's first tag arrived as the period began (the response began before it); the
    # file's first packet is ``stream_first_ms`` on the stream's clock.
    first_tag = min(
        part["first_ms"]
        for part in (stream.flv["lead_not_copied"], stream.flv["copied"])
        if part["first_ms"] is not None
    )
    first, last = stream.media["stream_first_ms"], stream.media["stream_last_ms"]
    stream_start = when(stream.period.started) + timedelta(milliseconds=first - first_tag)
    stream_end = stream_start + timedelta(milliseconds=last - first)
    recording_start, recording_end = when(video.started), when(video.ended)

    window = MainWindow(Installation(world.home), "zh_CN")
    qtbot.addWidget(window)
    window.show()
    window._refresh_now()
    window.table.selectRow(0)
    window.open_selected()
    view = window.case_view
    rows = [view.model.data(view.model.index(n, 0), ROW_ROLE) for n in range(view.model.rowCount())]
    by_seq = {r.seq: n for n, r in enumerate(rows) if isinstance(r, TimelineRow)}
    view.table.selectRow(by_seq[full.records["video"].seq])
    assert view.compare.isHidden()  # offered on stream items only
    view.table.selectRow(by_seq[sealed.seq])
    assert not view.compare.isHidden() and view.compare.isEnabled()
    assert view.compare.text() == "对照播放（录屏与直播流）"
    view.compare.click()
    viewer = view.side_by_side
    assert isinstance(viewer, SideBySideViewer) and viewer.isVisible()
    assert viewer.recording.title.text() == "<b>录屏（执法人员所见）</b>"
    assert viewer.stream.title.text() == "<b>服务器发送的直播流</b>"
    assert viewer.chooser.count() == 1
    assert viewer.chooser.itemText(0).startswith(f"第 {full.records['video'].seq} 条记录")
    # It opens where both show a picture, and the slider spans both files.
    assert viewer.moment == recording_start
    assert viewer.slider.maximum() == round((stream_end - stream_start).total_seconds() * 1000)

    # A moment inside both files: each player at that moment in its own file.
    moment = when("2026-11-28T11:30:01.300000+00:00")
    viewer.seek(moment)
    assert viewer.moment_label.text() == "北京时间 2026-11-28 19:30:01.300"
    shown_at(viewer.recording, qtbot, round((moment - recording_start).total_seconds() * 1000))
    shown_at(viewer.stream, qtbot, round((moment - stream_start).total_seconds() * 1000))

    # One play button plays both from there, on the clock; pressed again, both pause.
    viewer.play.click()
    playing = QMediaPlayer.PlaybackState.PlayingState
    qtbot.waitUntil(
        lambda: (
            viewer.recording.player.playbackState() == playing
            and viewer.stream.player.playbackState() == playing
            and viewer.moment > moment
        ),
        timeout=10_000,
    )
    viewer.play.click()
    assert viewer.recording.player.playbackState() != playing
    assert viewer.stream.player.playbackState() != playing

    # Moving the shared slider past the recording's end: the stream plays on, the recording
    # side says it has no picture then.
    later = recording_end + timedelta(seconds=2)
    viewer.slider.sliderMoved.emit(round((later - stream_start).total_seconds() * 1000))
    assert viewer.moment == later
    assert viewer.recording.stack.currentWidget() is viewer.recording.blank
    assert viewer.recording.blank.text() == "此时段无画面"
    shown_at(viewer.stream, qtbot, round((later - stream_start).total_seconds() * 1000))

    # A moment before the stream's file begins: the stream side has no picture.
    viewer.seek(stream_start - timedelta(milliseconds=500))
    assert viewer.stream.stack.currentWidget() is viewer.stream.blank
    assert viewer.stream.blank.isVisible() and viewer.stream.blank.text() == "此时段无画面"
    viewer.close()
