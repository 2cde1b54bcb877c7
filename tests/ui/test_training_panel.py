"""The training panel as a trainee reads it, in Chinese, at the dock's default width: the
criterion and its reason wrap in the wide column (no one-character reason column), reasons
name kinds in words, a non-training case is flagged, and "finished" needs every criterion."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.desk.practice import save_prefs
from app.installation import Installation
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.training.progress import DONE
from tests.conftest import World
from tests.ui.conftest import save_screenshot
from tests.ui.helpers import seal_page
from tests.ui.test_practice_range import free_port
from ui.main_window import MainWindow
from ui.training.checklist import ChecklistModel
from ui.training.panel import TrainingPanel


def seal_licence(case: Case, world: World, session: str) -> None:
    licence = "https://shop.range.test:8443/licence"
    seal_page(case, world.lead, session, licence, "营业执照", "licence.png")


def follow(window: MainWindow, qtbot: QtBot, case: Case) -> TrainingPanel:
    window.open_case(case.case_id)
    window.training.bind(case.case_id, "shop-counterfeit-listing")
    panel = window.training.panel
    qtbot.waitUntil(lambda: panel.model.state_of("licence-page") == DONE, timeout=10_000)
    return panel


def cells(model: ChecklistModel, column: int) -> list[str]:
    return [str(model.data(model.index(r, column))) for r in range(model.rowCount())]


def test_panel_reads_in_words_at_its_default_width(
    qtbot: QtBot, world: World, case: Case, zh: str
) -> None:
    window = MainWindow(Installation(world.home), zh)
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    session = case.start_session(world.lead, SessionStartData("training", ()))
    seal_licence(case, world, session)
    panel = follow(window, qtbot, case)
    qtbot.wait(100)

    # Not a training case: the trainee is told that captures here are real evidence.
    assert panel.warning.isVisible() and "不是训练案件" in panel.warning.text()

    table, model = panel.table, panel.model
    assert table.isColumnHidden(ChecklistModel.NOTE)
    width = table.horizontalHeader().sectionSize(ChecklistModel.CRITERION)
    assert width >= 12 * table.fontMetrics().horizontalAdvance("字"), width
    criteria = cells(model, ChecklistModel.CRITERION)
    row = next(i for i in range(model.rowCount()) if model.tick(i).id == "licence-page")
    label, _, reason = criteria[row].partition("\n")
    assert label == "固定营业执照页面" and "整页截图" in reason and "/licence" in reason
    for text in criteria + cells(model, ChecklistModel.NOTE):
        assert "capture." not in text, text  # kinds in words, not ledger codes
    save_screenshot(window, "training-panel-default-width.png")

    # The session ends with criteria still open: the timer does not say "finished".
    case.end_session(session, [world.lead, world.second])
    panel.refresh()
    qtbot.waitUntil(lambda: panel.progress is not None and panel.progress.ended is not None)
    assert "已完成" not in panel.timer_label.text()
    assert "尚有" in panel.timer_label.text() and "项标准未满足" in panel.timer_label.text()


def test_a_training_case_is_not_flagged(qtbot: QtBot, world: World, zh: str) -> None:
    practice = Case.create(
        world.home, world.lead, title="练习", number="示市监训〔2026〕2号",
        cause="训练", officers=[world.second.officer], training=True,
    )  # fmt: skip
    inst = Installation(world.home)
    save_prefs(inst, True, free_port())  # the exercise starts the range: on a free port
    try:
        window = MainWindow(inst, zh)
        qtbot.addWidget(window)
        window.show()
        session = practice.start_session(world.lead, SessionStartData("training", ()))
        seal_licence(practice, world, session)
        panel = follow(window, qtbot, practice)
        assert not panel.warning.isVisible() and panel.warning.text() == ""
        qtbot.waitUntil(lambda: window.training.practice.started_here, timeout=60_000)
        window.training.stop_exercise()
        assert not window.training.practice.started_here
    finally:
        practice.close()
