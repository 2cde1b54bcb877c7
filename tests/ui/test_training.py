"""Training mode in the main window, offscreen: the exercise picker, the panel whose
checklist ticks itself as the capture engine's sealer seals a matching item, its timer,
and the instructor's scoreboard over a real exported package."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.desk import cases, training
from app.installation import Installation
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.timestamp import TsaServer
from forensics.training.progress import DONE, OPEN
from tests.conftest import World
from tests.received import use_tsa
from tests.ui.conftest import save_screenshot
from tests.ui.helpers import complete_case, seal_page
from ui.main_window import MainWindow
from ui.training.checklist import ChecklistModel
from ui.training.picker import ExercisePickerDialog
from ui.training.scoreboard import ScoreboardDialog

TITLES_EN = [
    "Claims made in the live room",
    "Counterfeit listing in the online shop",
    "A test purchase documented end to end",
]


@pytest.fixture
def window(qtbot: QtBot, world: World) -> MainWindow:
    w = MainWindow(Installation(world.home), "en")
    qtbot.addWidget(w)
    w.show()
    w._refresh_now()
    return w


def test_picker_lists_the_exercises_with_their_briefing(qtbot: QtBot) -> None:
    dialog = ExercisePickerDialog("en", "示市监训〔2026〕1号", "test-purchase")
    qtbot.addWidget(dialog)
    assert sorted(dialog.titles()) == sorted(TITLES_EN)
    chosen = dialog.selected()
    assert chosen is not None and chosen.id == "test-purchase"  # the current one preselected
    text = dialog.details.toPlainText()
    assert "Time limit: 45 minutes" in text and "Pass mark 60 of 100 points" in text
    assert "Log in with the test account and capture the orders page." in text
    with qtbot.waitSignal(dialog.chosen) as got:
        dialog.buttons.accepted.emit()
    assert got.args == ["test-purchase"]

    chinese = ExercisePickerDialog("zh_CN", "1", None)
    qtbot.addWidget(chinese)
    assert sorted(chinese.titles()) == [
        "测试购买全过程取证",
        "直播间虚假宣传口播取证",
        "网店假冒商品页面取证",
    ]
    assert chinese.selected() is not None


def test_checklist_ticks_itself_when_the_sealer_seals_a_matching_capture(
    window: MainWindow, qtbot: QtBot, world: World, case: Case
) -> None:
    session = case.start_session(world.lead, SessionStartData("training", ()))
    window.open_case(case.case_id)
    menu = window.training
    assert menu.menu.title() == "&Training"
    menu.bind(case.case_id, "test-purchase")
    panel = menu.panel
    assert panel.isVisible() and panel.case_id == case.case_id
    assert (
        training.binding(Installation(world.home), case.case_id) is not None
    )  # the GUI's, not the ledger's
    assert all(r.kind != "note" for r in case.ledger.records())
    model = panel.model
    assert panel.title.text() == "A test purchase documented end to end"
    assert model.rowCount() == 11
    assert model.state_of("orders-page") == OPEN
    row = next(i for i in range(model.rowCount()) if model.tick(i).id == "orders-page")
    index = model.index(row, ChecklistModel.STATE)
    assert model.data(index) == "○ To do"

    # The timer: 10 minutes into the session, 35 of 45 are left.
    started = panel.progress.started if panel.progress else None
    assert started is not None
    panel.clock = lambda: started + timedelta(minutes=10)
    panel.show_time()
    assert panel.timer_label.text() == "Time left 00:35:00 (elapsed 00:10:00 of 00:45:00)."
    panel.clock = lambda: started + timedelta(minutes=47)
    panel.show_time()
    assert panel.timer_label.text() == "Over the time limit by 00:02:00 (limit 00:45:00)."
    panel.clock = lambda: started + timedelta(minutes=10)

    # The capture engine's sealer seals the orders page; the panel's poll picks it up.
    orders = "https://shop.range.test:8443/member/orders"
    seal_page(case, world.lead, session, orders, "我的订单", "orders.png")
    qtbot.waitUntil(lambda: model.state_of("orders-page") == DONE, timeout=10_000)
    assert model.data(model.index(row, ChecklistModel.STATE)) == "✓ Done"
    assert "/member/orders" in str(model.data(model.index(row, ChecklistModel.NOTE)))
    assert model.state_of("ordered-product") == OPEN
    assert "1 of 11 criteria met" in panel.summary.text()
    panel.choose("orders-page")  # the whole reason, below the narrow table
    assert panel.detail.text().startswith("✓ Done ") and "/member/orders" in panel.detail.text()
    panel.choose("ordered-product")
    assert panel.detail.text().startswith("○ To do ")

    panel.hide()  # a closed panel stops reading the case, and starts again when shown
    assert not panel.poll.isActive()
    panel.show()
    assert panel.poll.isActive()

    menu.stop_exercise()
    assert panel.case_id is None and not panel.isVisible()
    assert training.binding(Installation(world.home), case.case_id) is None


def test_scoreboard_ranks_a_real_package_and_exports_csv(
    qtbot: QtBot, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    use_tsa(world.home, tsa)
    case = complete_case(world.home, world.lead, world.second, tmp_path)
    case_id = case.case_id
    case.close()
    package = cases.export_case(
        Installation(world.home), case_id, world.lead, tmp_path / "trainee-1.qzp"
    ).path
    broken = tmp_path / "trainee-2.qzp"
    broken.write_bytes(b"PK\x03\x04 not a package")

    dialog = ScoreboardDialog(Installation(world.home), "en")
    qtbot.addWidget(dialog)
    assert dialog.exercise.count() == 3
    dialog.choose_exercise("shop-counterfeit-listing")
    dialog.add_packages([broken, package, package])  # the same package once only
    assert dialog.package_paths() == [broken, package]
    with qtbot.waitSignal(dialog.computed, timeout=120_000) as got:
        dialog.start()
    board = got.args[0]
    model = dialog.model
    assert model.rowCount() == 2
    first = model.row(0)
    assert first.file == "trainee-1.qzp" and first.rank == 1
    assert first.table is not None and first.table.integrity_ok
    assert first.table.total > 0
    assert model.data(model.index(0, model.RANK)) == "1"
    assert model.data(model.index(0, model.TRAINEE)) == "张明 (31000001)"
    assert model.row(1).file == "trainee-2.qzp" and model.row(1).total == 0
    headers = model.headers()
    assert headers[:4] == ["Rank", "Trainee", "Package", "Total"]
    assert "Integrity" in headers and model.columnCount() == 6 + 1 + len(board.exercise.criteria)
    assert dialog.message.text() == "1 package(s) scored; 1 could not be read."

    out = tmp_path / "exports" / "board.csv"
    assert dialog.export_buttons["csv"].isEnabled()
    with qtbot.waitSignal(dialog.exported):
        dialog.export("csv", out)
    text = out.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("名次 rank,证据包 file")
    assert lines[1].startswith("1,trainee-1.qzp,张明 (31000001)")
    assert "trainee-2.qzp" in lines[2]
    scratch = board.csv_path.parent
    dialog.done(0)
    assert not scratch.exists()


def test_training_panel_in_chinese(qtbot: QtBot, world: World, case: Case, zh: str) -> None:
    """The panel as a trainee sees it (rendered into docs/screenshots for the guide)."""
    window = MainWindow(Installation(world.home), zh)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    window._refresh_now()
    session = case.start_session(world.lead, SessionStartData("training", ()))
    seal_page(
        case, world.lead, session, "https://shop.range.test:8443/licence", "营业执照", "licence.png"
    )
    window.open_case(case.case_id)
    window.training.bind(case.case_id, "shop-counterfeit-listing")
    panel = window.training.panel
    model = panel.model
    qtbot.waitUntil(lambda: model.state_of("licence-page") == DONE, timeout=10_000)
    assert window.training.menu.title() == "训练(&T)"
    assert panel.title.text() == "网店假冒商品页面取证"
    row = next(i for i in range(model.rowCount()) if model.tick(i).id == "licence-page")
    assert model.data(model.index(row, ChecklistModel.STATE)) == "✓ 已完成"
    assert "剩余" in panel.timer_label.text()
    panel.choose("licence-page")
    assert panel.detail.text().startswith("✓ 已完成 固定营业执照页面")
    qtbot.wait(200)
    save_screenshot(window, "training.png")
