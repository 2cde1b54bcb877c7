"""The trainee's checklist: one row per criterion of the exercise, ticked from the case.

With ``combined`` (the training panel, a narrow dock), the criterion's cell carries its reason
on a second line and the panel hides the reason's own column, so the words wrap in the widest
column instead of standing one character wide in a squeezed one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from forensics.training.progress import AT_SCORING, DONE, MISSED, OPEN, Progress, Tick
from ui.models.table import RowsModel

type Index = QModelIndex | QPersistentModelIndex

_MARKS = {DONE: "✓", OPEN: "○", MISSED: "✗", AT_SCORING: "…"}
_COLOURS = {DONE: "#1a7f37", OPEN: "#455a64", MISSED: "#c62828", AT_SCORING: "#b35c00"}


class ChecklistModel(RowsModel):
    STATE, CRITERION, POINTS, NOTE = range(4)
    COLUMNS = 4

    def __init__(self, lang: str = "zh", parent: Any = None, *, combined: bool = False) -> None:
        super().__init__(parent)
        self.lang = lang
        self.combined = combined
        self._rows: list[Tick] = []

    def state_label(self, state: str) -> str:
        labels = {
            DONE: self.tr("Done"),
            OPEN: self.tr("To do"),
            MISSED: self.tr("Missed"),
            AT_SCORING: self.tr("At scoring"),
        }
        return f"{_MARKS[state]} {labels[state]}"

    def headers(self) -> list[str]:
        return [self.tr("State"), self.tr("Criterion"), self.tr("Points"), self.tr("Why")]

    def set_progress(self, progress: Progress) -> None:
        self._reset(progress.ticks)

    def tick(self, row: int) -> Tick:
        return self._rows[row]

    def state_of(self, criterion_id: str) -> str | None:
        return next((t.state for t in self._rows if t.id == criterion_id), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.STATE:
            return QBrush(QColor(_COLOURS[t.state]))
        if role == Qt.ItemDataRole.ToolTipRole:
            hint = t.hint.get(self.lang) if t.hint and not t.done else ""
            return "\n".join(x for x in (t.reason.get(self.lang), hint) if x)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        criterion = t.label.get(self.lang)
        if self.combined and t.reason.get(self.lang):
            criterion += "\n" + t.reason.get(self.lang)
        return [
            self.state_label(t.state),
            criterion,
            str(t.weight),
            t.reason.get(self.lang),
        ][index.column()]
