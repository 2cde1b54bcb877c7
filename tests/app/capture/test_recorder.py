"""The screen recorder on a plain widget (no browser needed): segments sealed as they close,
frame counts, the burned-in case number and time, marks, pauses with a reason, failing
closed when a segment cannot be sealed."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import av
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.capture.recorder import ScreenRecorder, VideoSettings
from app.capture.sealer import Sealer
from forensics.case import Case
from forensics.entry_data import RecordingNote, read_note
from forensics.entry_data.recording import RESUME
from forensics.errors import CaptureError, InputError
from forensics.ledger import Record
from tests.app.capture.conftest import verify
from tests.conftest import World
from tests.forensics.package.test_entry_data import read_back

FPS = 10


class Ticker(QLabel):
    """A widget whose picture changes all the time, like a live page."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0
        self.resize(321, 241)  # odd on purpose: the video must be cropped to even sizes
        self.setStyleSheet("background: #3a6ea5; color: white; font-size: 40px;")
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.timer.start(30)
        self.show()

    def step(self) -> None:
        self.n += 1
        self.setText(f"frame {self.n}")


def decode(case: Case, record: Record) -> list[Any]:
    item = record.entry["items"][0]
    with av.open(str(case.store.blob_path(item["sha256"]))) as container:
        return [f.to_image() for f in container.decode(video=0)]


def videos(case: Case) -> list[Record]:
    return [r for r in case.ledger.records() if r.kind == "capture.video"]


@pytest.fixture
def sealer(case: Case, world: World) -> Any:
    session = case.start_session(world.lead)
    s = Sealer(case, world.lead, session)
    yield s
    s.close()


def test_segments_marks_and_pause(
    qtbot: QtBot, case: Case, world: World, sealer: Sealer, tmp_path: Path
) -> None:
    widget = Ticker()
    qtbot.addWidget(widget)
    recorder = ScreenRecorder(
        widget,
        tmp_path / "video",
        sealer,
        case_number="测试〔2026〕1号",
        settings=VideoSettings(fps=FPS, segment_seconds=1.0),
    )
    recorder.start()
    qtbot.wait(1500)
    mark = recorder.mark("口播“正品保证”")
    with pytest.raises(InputError):
        recorder.pause("   ")
    qtbot.wait(500)
    pause = recorder.pause("现场休息 break")
    with pytest.raises(CaptureError):
        recorder.mark("while paused")
    qtbot.wait(300)
    recorder.resume()
    qtbot.wait(1200)
    segments = recorder.stop()

    records = videos(case)
    assert len(records) == len(segments) >= 4
    assert [r.entry["data"]["segment"] for r in records] == list(range(len(records)))
    total_frames = total_dropped = 0
    recorded_us = 0
    for record in records:
        data = record.entry["data"]
        frames = decode(case, record)
        assert len(frames) == data["frames"] > 0
        assert (data["width"], data["height"]) == (320, 240) == frames[0].size
        assert data["case_number"] == "测试〔2026〕1号" and data["fps"] == FPS
        assert record.entry["items"][0]["media_type"] == "video/mp4"
        total_frames += data["frames"]
        total_dropped += data["dropped_frames"]
        recorded_us += data["duration_us"]
    # Every frame slot is either a frame or counted as dropped (within 10 %).
    expected = recorded_us / 1_000_000 * FPS
    assert abs(total_frames + total_dropped - expected) <= 0.1 * expected + 2
    assert total_frames >= 0.5 * expected

    # The burned-in label sits in the bottom-right corner: a dark box with white text.
    first = decode(case, records[0])[0].convert("L")
    corner = first.crop((first.width - 120, first.height - 14, first.width - 4, first.height - 4))
    values = [corner.getpixel((x, y)) for x in range(corner.width) for y in range(corner.height)]
    assert min(values) < 60 and max(values) > 180

    m = mark.result(5).entry
    assert m["kind"] == "mark" and m["data"]["note"] == "口播“正品保证”"
    assert 1_300_000 <= m["data"]["at_us"] <= 2_200_000
    seg = next(r for r in records if r.entry["data"]["segment"] == m["data"]["segment"])
    assert seg.entry["data"]["start_us"] <= m["data"]["at_us"] <= seg.entry["data"]["end_us"]
    p = pause.result(5).entry
    assert p["kind"] == "note" and p["data"]["text"] == "现场休息 break"
    assert p["data"]["event"] == "recording.pause"
    # The pause closed a segment: no segment spans the paused time.
    assert any(r.entry["data"]["end_us"] <= p["data"]["at_us"] + 200_000 for r in records)
    # Every entry the recorder sealed reads back through its type as written; the resume
    # without words of the officer's has none to show.
    assert read_back(case.ledger.records()) >= {"capture.video", "mark", "note"}
    resumed = [read_note(r.data) for r in case.ledger.records() if r.kind == "note"][-1]
    assert isinstance(resumed, RecordingNote) and resumed.event == RESUME
    assert resumed.own_text == "" and resumed.recording == m["data"]["recording"]
    assert verify(case, world).bottom_line
    assert not list((tmp_path / "video").iterdir())  # sealed work copies removed


