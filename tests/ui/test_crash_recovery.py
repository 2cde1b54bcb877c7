"""A capture killed mid-run, then the case opened in the window (issue #16): opening it asks
the officer to unlock and seals what the crash left in ``work/`` at once; the case view then
offers to close the session the crash left open."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.capture.leftovers import pending
from app.installation import Installation
from forensics.case import Case
from forensics.timestamp import TsaServer
from tests.app.test_crash_then_export import ROOT, kill_mid_capture
from tests.conftest import PASSPHRASE, World
from tests.received import use_tsa
from ui.dialogs.unlock import UnlockDialog
from ui.main_window import MainWindow


@pytest.mark.slow
def test_opening_a_crashed_case_seals_what_the_capture_left(
    qtbot: QtBot, world: World, tsa: TsaServer
) -> None:
    from forensics.range import SHOP_HOST, RangeServer

    use_tsa(world.home, tsa)
    case = Case.create(world.home, world.lead, title="中断的采集", officers=[world.second.officer])
    case_id, work = case.case_id, case.store.dir / "work"
    env = {
        **os.environ,
        "QUZHENG_LANG": "en",
        "QUZHENG_OFFICER": "31000001",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    with RangeServer(world.home / "range", seed=2026) as server:
        kill_mid_capture(case, env, server.manifest.url(SHOP_HOST, "/"), server.port)
    case.close()
    left = pending(work)
    assert left, "the crash left nothing behind"

    window = MainWindow(Installation(world.home), "en")
    qtbot.addWidget(window)
    window.show()
    window._refresh_now()
    window.open_case(case_id)
    # Nobody is unlocked: opening the case asks for the officer's passphrase to seal.
    dialog = window.findChild(UnlockDialog)
    assert dialog is not None and dialog.isVisible()
    assert pending(work) == left  # nothing sealed before the officer unlocked
    dialog.officer.setCurrentIndex(dialog.officer.findData("31000001"))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    assert pending(work) == []
    with Case.open(world.home, case_id, recover=False) as reopened:
        recovered = [r for r in reopened.ledger.records() if r.kind == "capture.recovered"]
        open_sessions = reopened.unclosed_sessions()
    assert {r.entry["data"]["kind"] for r in recovered} == {"traffic", "video"}
    assert all(r.entry["actor"]["badge"] == "31000001" for r in recovered)
    view = window.case_view
    qtbot.waitUntil(lambda: view.details is not None and view.details.leftovers == 0)
    assert not view.buttons["recover"].isVisible()
    assert open_sessions and view.buttons["close"].isVisible()
    assert sum(r.kind == "capture.recovered" for r in view.details.rows) == len(recovered)


def test_the_recover_button_is_hidden_for_a_case_without_leftovers(
    qtbot: QtBot, world: World, case: Case
) -> None:
    window = MainWindow(Installation(world.home), "en")
    qtbot.addWidget(window)
    window.show()
    window._refresh_now()
    window.open_case(case.case_id)
    view = window.case_view
    assert view.details is not None and view.details.leftovers == 0
    assert not view.buttons["recover"].isVisible()
    assert window.findChild(UnlockDialog) is None  # opening alone asks nothing
