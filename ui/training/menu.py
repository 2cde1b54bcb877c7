"""The main window's Training menu: start an exercise on the chosen case, the training
panel, stop the exercise, and the instructor's scoreboard."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from app.capture.tasks import Outcome, run_task
from app.desk import training
from app.installation import Installation
from ui.dialogs.error import show_error
from ui.tasks import ignore
from ui.training.panel import TrainingPanel
from ui.training.picker import ExercisePickerDialog
from ui.training.scoreboard import ScoreboardDialog

type CurrentCase = Callable[[], tuple[str, str] | None]  # case id and a label to show


class TrainingMenu(QObject):
    def __init__(
        self, window: QMainWindow, inst: Installation, lang: str, current_case: CurrentCase
    ) -> None:
        super().__init__(window)
        self.window, self.inst, self.lang, self.current_case = window, inst, lang, current_case
        self.panel = TrainingPanel(inst, lang, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        self.panel.hide()
        self.menu = QMenu(self.tr("&Training"), window)
        self.menu.setObjectName("trainingMenu")
        self.act_start = self._action(self.tr("&Start exercise…"), self.start_exercise)
        self.act_panel = self.panel.toggleViewAction()
        self.act_panel.setText(self.tr("Training &panel"))
        self.act_stop = self._action(self.tr("S&top exercise"), self.stop_exercise)
        self.act_board = self._action(self.tr("Instructor &scoreboard…"), self.open_scoreboard)
        for a in (self.act_start, self.act_panel, self.act_stop):
            self.menu.addAction(a)
        self.menu.addSeparator()
        self.menu.addAction(self.act_board)

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def start_exercise(self) -> ExercisePickerDialog | None:
        """The picker for the case shown or selected; the chosen exercise is bound to it."""
        current = self.current_case()
        if current is None:
            QMessageBox.information(
                self.window, self.tr("Training"), self.tr("Choose or open a case first.")
            )
            return None
        case_id, label = current
        following = self.panel.exercise_id if self.panel.case_id == case_id else None
        dialog = ExercisePickerDialog(self.lang, label, following, self.window)
        dialog.chosen.connect(lambda exercise_id: self.bind(case_id, exercise_id))
        dialog.open()
        return dialog

    def bind(self, case_id: str, exercise_id: str) -> None:
        inst = self.inst

        def bound(outcome: Outcome[training.Binding]) -> None:
            if outcome.error is not None:
                show_error(self.window, self.tr("Starting the exercise"), outcome.error, self.lang)
                return
            b = outcome.unwrap()
            self.panel.follow(b.case_id, b.exercise_id)
            self.panel.show()

        run_task(lambda: training.bind(inst, case_id, exercise_id), bound)

    def show_case(self, case_id: str) -> None:
        """Follow ``case_id`` in the panel when an exercise is bound to it."""
        inst = self.inst

        def found(outcome: Outcome[training.Binding | None]) -> None:
            b = outcome.value
            if b is not None:
                self.panel.follow(b.case_id, b.exercise_id)
                self.panel.show()

        run_task(lambda: training.binding(inst, case_id), found)

    def stop_exercise(self) -> None:
        case_id = self.panel.case_id
        if case_id is None:
            return
        inst = self.inst
        self.panel.stop()
        self.panel.hide()
        run_task(lambda: training.unbind(inst, case_id), ignore)

    def open_scoreboard(self) -> ScoreboardDialog:
        dialog = ScoreboardDialog(self.inst, self.lang, self.window)
        if self.panel.exercise_id is not None:
            dialog.choose_exercise(self.panel.exercise_id)
        dialog.open()
        return dialog