def test_seal_failure_stops_recording_loudly(
    qtbot: QtBot,
    case: Case,
    world: World,
    sealer: Sealer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    widget = Ticker()
    qtbot.addWidget(widget)

    def broken(*args: Any, **kwargs: Any) -> Future[Record]:
        future: Future[Record] = Future()
        future.set_exception(CaptureError("cannot write evidence: No space left on device"))
        return future

    monkeypatch.setattr(sealer, "seal_items", broken)
    recorder = ScreenRecorder(
        widget,
        tmp_path / "video",
        sealer,
        case_number="X",
        settings=VideoSettings(fps=FPS, segment_seconds=0.5),
    )
    with qtbot.waitSignal(recorder.failed, timeout=5000) as blocker:
        recorder.start()
    err = blocker.args[0]
    assert isinstance(err, CaptureError) and "No space left" in err.message_en
    qtbot.wait(300)
    grabbed = recorder.frames_grabbed
    qtbot.wait(400)
    assert recorder.frames_grabbed == grabbed  # nothing more is recorded
    with pytest.raises(CaptureError):
        recorder.mark("after failure")
    with pytest.raises(CaptureError):
        recorder.stop()
    assert not videos(case)  # nothing half-recorded
    # The written but unsealed segment stays for recovery by the next session.
    assert list((tmp_path / "video").glob("*.mp4"))
    assert verify(case, world).bottom_line


def test_request_stop_does_not_wait_for_the_seal(
    qtbot: QtBot, case: Case, world: World, sealer: Sealer, tmp_path: Path
) -> None:
    """The GUI thread only asks the recorder to stop; the last segment is sealed in the
    background and whoever closes the session waits for it (off the GUI thread)."""
    widget = Ticker()
    qtbot.addWidget(widget)
    recorder = ScreenRecorder(
        widget, tmp_path / "video", sealer, case_number="X", settings=VideoSettings(fps=FPS)
    )
    recorder.start()
    qtbot.wait(600)
    gate = threading.Event()
    held = sealer.submit(lambda: gate.wait(30))  # the sealer is busy with something else
    recorder.request_stop()  # returns although the last segment cannot be sealed yet
    assert recorder.state == "stopped"
    grabbed = recorder.frames_grabbed
    qtbot.wait(300)
    assert recorder.frames_grabbed == grabbed  # no frame after the stop
    assert not held.done() and not videos(case)
    gate.set()
    segments = recorder.wait_stopped(10)
    assert len(segments) == 1 and segments[0].frames == grabbed
    assert [r.entry["data"]["frames"] for r in videos(case)] == [grabbed]
    assert verify(case, world).bottom_line


def test_settings_are_checked() -> None:
    with pytest.raises(InputError):
        VideoSettings(fps=0)
    with pytest.raises(InputError):
        VideoSettings(segment_seconds=0)
    with pytest.raises(InputError):
        VideoSettings(preset="placebo")
