"""The capture workspace, end to end, in a child pytest run (``test_workspace_e2e`` starts it).

The session's browser is the one the installation's settings choose (``browser.engine``):
a Chromium-family browser over CDP — headless here, since Qt draws offscreen — or the Qt
WebEngine fallback. Qt WebEngine takes its proxy flags once per process, before the Qt
application exists, so the real workspace cannot run inside the parent's test process
(which already has a ``QApplication``). Here, before pytest-qt makes its application, the
session starts for real — the recording proxy (its own child), the practice range over TLS
in this process, the clean-environment check — and then the workspace window is driven
with qtbot.

The file is not named ``test_*`` so the parent run does not collect it. What each scenario
saw is written to the JSON file the parent named; the parent verifies the case.
"""

from __future__ import annotations

import errno
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

CONFIG = json.loads(Path(os.environ["QUZHENG_UI_CONFIG"]).read_text(encoding="utf-8"))
LOAD_MS = 60_000
ACTION_MS = 90_000


@pytest.fixture(autouse=True)
def sync_tasks() -> Iterator[None]:
    """The real pool runner here (the parent's tests run synchronously)."""
    yield


@dataclass
class Run:
    server: Any
    prepared: Any
    window: Any
    reported: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="session")
def run() -> Iterator[Run]:
    """Session started before Qt, then the workspace window (zh_CN)."""
    from app.desk.session import prepare
    from app.desk.workspace_options import capture_options
    from app.desk.workspace_protocol import WorkspaceConfig
    from app.installation import Installation
    from forensics.range import RangeServer
    from ui.workspace import process

    home = Path(CONFIG["home"])
    inst = Installation(home)
    server = RangeServer(home / "range", seed=2026)
    server.start()
    config = WorkspaceConfig(CONFIG["case_id"], CONFIG["badges"][0], "", server.port, "zh_CN")
    options = capture_options(
        inst, config, targets=[server.manifest.url("shop.range.test", "/")], fps=8
    )
    try:
        prepared = prepare(inst, config, CONFIG["passphrase"], options=options)
    except BaseException:
        server.stop()
        raise
    reported: list[dict[str, Any]] = []
    process.emit = lambda event, **fields: reported.append({"event": event, **fields})  # type: ignore[assignment]
    try:
        window = process.open_workspace(prepared, "zh_CN")  # abandons the session if it fails
    except BaseException:
        prepared.case.close()
        server.stop()
        raise
    state = Run(server, prepared, window, reported)
    try:
        yield state
        Path(CONFIG["result"]).write_text(json.dumps(state.result, ensure_ascii=False), "utf-8")
    finally:
        if window.summary is None:
            prepared.session.abandon()  # a failed test must not leave the proxy running
        prepared.case.close()
        server.stop()


