"""The main window's Training menu: start an exercise on the chosen case, the training
panel, stop the exercise, and the instructor's scoreboard. It owns the practice range the
program runs (``app.desk.practice``): an exercise on a training case starts it, stopping the
exercise lets it go, and the main window borrows it for training sessions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from app.capture.tasks import Outcome, run_task
from app.desk import training
from app.desk.practice import PracticeRange
from app.installation import Installation
from ui.dialogs.error import show_error
from ui.tasks import ignore
from ui.training.panel import TrainingPanel
from ui.training.picker import ExercisePickerDialog
from ui.training.scoreboard import ScoreboardDialog

type CurrentCase = Callable[[], tuple[str, str] | None]  # case id and a label to show
NOTICE_MS = 30_000  # how long a notice about the practice range stays in the status bar


def _exercise_user(case_id: str) -> str:
    return f"exercise:{case_id}"


class TrainingMenu(QObject):
    range_started = Signal(int)  # the port the practice range answers on
    range_stopped = Signal()

    def __init__(
        self, window: QMainWindow, inst: Installation, lang: str, current_case: CurrentCase
    ) -> None:
        super().__init__(window)
        self.window, self.inst, self.lang, self.current_case = window, inst, lang, current_case
        self.practice = PracticeRange(inst)
        self.panel = TrainingPanel(inst, lang, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        self.panel.hide()
        self.menu = QMenu(window)
        self.menu.setObjectName("trainingMenu")
        self.act_start = self._action("", self.start_exercise)
        self.act_panel = self.panel.toggleViewAction()
        self.act_stop = self._action("", self.stop_exercise)
        self.act_board = self._action("", self.open_scoreboard)
        for a in (self.act_start, self.act_panel, self.act_stop):
            self.menu.addAction(a)
        self.menu.addSeparator()
        self.menu.addAction(self.act_board)
        self.retranslate()

    def retranslate(self) -> None:
        """The menu's texts in the language installed now (the main window calls this when
        the first-start wizard switches the language)."""
        self.menu.setTitle(self.tr("&Training"))
        self.act_start.setText(self.tr("&Start exercise…"))
        self.act_panel.setText(self.tr("Training &panel"))
        self.act_stop.setText(self.tr("S&top exercise"))
        self.act_board.setText(self.tr("Instructor &scoreboard…"))

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

        def bound(outcome: Outcome[tuple[training.Binding, bool]]) -> None:
            if outcome.error is not None:
                show_error(self.window, self.tr("Starting the exercise"), outcome.error, self.lang)
                return
            b, is_training = outcome.unwrap()
            self.panel.follow(b.case_id, b.exercise_id, training_case=is_training)
            self.panel.show()
            if is_training:
                self.need_range(b.case_id)

        run_task(
            lambda: (
                training.bind(inst, case_id, exercise_id),
                training.is_training_case(inst, case_id),
            ),
            bound,
        )

    def need_range(self, case_id: str) -> None:
        """The exercise on a training case practises on the range: start it (off the GUI
        thread) unless it answers already; ``stop_exercise`` lets it go."""
        practice, user = self.practice, _exercise_user(case_id)
        running_here = practice.started_here  # for a capture session already

        def started(outcome: Outcome[int]) -> None:
            if outcome.error is not None:
                show_error(
                    self.window, self.tr("Starting the practice range"), outcome.error, self.lang
                )
                return
            port = outcome.unwrap()
            if practice.started_here and not running_here:
                self._say(
                    self.tr(
                        "The practice range was started for this exercise (port {0}); it stops when the exercise ends."
                    ).format(port)
                )
            else:
                self._say(self.tr("The practice range is already running (port {0}).").format(port))
            self.range_started.emit(port)

        run_task(lambda: practice.acquire(user), started)

    def _say(self, text: str) -> None:
        """A notice in the main window's status bar (it gives way to the usual line)."""
        self.window.statusBar().showMessage(text, NOTICE_MS)

    def show_case(self, case_id: str) -> None:
        """Follow ``case_id`` in the panel when an exercise is bound to it."""
        inst = self.inst

        def look() -> tuple[training.Binding, bool] | None:
            b = training.binding(inst, case_id)
            return None if b is None else (b, training.is_training_case(inst, case_id))

        def found(outcome: Outcome[tuple[training.Binding, bool] | None]) -> None:
            if outcome.value is not None:
                b, is_training = outcome.value
                self.panel.follow(b.case_id, b.exercise_id, training_case=is_training)
                self.panel.show()
                if is_training:
                    self.need_range(b.case_id)

        run_task(look, found)

    def stop_exercise(self) -> None:
        case_id = self.panel.case_id
        if case_id is None:
            return
        inst, practice = self.inst, self.practice
        self.panel.stop()
        self.panel.hide()
        run_task(lambda: training.unbind(inst, case_id), ignore)
        if practice.release(_exercise_user(case_id)):
            self._say(self.tr("The exercise ended; the practice range was stopped."))
            self.range_stopped.emit()

    def open_scoreboard(self) -> ScoreboardDialog:
        dialog = ScoreboardDialog(self.inst, self.lang, self.window)
        if self.panel.exercise_id is not None:
            dialog.choose_exercise(self.panel.exercise_id)
        dialog.open()
        return dialog
