"""The requests of one sealed WARC segment: method, status, URL, type, size, server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.desk.traffic import Exchange
from ui.models.table import RowsModel
from ui.models.timeline import human_size

type Index = QModelIndex | QPersistentModelIndex


class TrafficModel(RowsModel):
    METHOD, STATUS, URL, TYPE, SIZE, IP = range(6)
    COLUMNS = 6

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Exchange] = []

    def headers(self) -> list[str]:
        return [
            self.tr("Method"),
            self.tr("Status"),
            self.tr("URL"),
            self.tr("Type"),
            self.tr("Size"),
            self.tr("Server IP"),
        ]

    def set_exchanges(self, rows: Sequence[Exchange]) -> None:
        self._reset(rows)

    def exchange(self, row: int) -> Exchange:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return e.url
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        status = str(e.status) if e.status else self.tr("no response")
        return [e.method, status, e.url, e.mime, human_size(e.size), e.server_ip][index.column()]