@pytest.fixture(scope="session")
def qapp(run: Run) -> Any:
    """pytest-qt's application is the one the workspace made after the proxy started."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


def rows(run: Run, kind: str) -> list[Any]:
    return [r for r in run.window.model.rows() if r.kind == kind]


def wait_rows(qtbot: QtBot, run: Run, kind: str, n: int = 1, timeout: int = ACTION_MS) -> None:
    qtbot.waitUntil(lambda: len(rows(run, kind)) >= n, timeout=timeout)


def chromium(run: Run) -> bool:
    return run.window.preview is not None


def js(qtbot: QtBot, run: Run, source: str) -> Any:
    """Run ``source`` in the page (its own world) on either engine; its value."""
    browser = run.window.browser
    if chromium(run):
        return browser.engine.evaluate(source).result(30)
    box: list[Any] = []
    browser.page.runJavaScript(source, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=30_000)
    return box[0]


def load(qtbot: QtBot, run: Run, url: str) -> None:
    browser = run.window.browser
    with qtbot.waitSignal(browser.loaded, timeout=LOAD_MS) as done:
        browser.navigate(url)
    assert done.args == [True], url


def click_link(qtbot: QtBot, run: Run, selector: str) -> None:
    browser = run.window.browser
    source = f"document.querySelector('{selector}').click()"
    if chromium(run):
        # A page the officer opens by a click: no ``loaded`` (that answers ``navigate``);
        # the browser's address changes, then the new document completes.
        before = browser.page_url()
        js(qtbot, run, f"setTimeout(() => {source}, 0)")  # the page navigates away after
        qtbot.waitUntil(lambda: browser.page_url() != before, timeout=LOAD_MS)
        qtbot.waitUntil(
            lambda: js(qtbot, run, "document.readyState") == "complete", timeout=LOAD_MS
        )
        return
    with qtbot.waitSignal(browser.loaded, timeout=LOAD_MS):
        browser.page.runJavaScript(source, 0)


def scroll(qtbot: QtBot, run: Run, y: int) -> int:
    """Scroll the page to ``y``; on Chromium wait until the preview shows it. Where it is."""
    if not chromium(run):
        js(qtbot, run, f"window.scrollTo(0, {y})")
        qtbot.wait(300)
        return int(js(qtbot, run, "window.scrollY"))
    preview = run.window.preview
    seen = preview.view.pixmap().cacheKey()
    count = run.window.browser.frames_received
    at = int(js(qtbot, run, f"(window.scrollTo(0, {y}), window.scrollY)"))
    if at:  # the page moved: a new picture comes
        qtbot.waitUntil(
            lambda: (
                run.window.browser.frames_received > count
                and preview.view.pixmap().cacheKey() != seen
            ),
            timeout=10_000,
        )
    return at


def on_screen(qtbot: QtBot, run: Run, css: QRect) -> QRect:
    """Where an area of the viewport (CSS pixels) is in what the area selector covers: the
    Qt view itself, or the preview of the Chromium page (its newest picture, scaled)."""
    if not chromium(run):
        return css
    view = run.window.preview.view
    qtbot.waitUntil(lambda: not view.frame_rect().isEmpty(), timeout=10_000)
    shown, frame = view.frame_rect(), view.frame_size()
    width = js(qtbot, run, "window.innerWidth")
    k = frame.width() / width * shown.width() / frame.width()  # CSS px → preview px
    return QRect(
        shown.x() + round(css.x() * k),
        shown.y() + round(css.y() * k),
        round(css.width() * k),
        round(css.height() * k),
    )


def clip_follows_scroll(qtbot: QtBot, run: Run, css: QRect) -> dict[str, Any]:
    """Chromium: is an area screenshot of a scrolled page the area of the viewport (and not
    of the page from its top)? Compares it with the same area cut from a viewport shot."""
    from PySide6.QtGui import QImage

    engine = run.window.browser.engine
    scroll_y = js(qtbot, run, "window.scrollY")
    viewport = QImage.fromData(engine.screenshot().result(30))
    area = QImage.fromData(
        engine.screenshot_area(css.x(), css.y(), css.width(), css.height()).result(30)
    )
    cut = viewport.copy(css).convertToFormat(QImage.Format.Format_RGB32)
    return {
        "scroll_y": scroll_y,
        "size": [area.width(), area.height()],
        "same": cut == area.convertToFormat(QImage.Format.Format_RGB32),
    }


def fits(window: Any) -> list[str]:
    """What of the workspace is off the laptop's screen: the window, its buttons, the
    time-stamp column, the mark field, the status bar."""
    from PySide6.QtCore import QPoint
    from PySide6.QtCore import QRect as Rect

    from tests.ui.screen_fit import AVAILABLE, TITLE_BAR, place, problems
    from ui.models.timeline import TimelineModel

    place(window)
    found = problems(window)
    screen = AVAILABLE.adjusted(0, TITLE_BAR, 0, 0)
    for widget in (window.mark_note, window.statusBar(), window.status.proxy, window.timeline):
        rect = Rect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        if not widget.isVisible() or not screen.contains(rect):
            found.append(f"{widget.objectName() or type(widget).__name__} at {rect.getRect()}")
    header = window.timeline.horizontalHeader()
    right = header.sectionViewportPosition(TimelineModel.STAMP) + header.sectionSize(
        TimelineModel.STAMP
    )
    if right > window.timeline.viewport().width():
        found.append(f"time-stamp column ends at {right} of {window.timeline.viewport().width()}")
    return found


def start(qtbot: QtBot, run: Run) -> Any:
    """Show the workspace, acknowledge the clean-environment check, record."""
    from ui.dialogs.env_check import EnvCheckDialog

    window = run.window
    window.show()  # at the size it chose for the screen (a 1366×768 laptop's, see the parent)
    window.begin()
    (check,) = [d for d in window.dialogs if isinstance(d, EnvCheckDialog)]
    assert check.isVisible()
    run.result["env_dialog"] = check.browser.toPlainText()
    run.result["env_summary"] = check.findChild(object, "summary").text()
    if CONFIG.get("screenshots"):
        check.resize(760, 560)
        check.grab().save(str(Path(CONFIG["screenshots"]) / "env_check.png"), "PNG")
    check.accept()
    recorder = window.session.recorder
    assert recorder is not None and recorder.recording
    return recorder


def close_with_two_officers(qtbot: QtBot, run: Run) -> Any:
    from PySide6.QtWidgets import QPushButton

    from ui.dialogs.env_check import EnvCheckDialog
    from ui.dialogs.session import CloseSessionDialog

    window = run.window
    window.close_session()
    dialog = [d for d in window.dialogs if isinstance(d, CloseSessionDialog)][-1]
    dialog.second.setCurrentIndex(dialog.second.findData(CONFIG["badges"][1]))
    dialog.passphrase.setText(CONFIG["passphrase"])
    dialog.submit()
    qtbot.waitUntil(
        lambda: any(isinstance(d, EnvCheckDialog) and d.isVisible() for d in window.dialogs[-1:]),
        timeout=180_000,
    )
    after = window.dialogs[-1]
    run.result["after_check"] = after.browser.toPlainText()
    # The session is sealed and the window still open behind the check: nothing says the
    # proxy records, and closing cannot be asked for again.
    button = window.findChild(QPushButton, "closeButton")
    run.result["sealed_state"] = {
        "proxy": window.status.proxy.text(),
        "close_action": window.act_close.isEnabled(),
        "close_button": button.isEnabled() if button is not None else None,
    }
    with qtbot.waitSignal(window.closed, timeout=10_000) as closed:
        after.accept()
    summary = closed.args[0]
    run.result.update(
        session=summary.session,
        summary_error=summary.error.message_en if summary.error else None,
        pending=summary.stamps.pending if summary.stamps else None,
        reported=run.reported,
        status_tsa=window.status.tsa.text(),
    )
    return summary


def test_full(qtbot: QtBot, run: Run) -> None:
    """Browse the shop, take each kind of capture, record the live room with a mark,
    pause with a reason, seal a transcript, close with two officers."""
    from forensics.range import LIVE_HOST, SHOP_HOST

    window = run.window
    manifest = run.server.manifest
    recorder = start(qtbot, run)
    load(qtbot, run, manifest.url(SHOP_HOST, "/"))
    click_link(qtbot, run, 'a[href*="/item/"]')
    qtbot.wait(500)  # let the product page paint what it loaded
    run.result["proxy_strip"] = window.proxy_state.text()
    run.result["engine"] = window.browser.engine_name if chromium(run) else "qtwebengine"
    if chromium(run):  # the preview shows the page (the browser runs headless here)
        view = window.preview.view
        qtbot.waitUntil(lambda: not view.pixmap().isNull(), timeout=10_000)
        run.result["preview"] = {
            "pixmap": [view.pixmap().width(), view.pixmap().height()],
            "address": window.address.text(),
            "hint": window.preview.hint.text(),
        }

    window.act_shot.trigger()
    wait_rows(qtbot, run, "capture.screenshot")
    window.update_tls()  # the capture sealed the page's traffic: its certificate is known
    run.result["tls_strip"] = window.tls_state.text()
    window.act_full.trigger()
    wait_rows(qtbot, run, "capture.fullpage")
    # The area of a scrolled page: what the officer sees there, chosen over the preview
    # (Chromium) or the view (Qt WebEngine), sealed in the viewport's CSS pixels.
    css = QRect(40, 60, 480, 320)
    run.result["scroll_y"] = scroll(qtbot, run, 120)
    if chromium(run):
        run.result["clip"] = clip_follows_scroll(qtbot, run, css)
    window.capture_area(on_screen(qtbot, run, css))
    wait_rows(qtbot, run, "capture.screenshot", 2)
    scroll(qtbot, run, 0)
    window.act_snap.trigger()
    wait_rows(qtbot, run, "capture.snapshot")
    window.add_note("商品页标称“正品保证”，售价与正品差异明显")
    qtbot.waitUntil(
        lambda: any(r.data.get("text", "").startswith("商品页") for r in rows(run, "note"))
    )

    # Pausing needs a typed reason (sealed); it also closes the open video segment.
    qtbot.waitUntil(lambda: recorder.elapsed_us() >= 2_500_000, timeout=30_000)
    window.pause("主播离开直播间，等待返回")
    qtbot.waitUntil(lambda: recorder.state == "paused" and len(rows(run, "capture.video")) >= 1,
                    timeout=ACTION_MS)  # fmt: skip
    window.act_pause.trigger()  # resume
    qtbot.waitUntil(lambda: recorder.state == "recording")

    room = manifest.url(LIVE_HOST, f"/room/{run.server.content.stream.room_id}")
    load(qtbot, run, room)
    t0 = recorder.elapsed_us()
    qtbot.waitUntil(lambda: recorder.elapsed_us() - t0 >= 4_000_000, timeout=30_000)
    window.mark_note.setText("主播口播“全场正品，假一赔十”")
    window.act_mark.trigger()
    wait_rows(qtbot, run, "mark")
    qtbot.waitUntil(lambda: recorder.elapsed_us() - t0 >= 10_000_000, timeout=30_000)
    window.update_state()
    window.update_tls()
    from tests.ui.helpers import untranslated

    run.result["untranslated"] = untranslated(window)
    run.result["fit"] = fits(window)
    if CONFIG.get("screenshots"):
        window.grab().save(str(Path(CONFIG["screenshots"]) / "workspace.png"), "PNG")

    # A transcript of the first sealed segment, typed by the officer.
    from ui.dialogs.transcript import TranscriptDialog

    window.transcript()
    dialog = [d for d in window.dialogs if isinstance(d, TranscriptDialog)][-1]
    dialog.add_line("", "", "", "")
    lines = (
        ("00:00", "00:01", "主播", "欢迎来到直播间"),
        ("00:01.2", "00:01.8", "主播", "全部正品"),
    )
    for row, values in enumerate(lines):
        for col, value in enumerate(values):
            dialog.table.item(row, col).setText(value)
    dialog.submit()
    assert not dialog.message.text(), dialog.message.text()
    wait_rows(qtbot, run, "derive")

    run.result["menus"] = {
        menu.text(): [
            (a.text(), a.shortcut().toString()) for a in menu.menu().actions() if a.text()
        ]
        for menu in window.menuBar().actions()
    }
    summary = close_with_two_officers(qtbot, run)
    run.result["records"] = [r.seq for r in summary.records]
    area_row = rows(run, "capture.screenshot")[1]
    run.result["area"] = area_row.data.get("area")
    image = area_row.data.get("image") or {}
    run.result["area_image"] = [image.get("width"), image.get("height")]


def test_proxy_dies(qtbot: QtBot, run: Run) -> None:
    """The recording proxy is killed mid-session; the TSA is unreachable all along."""
    from ui.dialogs.error import ErrorDialog

    window = run.window
    start(qtbot, run)
    load(qtbot, run, run.server.manifest.url("shop.range.test", "/"))
    window.act_shot.trigger()
    wait_rows(qtbot, run, "capture.screenshot")
    qtbot.waitUntil(
        lambda: window.status.tsa.text() != window.tr("TSA queue: empty"), timeout=30_000
    )
    run.result["queue_status"] = window.status.tsa.text()
    os.kill(window.session.proxy.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: any(isinstance(d, ErrorDialog) for d in window.dialogs), timeout=30_000)
    told = [d for d in window.dialogs if isinstance(d, ErrorDialog)]
    run.result["told"] = told[-1].informativeText() if told else ""
    run.result["actions_enabled"] = [a.isEnabled() for a in window.capture_actions]
    run.result["address_enabled"] = window.address.isEnabled()
    run.result["proxy_strip"] = window.proxy_state.text()
    if CONFIG.get("screenshots"):
        told[-1].grab().save(str(Path(CONFIG["screenshots"]) / "error_proxy_died.png"), "PNG")
    told[-1].accept()
    close_with_two_officers(qtbot, run)


def test_disk_full(qtbot: QtBot, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next recording segment cannot be written (no space left on the device)."""
    import av

    from ui.dialogs.error import ErrorDialog

    window = run.window
    recorder = start(qtbot, run)
    load(qtbot, run, run.server.manifest.url("shop.range.test", "/"))
    qtbot.waitUntil(lambda: recorder.elapsed_us() >= 2_000_000, timeout=30_000)

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    window.pause("更换存储位置前暂停")
    qtbot.waitUntil(lambda: len(rows(run, "capture.video")) >= 1, timeout=ACTION_MS)
    monkeypatch.setattr(av, "open", full)
    window.act_pause.trigger()  # resume: the next segment cannot be opened
    qtbot.waitUntil(lambda: any(isinstance(d, ErrorDialog) for d in window.dialogs), timeout=30_000)
    told = [d for d in window.dialogs if isinstance(d, ErrorDialog)]
    run.result["told"] = told[-1].informativeText() if told else ""
    run.result["actions_enabled"] = [a.isEnabled() for a in window.capture_actions]
    monkeypatch.undo()
    told[-1].accept()
    close_with_two_officers(qtbot, run)
