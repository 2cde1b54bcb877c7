"""``run_task``: work off the GUI thread, results back on it; a synchronous runner for tests."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from app.capture.tasks import Outcome, PoolRunner, SyncRunner, get_runner, run_task, set_runner


def test_sync_runner_runs_at_once() -> None:
    got: list[Outcome[int]] = []
    SyncRunner().run(lambda: 6 * 7, got.append)
    assert got[0].ok and got[0].unwrap() == 42

    def boom() -> int:
        raise ValueError("bad")

    SyncRunner().run(boom, got.append)
    assert not got[1].ok and isinstance(got[1].error, ValueError)
    with pytest.raises(ValueError):
        got[1].unwrap()


def test_pool_runner_delivers_on_gui_thread(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    worker: list[int] = []
    done: list[tuple[int, Outcome[str]]] = []

    def work() -> str:
        worker.append(threading.get_ident())
        return "sealed"

    old = set_runner(PoolRunner())
    try:
        run_task(work, lambda o: done.append((threading.get_ident(), o)))
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
    finally:
        set_runner(old)
    assert worker and worker[0] != gui
    thread, outcome = done[0]
    assert thread == gui and outcome.unwrap() == "sealed"


def test_pool_runner_reports_errors(qtbot: QtBot) -> None:
    runner = PoolRunner()
    done: list[Outcome[None]] = []

    def fail() -> None:
        raise RuntimeError("disk full")

    runner.run(fail, done.append)
    assert runner.wait_idle(5000)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert isinstance(done[0].error, RuntimeError)


def test_set_runner_swaps_and_restores() -> None:
    sync = SyncRunner()
    old = set_runner(sync)
    try:
        assert get_runner() is sync
        seen: list[int] = []
        run_task(lambda: 1, lambda o: seen.append(o.unwrap()))
        assert seen == [1]
    finally:
        set_runner(old)
