"""The main window starts the capture workspace as a process of its own and follows it
through its line protocol (here a stand-in child; the real one runs in the e2e test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.desk.workspace_launcher import WorkspaceProcess
from app.desk.workspace_protocol import WorkspaceConfig, event_line, parse_event
from app.installation import Installation
from tests.conftest import World
from ui.dialogs.error import ErrorDialog
from ui.main_window import MainWindow

STUB = r"""
import json, sys
assert sys.argv[1:] == ["--stdin"], sys.argv
got = json.loads(sys.stdin.readline())
print("some library chatter", flush=True)
print(json.dumps({"event": "starting"}), flush=True)
if got["config"]["target_url"] == "fail":
    print(json.dumps({"event": "error", "en": "The proxy did not start.", "zh": "取证代理未能启动。"}), flush=True)
    sys.exit(2)
print(json.dumps({"event": "ready", "session": "s-1", "passphrase_len": len(got["passphrase"]),
                  "case": got["config"]["case_id"]}), flush=True)
print(json.dumps({"event": "sealed", "seq": 7, "kind": "capture.screenshot", "hash": "ab"}), flush=True)
print(json.dumps({"event": "closed", "session": "s-1", "pending": 0}), flush=True)
"""


def test_protocol_lines_round_trip() -> None:
    line = event_line("failed", en="x", zh="取证已停止")
    assert parse_event(line) == {"event": "failed", "en": "x", "zh": "取证已停止"}
    assert parse_event("not json") is None and parse_event('{"no": "event"}') is None
    config = WorkspaceConfig("case-1", "31000001", "https://shop.range.test/", 8443, "zh_CN")
    assert WorkspaceConfig.from_json(config.to_json()) == config


@pytest.fixture
def window(qtbot: QtBot, world: World) -> MainWindow:
    w = MainWindow(Installation(world.home), "en", workspace=[sys.executable, "-c", STUB])
    qtbot.addWidget(w)
    w.show()
    return w


def test_the_workspace_is_followed_until_it_closes(window: MainWindow, qtbot: QtBot) -> None:
    config = WorkspaceConfig("case-1", "31000001", "https://shop.range.test/")
    proc = window.launch_workspace(config, "secret passphrase")
    assert window._starting is not None and window._starting.isVisible()
    with qtbot.waitSignal(proc.finished, timeout=20_000) as finished:
        pass
    assert finished.args[0] == 0
    events = [e["event"] for e in proc.events]
    assert events == ["starting", "ready", "sealed", "closed"]
    ready = proc.events[1]
    assert ready["passphrase_len"] == len("secret passphrase") and ready["case"] == "case-1"
    assert window._starting is None
    assert not [d for d in window.findChildren(ErrorDialog) if d.isVisible()]


def test_a_workspace_that_cannot_start_is_explained(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.lang = "zh_CN"
    proc = window.launch_workspace(WorkspaceConfig("case-1", "31000001", "fail"), "p")
    with qtbot.waitSignal(proc.finished, timeout=20_000):
        pass
    dialogs = [d for d in window.findChildren(ErrorDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].message == "取证代理未能启动。"
    assert "Nothing sealed was lost" in dialogs[0].informativeText()
    dialogs[0].close()


def test_workspace_process_passes_the_secret_on_stdin_only(qtbot: QtBot, tmp_path: Path) -> None:
    dump = (
        r"import json, os, sys; print(json.dumps({'event': 'ready', 'argv': sys.argv[1:], "
        r"'env': 'Zq9-xK2w' in json.dumps(dict(os.environ)), 'stdin': sys.stdin.readline()}))"
    )
    proc = WorkspaceProcess([sys.executable, "-c", dump])
    proc.start(WorkspaceConfig("c", "b"), "Zq9-xK2w")
    with qtbot.waitSignal(proc.finished, timeout=20_000):
        pass
    (ev,) = proc.events
    assert ev["argv"] == ["--stdin"] and ev["env"] is False
    assert json.loads(ev["stdin"])["passphrase"] == "Zq9-xK2w"


def test_the_real_workspace_refuses_a_wrong_passphrase_before_anything_starts(
    qtbot: QtBot, world: World, case: object
) -> None:
    """``python -m ui.workspace``: no proxy, no browser, no entry before the key unlocks."""
    from app.desk.workspace_launcher import workspace_command
    from forensics.case import Case

    assert isinstance(case, Case)
    before = case.store.head()
    proc = WorkspaceProcess(workspace_command())
    proc.start(WorkspaceConfig(case.case_id, "31000001"), "wrong passphrase")
    with qtbot.waitSignal(proc.finished, timeout=60_000) as finished:
        pass
    assert finished.args[0] == 2
    assert [e["event"] for e in proc.events] == ["starting", "error"]
    assert "口令错误" in proc.events[1]["zh"] and "wrong passphrase" in proc.events[1]["en"]
    assert case.store.head() == before


def test_run_gui_opens_the_main_window(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main import run_gui

    seen: list[MainWindow] = []

    def close_it() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen.extend(windows)
        for w in windows:
            w.close()

    QTimer.singleShot(0, close_it)
    assert run_gui() == 0
    assert len(seen) == 1 and seen[0].windowTitle().startswith("Quzheng")


def test_start_session_from_the_case_list(
    window: MainWindow, qtbot: QtBot, world: World, case: object
) -> None:
    """Case list → Start capture session → lead's passphrase checked → workspace launched."""
    from PySide6.QtWidgets import QDialogButtonBox

    from tests.conftest import PASSPHRASE
    from ui.dialogs.session import StartSessionDialog

    window.set_signer(world.lead)
    window._refresh_now()
    window.table.selectRow(0)
    assert window.summary.details is not None
    window.act_capture.trigger()
    dialog = window.findChild(StartSessionDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.url.setText("ftp://nope")
    dialog.submit()
    assert "http" in dialog.message.text()
    # Casework target (a practice-range address would ask for training on the range first,
    # see tests/ui/test_practice_range.py).
    dialog.url.setText("https://shop.example.com/")
    dialog.passphrase.setText("wrong")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "Wrong passphrase" in dialog.message.text() and window.workspace is None
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    proc = window.workspace
    assert proc is not None and proc.config is not None
    assert proc.config.case_id == window.summary.details.case_id
    assert proc.config.target_url == "https://shop.example.com/"
    with qtbot.waitSignal(proc.finished, timeout=20_000):
        pass
    assert proc.events[1]["passphrase_len"] == len(PASSPHRASE)
