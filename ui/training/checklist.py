"""The trainee's checklist: one row per criterion of the exercise, ticked from the case."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from forensics.training.progress import AT_SCORING, DONE, MISSED, OPEN, Progress, Tick

type Index = QModelIndex | QPersistentModelIndex

_MARKS = {DONE: "✓", OPEN: "○", MISSED: "✗", AT_SCORING: "…"}
_COLOURS = {DONE: "#1a7f37", OPEN: "#455a64", MISSED: "#c62828", AT_SCORING: "#b35c00"}


class ChecklistModel(QAbstractTableModel):
    STATE, CRITERION, POINTS, NOTE = range(4)

    def __init__(self, lang: str = "zh", parent: Any = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._ticks: list[Tick] = []

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
        self.beginResetModel()
        self._ticks = list(progress.ticks)
        self.endResetModel()

    def tick(self, row: int) -> Tick:
        return self._ticks[row]

    def state_of(self, criterion_id: str) -> str | None:
        return next((t.state for t in self._ticks if t.id == criterion_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ticks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self._ticks[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.STATE:
            return QBrush(QColor(_COLOURS[t.state]))
        if role == Qt.ItemDataRole.ToolTipRole:
            hint = t.hint.get(self.lang) if t.hint and not t.done else ""
            return "\n".join(x for x in (t.reason.get(self.lang), hint) if x)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            self.state_label(t.state),
            t.label.get(self.lang),
            str(t.weight),
            t.reason.get(self.lang),
        ][index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
