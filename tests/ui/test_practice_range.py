"""Training from the windows alone: starting an exercise on a training case with no range
running starts the practice range (it answers over TLS with its own CA) and says so in the
status bar, stopping the exercise stops it; a training session's dialog trains on the range
by default, remembers the choice, and will not start a range address without it."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.desk.practice import load_prefs, range_answers, save_prefs
from app.installation import Installation
from forensics.case import Case
from tests.conftest import World
from tests.ui.conftest import save_screenshot
from ui.dialogs.session import StartSessionDialog
from ui.main_window import MainWindow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def practice_case(world: World) -> Iterator[Case]:
    c = Case.create(
        world.home, world.lead, title="练习", number="示市监训〔2026〕3号", cause="训练",
        officers=[world.second.officer], training=True,
    )  # fmt: skip
    yield c
    c.close()


def test_an_exercise_starts_the_range_and_stopping_it_stops_the_range(
    qtbot: QtBot, world: World, practice_case: Case, zh: str
) -> None:
    inst = Installation(world.home)
    port = free_port()
    save_prefs(inst, True, port)
    assert not range_answers(inst, port)  # no range running
    window = MainWindow(inst, zh)
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    menu = window.training
    window.open_case(practice_case.case_id)
    with qtbot.waitSignal(menu.range_started, timeout=60_000) as started:
        menu.bind(practice_case.case_id, "shop-counterfeit-listing")
    assert started.args == [port] and menu.practice.started_here
    assert range_answers(inst, port)  # a TLS handshake checked against the range's CA
    said = window.statusBar().currentMessage()  # the trainee is told, in words
    assert said == f"练习靶场已为本次练习自动启动（端口 {port}），练习结束时自动停止。", said
    assert menu.panel.isVisible()
    qtbot.wait(200)  # the status bar laid out again beside the panel
    save_screenshot(window, "practice-range-started.png")

    with qtbot.waitSignal(menu.range_stopped):
        menu.stop_exercise()
    assert not menu.practice.started_here and not range_answers(inst, port)
    assert window.statusBar().currentMessage() == "练习结束，练习靶场已停止。"


def test_a_training_session_trains_on_the_range_by_default(
    qtbot: QtBot, world: World, practice_case: Case, case: Case, zh: str
) -> None:
    inst = Installation(world.home)
    dialog = StartSessionDialog(inst, practice_case.case_id, world.lead, "", zh, training=True)
    qtbot.addWidget(dialog)
    assert dialog.practice.isChecked() and dialog.url.text() == "https://shop.range.test/"
    assert dialog.practice.text() == "在练习靶场训练（需要时由程序自动启动靶场）"
    dialog.practice.setChecked(False)
    dialog.url.setText("https://shop.range.test/item/1")
    dialog.passphrase.setText("wrong")
    dialog.submit()  # a range address without the range: refused before anything starts
    assert dialog.practice.isChecked() and "已自动勾选" in dialog.message.text()
    dialog.practice.setChecked(False)
    dialog.url.setText("https://shop.example.com/")
    dialog.submit()
    assert load_prefs(inst).use is False  # remembered for the next training session
    again = StartSessionDialog(inst, practice_case.case_id, world.lead, "", zh, training=True)
    qtbot.addWidget(again)
    assert not again.practice.isChecked()

    casework = StartSessionDialog(
        inst, case.case_id, world.lead, "https://shop.example.com/", zh, training=False
    )
    qtbot.addWidget(casework)
    assert not casework.practice.isChecked()  # casework never inherits the training choice


def test_a_training_session_has_the_range_while_it_runs(
    qtbot: QtBot, world: World, practice_case: Case
) -> None:
    """The workspace (a stand-in child) finds the range answering when it starts; the
    range stops when the session ends."""
    import sys

    from app.desk.workspace_protocol import WorkspaceConfig

    inst = Installation(world.home)
    port = free_port()
    stub = (
        "import json, socket, sys\n"
        "sys.stdin.readline()\n"
        f"s = socket.create_connection(('127.0.0.1', {port}), timeout=5); s.close()\n"
        "print(json.dumps({'event': 'ready', 'range': True}), flush=True)\n"
    )
    window = MainWindow(inst, "en", workspace=[sys.executable, "-c", stub])
    qtbot.addWidget(window)
    config = WorkspaceConfig(practice_case.case_id, "31000001", "https://shop.range.test/", port)
    window.start_workspace(config, "passphrase")
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=60_000)
    proc = window.workspace
    assert proc is not None
    with qtbot.waitSignal(proc.finished, timeout=20_000) as finished:
        pass
    assert finished.args[0] == 0 and proc.events[0].get("range") is True
    assert not window.training.practice.started_here and not range_answers(inst, port)
