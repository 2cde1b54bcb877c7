"""The case view's viewers of sealed items, offscreen, with real files: the video player's
standard controls and the frame at a mark; a page snapshot rendered as the page (scripts off,
offline, its own pictures shown); a clean-environment check as the pre-check's table; the
traffic table's URL column and times in Beijing time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWidgets import QApplication, QStyle
from pytestqt.qtbot import QtBot

from app.desk.beijing import beijing, with_beijing
from app.desk.timeline import TimelineRow
from app.installation import Installation
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.entry_data.recording import MarkData
from forensics.environment.seal import seal_snapshot
from forensics.environment.snapshot import EnvSnapshot, snapshot
from tests.conftest import World
from tests.ui.conftest import save_screenshot
from tests.ui.helpers import fill_case, write_mp4
from tests.ui.sealed_samples import page_html, write_mhtml
from ui.main_window import MainWindow
from ui.models.timeline import ROW_ROLE, TimelineModel
from ui.models.traffic import TrafficModel
from ui.viewers.snapshot import SnapshotViewer
from ui.viewers.video import VideoViewer


def at_mark(frame: QVideoFrame, us: int = 1_100_000) -> bool:
    return frame.isValid() and frame.startTime() <= us < frame.endTime()


def test_video_controls_use_the_style_icons_and_a_mark_shows_its_frame(
    qtbot: QtBot, tmp_path: Path
) -> None:
    mp4 = write_mp4(tmp_path / "video.mp4", seconds=2, fps=5)  # frame n is red n*40
    viewer = VideoViewer()
    qtbot.addWidget(viewer)
    viewer.resize(480, 400)
    viewer.show()
    play_icon = viewer.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
    pause_icon = viewer.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause)
    assert viewer.play.text() == "" and viewer.play.icon().cacheKey() != 0
    assert viewer.play.icon().pixmap(16).toImage() == play_icon.pixmap(16).toImage()
    viewer.load(mp4, [(1100, "主播口播“正品”")])

    frames: list[QVideoFrame] = []
    viewer.video.videoSink().videoFrameChanged.connect(lambda f: frames.append(QVideoFrame(f)))
    mark = viewer.marks.item(0)
    viewer.marks.itemClicked.emit(mark)  # the officer clicks the mark while nothing plays
    qtbot.waitUntil(lambda: any(at_mark(f) for f in frames), timeout=10_000)
    assert viewer.player.playbackState() == QMediaPlayer.PlaybackState.PausedState
    shown = next(f for f in reversed(frames) if at_mark(f))
    red = shown.toImage().pixelColor(32, 24).red()
    assert abs(red - 5 * 40) < 24, red  # the colour of frame 5 (1.0–1.2 s), not of frame 0
    assert viewer.position.text() == "00:00:01.100"

    viewer.toggle()
    qtbot.waitUntil(
        lambda: viewer.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
    )
    assert viewer.play.icon().pixmap(16).toImage() == pause_icon.pixmap(16).toImage()
    viewer.stop()


# -- the page snapshot ---------------------------------------------------------------------


class Probe:
    """A loopback HTTP server that records every request (none may come from a viewer)."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe()
    yield p
    p.close()


