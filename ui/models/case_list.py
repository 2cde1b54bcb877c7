"""The case list: number, title, officers, status, last activity (Beijing time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.desk.cases import CaseSummary
from app.desk.timeline import beijing_time
from ui.labels import status_label
from ui.models.table import RowsModel

type Index = QModelIndex | QPersistentModelIndex

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class CaseListModel(RowsModel):
    NUMBER, TITLE, OFFICERS, STATUS, ACTIVITY = range(5)
    COLUMNS = 5

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseSummary] = []

    def headers(self) -> list[str]:
        return [
            self.tr("Case number"),
            self.tr("Title"),
            self.tr("Officers"),
            self.tr("Status"),
            self.tr("Last activity (Beijing)"),
        ]

    def set_cases(self, cases: Sequence[CaseSummary]) -> None:
        self._reset(cases)

    def case(self, row: int) -> CaseSummary:
        return self._rows[row]

    def row_of(self, case_id: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.case_id == case_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self._rows[index.row()]
        col = index.column()
        if role == CASE_ID_ROLE:
            return c.case_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{c.title}\n{c.case_id}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == self.NUMBER:
            return c.number or "—"
        if col == self.TITLE:
            return c.title + (self.tr(" (training)") if c.training else "")
        if col == self.OFFICERS:
            return "、".join(c.officers)
        if col == self.STATUS:
            return status_label(c.status)
        return beijing_time(c.last_activity) if c.last_activity else ""
