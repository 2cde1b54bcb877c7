"""The training panel (a dock of the main window): the exercise, a timer against its time
limit, and the checklist that ticks itself as the capture workspace seals matching items.

The case's ledger is read and judged off the GUI thread every few seconds
(``app.desk.training.case_progress``); the timer is redrawn every second from the last
result and the clock, without touching the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.training import case_progress
from app.installation import Installation
from forensics.canonical import utc_now
from forensics.training import Exercise, Progress
from forensics.training.text import fmt_duration
from ui.training.checklist import ChecklistModel
from ui.util import named

POLL_MS = 3000


class TrainingPanel(QDockWidget):
    evaluated = Signal(object)  # Progress

    def __init__(
        self,
        inst: Installation,
        lang: str,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.inst, self.lang, self.clock = inst, lang, clock
        self.case_id: str | None = None
        self.exercise_id: str | None = None
        self.exercise: Exercise | None = None
        self.progress: Progress | None = None
        self._busy = False
        self.setObjectName("trainingPanel")
        self.setWindowTitle(self.tr("Training"))
        self.title = named(QLabel(self.tr("No exercise started.")), "trainingTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold")
        self.timer_label = named(QLabel(), "trainingTimer")
        self.timer_label.setWordWrap(True)
        self.summary = named(QLabel(), "trainingSummary")
        self.warning = named(QLabel(), "trainingWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background: #fff4e5; border: 1px solid #b35c00; padding: 6px; color: #5f3300;"
        )
        self.warning.hide()
        self.model = ChecklistModel(lang[:2], self, combined=True)
        self.table = named(QTableView(), "trainingChecklist")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The reason is the criterion cell's second line (``combined``): the criterion takes
        # the free width and wraps, readable at the dock's default width.
        header.setSectionResizeMode(ChecklistModel.CRITERION, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnHidden(ChecklistModel.NOTE, True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrapped, never cut short
        # Rows follow their wrapped text whenever the dock's width changes.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The whole reason (and hint) of the chosen criterion: the table's column is narrow.
        self.detail = named(QLabel(), "trainingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._chosen: str | None = None  # the criterion shown in ``detail``
        self.table.clicked.connect(lambda index: self.choose(self.model.tick(index.row()).id))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.title)
        layout.addWidget(self.warning)
        layout.addWidget(self.timer_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.setWidget(body)
        self.setMinimumWidth(420)
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.refresh)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.show_time)
        self.visibilityChanged.connect(self._shown)

    def choose(self, criterion_id: str | None) -> None:
        """Show why ``criterion_id`` is met or not (kept across re-evaluations)."""
        self._chosen = criterion_id
        row = next(
            (i for i in range(self.model.rowCount()) if self.model.tick(i).id == criterion_id),
            None,
        )
        if row is None:
            self.detail.setText(self.tr("Choose a criterion to read why it is met or not."))
            return
        self.table.selectRow(row)
        tick = self.model.tick(row)
        why = self.model.data(self.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
        self.detail.setText(
            f"{self.model.state_label(tick.state)} {tick.label.get(self.lang)}\n{why}"
        )

    def follow(self, case_id: str, exercise_id: str, *, training_case: bool = True) -> None:
        """Track ``case_id`` against ``exercise_id`` until ``stop``; warn when the case is not
        a training case."""
        self.case_id, self.exercise_id = case_id, exercise_id
        self.warning.setText(
            ""
            if training_case
            else self.tr(
                "This is not a training case: what you capture in it is sealed as real evidence, with its officers' signatures. Practise in a case opened for training (New case… → Training case)."
            )
        )
        self.warning.setVisible(not training_case)
        self.exercise, self.progress = None, None
        self.title.setText(self.tr("Loading…"))
        self.timer_label.clear()
        self.summary.clear()
        self.poll.start()
        self.ticker.start()
        self.refresh()

    def _shown(self, visible: bool) -> None:
        """Read the case only while the panel can be seen."""
        if not visible:
            self.poll.stop()
            self.ticker.stop()
        elif self.case_id is not None and not self.poll.isActive():
            self.poll.start()
            self.ticker.start()
            self.refresh()

    def stop(self) -> None:
        self.poll.stop()
        self.ticker.stop()
        self.case_id = self.exercise_id = None
        self.exercise = self.progress = None
        self.warning.hide()
        self.title.setText(self.tr("No exercise started."))
        self.timer_label.clear()
        self.summary.clear()
        self.model.set_progress(Progress("", (), None, None, None, 0))
        self._chosen = None
        self.detail.clear()

    def refresh(self) -> None:
        """Judge the case again (off the GUI thread); skipped while a run is still going."""
        if self._busy or self.case_id is None or self.exercise_id is None:
            return
        self._busy = True
        inst, case_id, exercise_id, now = self.inst, self.case_id, self.exercise_id, self.clock()
        following = (case_id, exercise_id)

        def done(outcome: Outcome[tuple[Exercise, Progress]]) -> None:
            self._busy = False
            if following != (self.case_id, self.exercise_id):
                return  # the panel moved on while this ran
            self._evaluated(outcome)

        run_task(lambda: case_progress(inst, case_id, exercise_id, now), done)

    def _evaluated(self, outcome: Outcome[tuple[Exercise, Progress]]) -> None:
        if outcome.error is not None:
            self.summary.setText(
                self.tr("The case could not be read: {0}").format(explain(outcome.error, self.lang))
            )
            return
        exercise, progress = outcome.unwrap()
        self.exercise, self.progress = exercise, progress
        self.title.setText(exercise.title.get(self.lang))
        self.model.set_progress(progress)
        self.table.resizeRowsToContents()
        self.choose(self._chosen)
        self.summary.setText(
            self.tr("{0} of {1} criteria met ({2} ledger entries read)").format(
                progress.done_count, len(progress.ticks), progress.entries
            )
        )
        self.show_time()
        self.evaluated.emit(progress)

    def time_text(self, now: datetime) -> str:
        p = self.progress
        if p is None:
            return ""
        limit = fmt_duration(p.limit_s) if p.limit_s is not None else ""
        elapsed = p.elapsed_s(now)
        if elapsed is None:
            if p.limit_s is None:
                return self.tr("Not started: the clock starts with the first capture session.")
            return self.tr(
                "Not started: the clock starts with the first capture session (limit {0})."
            ).format(limit)
        remaining = p.remaining_s(now)
        if p.ended is not None:
            if remaining is not None and remaining < 0:
                return self.tr("Finished in {0}: over the limit of {1}.").format(
                    fmt_duration(elapsed), limit
                )
            left = len(p.ticks) - p.done_count
            if left:  # "finished" only when every criterion is met
                return self.tr("Session ended after {0}; {1} criteria not met yet.").format(
                    fmt_duration(elapsed), left
                )
            return self.tr("Finished in {0}: every criterion met.").format(fmt_duration(elapsed))
        if remaining is None:
            return self.tr("Elapsed {0} (no time limit).").format(fmt_duration(elapsed))
        if remaining < 0:
            return self.tr("Over the time limit by {0} (limit {1}).").format(
                fmt_duration(-remaining), limit
            )
        return self.tr("Time left {0} (elapsed {1} of {2}).").format(
            fmt_duration(remaining), fmt_duration(elapsed), limit
        )

    def show_time(self) -> None:
        now = self.clock()
        self.timer_label.setText(self.time_text(now))
        p = self.progress
        remaining = p.remaining_s(now) if p is not None else None
        late = remaining is not None and remaining < 0
        self.timer_label.setStyleSheet("color: #c62828; font-weight: bold" if late else "")