def plain_text(qtbot: QtBot, viewer: SnapshotViewer) -> str:
    assert viewer.page is not None
    got: list[str] = []
    viewer.page.toPlainText(got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    return got[0]


def test_snapshot_is_shown_as_the_page_with_scripts_off_and_offline(
    qtbot: QtBot, tmp_path: Path, probe: Probe, zh: str
) -> None:
    mhtml = write_mhtml(
        tmp_path / "000012-snapshot.mhtml", "https://shop.range.test/item/1", page_html(probe.url)
    )
    assert "=E7=A4=BA" in mhtml.read_text(encoding="ascii")  # quoted-printable, as sealed
    viewer = SnapshotViewer()
    qtbot.addWidget(viewer)
    viewer.resize(900, 640)
    viewer.show()
    viewer.load(mhtml)
    assert viewer.page is not None
    with qtbot.waitSignal(viewer.page.loadFinished, timeout=30_000) as done:
        pass
    assert done.args == [True]
    text = plain_text(qtbot, viewer)
    assert "示例旗舰店 正品保证" in text and "售价 199 元" in text
    assert "=E7" not in text and "SCRIPT-RAN" not in text  # rendered; the script never ran
    assert viewer.stack.currentWidget() is viewer.view
    assert "脚本" in viewer.info.text()  # says scripts are off, in Chinese
    qtbot.wait(300)
    assert probe.hits == []  # nothing reached the network
    save_screenshot(viewer, "snapshot_viewer.png")

    viewer.source_toggle.setChecked(True)  # the sealed source, one click away
    assert viewer.stack.currentWidget() is viewer.source
    qtbot.waitUntil(lambda: "quoted-printable" in viewer.source.edit.toPlainText())


def test_a_snapshot_shows_the_pictures_it_holds(qtbot: QtBot, tmp_path: Path, zh: str) -> None:
    """The archive's own resources (a picture sealed inside the MHTML under its web address)
    are shown: offline means nothing from the network, not nothing at all."""
    red = QImage(40, 40, QImage.Format.Format_RGB32)
    red.fill(QColor(220, 20, 20))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert red.save(buffer, "PNG")
    html = (
        "<html><body style='margin:0;background:#fff'>"
        "<img src='https://shop.range.test/img/red.png' width='200' height='200'>"
        "<p>商品主图</p></body></html>"
    )
    mhtml = write_mhtml(
        tmp_path / "shop.mhtml", "https://shop.range.test/item/1", html,
        {"https://shop.range.test/img/red.png": ("image/png", bytes(data.data()))},
    )  # fmt: skip
    viewer = SnapshotViewer()
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    viewer.load(mhtml)
    assert viewer.page is not None and viewer.view is not None
    qtbot.waitUntil(lambda: "商品主图" in plain_text(qtbot, viewer), timeout=30_000)
    view = viewer.view

    def pixel() -> QColor:
        return view.grab().toImage().pixelColor(100, 100)

    qtbot.waitUntil(lambda: pixel().red() > 180 and pixel().green() < 80, timeout=10_000)
    assert viewer.guard is not None and viewer.guard.blocked == []


def test_the_offline_guard_blocks_what_a_page_would_fetch(
    qtbot: QtBot, tmp_path: Path, probe: Probe
) -> None:
    """The guard in its own right: a plain HTML file whose page may reach remote URLs (the
    viewer forbids that too, a second wall): every request but the file's own is blocked."""
    html = tmp_path / "page.html"
    html.write_text(page_html(probe.url), encoding="utf-8")
    viewer = SnapshotViewer()
    qtbot.addWidget(viewer)
    viewer.show()
    viewer._ensure_view()
    assert viewer.guard is not None and viewer.page is not None and viewer.profile is not None
    remote = QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls
    assert not viewer.profile.settings().testAttribute(remote)
    viewer.profile.settings().setAttribute(remote, True)
    url = QUrl.fromLocalFile(str(html))
    viewer.guard.allowed = url
    with qtbot.waitSignal(viewer.page.loadFinished, timeout=30_000):
        viewer.page.load(url)
    assert "示例旗舰店" in plain_text(qtbot, viewer)
    qtbot.waitUntil(lambda: len(viewer.guard.blocked) >= 2)  # type: ignore[union-attr]
    assert {u.rsplit("/", 1)[-1] for u in viewer.guard.blocked} >= {"style.css", "tracker.png"}
    qtbot.wait(300)
    assert probe.hits == []


# -- in the case view ----------------------------------------------------------------------


@pytest.fixture
def main_window(qapp: QApplication) -> Iterator[Callable[[World], MainWindow]]:
    """Main windows deleted at the end of the test (a page view must not outlive the test:
    Qt WebEngine shuts down with the application)."""
    made: list[MainWindow] = []

    def make(world: World) -> MainWindow:
        made.append(MainWindow(Installation(world.home), "zh_CN"))
        return made[-1]

    yield make
    for window in made:
        window.close()
        window.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def check_now() -> EnvSnapshot:
    """This machine's clean-environment check (loopback only: fails fast, warns)."""
    return snapshot(
        ["https://shop.range.test/"], ntp_servers=["127.0.0.1"],
        echo_urls=["http://127.0.0.1:9/"], timeout=0.5,
    )  # fmt: skip


def test_case_view_renders_snapshots_and_checks_and_gives_urls_the_width(
    qtbot: QtBot,
    world: World,
    case: Case,
    tmp_path: Path,
    probe: Probe,
    zh: str,
    main_window: Callable[[World], MainWindow],
) -> None:
    session = fill_case(case, world.lead, tmp_path)
    mhtml = write_mhtml(
        tmp_path / "snapshot.mhtml", "https://shop.range.test/item/1", page_html(probe.url)
    )
    case.seal_file(
        world.lead, mhtml, kind="capture.snapshot", media_type="multipart/related",
        session=session, data={"url": "https://shop.range.test/item/1"},
    )  # fmt: skip
    seal_snapshot(case, world.lead, check_now(), phase="before", session=session)
    window = main_window(world)
    window.resize(1360, 700)
    window.show()
    window._refresh_now()
    window.open_case(case.case_id)
    view = window.case_view
    rows = [view.model.data(view.model.index(r, 0), ROW_ROLE) for r in range(view.model.rowCount())]
    by_kind = {r.kind: n for n, r in enumerate(rows) if isinstance(r, TimelineRow)}

    # The summary keeps room beside a long time-stamp state.
    assert view.table.horizontalHeader().sectionSize(TimelineModel.SUMMARY) >= 120

    view.table.selectRow(by_kind["capture.screenshot"])
    details = view.item_info.height()
    view.table.selectRow(by_kind["capture.snapshot"])
    assert view.viewers.currentWidget() is view.snapshot_viewer
    page = view.snapshot_viewer.page
    assert page is not None
    qtbot.waitUntil(lambda: "示例旗舰店 正品保证" in plain_text(qtbot, view.snapshot_viewer))
    qtbot.waitUntil(lambda: view.snapshot_viewer.info.text().startswith("封存时的页面"))
    qtbot.wait(500)  # the page painted
    assert view.item_info.height() == details >= 120  # the page view does not squeeze it
    save_screenshot(window, "case_snapshot.png")

    view.table.selectRow(by_kind["env.check"])  # the pre-check's table, not raw JSON
    assert view.viewers.currentWidget() is view.env_check_viewer
    shown = view.env_check_viewer.browser.toPlainText()
    assert "告警及其含义" in shown and "目标域名解析" in shown and '"snapshot"' not in shown
    assert view.env_check_viewer.summary.text().startswith(
        f"已封存为账本第 {rows[by_kind['env.check']].seq} 条"
    )

    view.table.selectRow(by_kind["capture.traffic"])
    traffic = view.traffic_viewer
    qtbot.waitUntil(lambda: traffic.model.rowCount() == 2)
    header = traffic.table.horizontalHeader()
    url_width = header.sectionSize(TrafficModel.URL)
    others = [
        header.sectionSize(c)
        for c in range(TrafficModel.COLUMNS)
        if c != TrafficModel.URL and not traffic.table.isColumnHidden(c)
    ]
    assert url_width >= traffic.table.viewport().width() // 2 > 0, (url_width, others)
    assert url_width > sum(others)
    started = traffic.detail.toPlainText().splitlines()[1]
    assert "北京时间" in started and "T" not in started.split("（")[0], started
    traffic.resize(1000, 400)  # wide enough: every column, the URL still the widest
    assert not any(traffic.table.isColumnHidden(c) for c in range(TrafficModel.COLUMNS))
    assert header.sectionSize(TrafficModel.URL) == max(
        header.sectionSize(c) for c in range(TrafficModel.COLUMNS)
    )


def test_har_times_are_shown_in_beijing_time() -> None:
    assert beijing("2026-12-06T23:36:53Z") == "2026-12-07 07:36:53.000"
    assert beijing("2026-11-28T11:30:01.123456+00:00") == "2026-11-28 19:30:01.123"
    assert beijing("2026-11-28T19:30:01+08:00") == "2026-11-28 19:30:01.000"
    assert beijing("2026-11-28T11:30:01") == "2026-11-28T11:30:01"  # no zone: as it is
    assert beijing("yesterday") == "yesterday"
    data = {"taken_at": "2026-12-06T23:36:53Z", "n": 3, "items": ["2026-12-06T23:00:00+00:00"]}
    assert with_beijing(data, "北京时间") == {
        "taken_at": "2026-12-06T23:36:53Z（北京时间 2026-12-07 07:36:53.000）",
        "n": 3,
        "items": ["2026-12-06T23:00:00+00:00（北京时间 2026-12-07 07:00:00.000）"],
    }
    assert with_beijing({"note": "2026-12-06 is a date"}, "北京时间") == {
        "note": "2026-12-06 is a date"
    }


def test_an_entry_without_items_shows_its_times_in_beijing_time_beside_utc(
    qtbot: QtBot, world: World, case: Case, main_window: Callable[[World], MainWindow], zh: str
) -> None:
    """The raw entry view (a mark, as the recorder seals it): the sealed UTC time stays as
    sealed, its Beijing time beside it; the entry's own time is given in Beijing time."""
    session = case.start_session(world.lead, SessionStartData("test", ()))
    mark = MarkData(
        recording="rec-1", segment=0, at_us=400_000, segment_at_us=400_000,
        time="2026-12-06T23:36:53.120000Z", note="主播口播“正品”",
    )  # fmt: skip
    case.ledger.append(world.lead, "mark", mark.to_json(), session=session)
    window = main_window(world)
    window.show()
    window.open_case(case.case_id)
    view = window.case_view
    rows = [view.model.data(view.model.index(r, 0), ROW_ROLE) for r in range(view.model.rowCount())]
    (n,) = [i for i, r in enumerate(rows) if isinstance(r, TimelineRow) and r.kind == "mark"]
    view.table.selectRow(n)
    assert view.viewers.currentWidget() is view.entry_viewer
    shown = view.entry_viewer.edit.toPlainText()
    assert '"time": "2026-12-06T23:36:53.120000Z（北京时间 2026-12-07 07:36:53.120）"' in shown
    assert "主播口播“正品”" in shown  # the rest as sealed
    assert rows[n].beijing in view.item_info.toPlainText() and "T" not in rows[n].beijing
