"""The exercise picker: every exercise in ``resources/exercises`` with its scenario,
briefing, tasks and time limit, in the interface language."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.training import exercises
from forensics.training import Exercise
from forensics.training.progress import time_limit_s
from ui.util import named


class ExercisePickerDialog(QDialog):
    chosen = Signal(str)  # exercise id

    def __init__(
        self,
        lang: str,
        case_label: str,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang, self.current = lang, current
        self.exercises: list[Exercise] = []
        self.setObjectName("exercisePicker")
        self.setWindowTitle(self.tr("Start exercise"))
        intro = QLabel(self.tr("Practise on case {0}. Choose an exercise:").format(case_label))
        intro.setWordWrap(True)
        self.list = named(QListWidget(), "exercises")
        self.list.currentRowChanged.connect(self._show)
        self.details = named(QTextBrowser(), "exerciseDetails")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.details)
        split.setSizes([260, 560])
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Start"))
        ok.setEnabled(False)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.resize(860, 560)
        self.details.setPlainText(self.tr("Loading…"))
        run_task(exercises, self._loaded)

    def _loaded(self, outcome: Outcome[list[Exercise]]) -> None:
        if outcome.error is not None:
            self.details.setPlainText(
                self.tr("The exercises could not be read: {0}").format(
                    explain(outcome.error, self.lang)
                )
            )
            return
        self.exercises = outcome.unwrap()
        self.list.clear()
        for ex in self.exercises:
            item = QListWidgetItem(ex.title.get(self.lang))
            item.setData(Qt.ItemDataRole.UserRole, ex.id)
            self.list.addItem(item)
        ids = [ex.id for ex in self.exercises]
        if self.exercises:
            self.list.setCurrentRow(ids.index(self.current) if self.current in ids else 0)
        else:
            self.details.setPlainText(self.tr("No exercises are installed."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.exercises))

    def titles(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def selected(self) -> Exercise | None:
        row = self.list.currentRow()
        return self.exercises[row] if 0 <= row < len(self.exercises) else None

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.exercises):
            self.details.setHtml(self.describe(self.exercises[row]))

    def describe(self, ex: Exercise) -> str:
        e, lang = html.escape, self.lang
        limit = time_limit_s(ex)
        when = (
            self.tr("Time limit: {0} minutes").format(limit // 60)
            if limit is not None
            else self.tr("No time limit")
        )
        marks = self.tr("Pass mark {0} of {1} points").format(ex.pass_mark, ex.max_points)
        heads = [
            self.tr("Scenario"),
            self.tr("Briefing"),
            self.tr("Tasks"),
            self.tr("How it is scored"),
        ]
        h = [e(x) for x in heads]
        tasks = "".join(f"<li>{e(t.get(lang))}</li>" for t in ex.tasks)
        criteria = "".join(f"<li>{e(c.label.get(lang))} ({c.weight})</li>" for c in ex.criteria)
        return (
            f"<h2>{e(ex.title.get(lang))}</h2><p><b>{e(when)}</b> · {e(marks)}</p>"
            f"<h3>{h[0]}</h3><p>{e(_joined(ex.scenario.get(lang), lang))}</p>"
            f"<h3>{h[1]}</h3><p>{e(_joined(ex.briefing.get(lang), lang))}</p>"
            f"<h3>{h[2]}</h3><ol>{tasks}</ol><h3>{h[3]}</h3><ul>{criteria}</ul>"
        )

    def _accept(self) -> None:
        ex = self.selected()
        if ex is not None:
            self.chosen.emit(ex.id)
            self.accept()


def _joined(text: str, lang: str) -> str:
    """A paragraph the exercise file wrapped over lines, joined again (Chinese has no spaces)."""
    return ("" if lang.startswith("zh") else " ").join(line.strip() for line in text.splitlines())
