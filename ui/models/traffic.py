"""The requests of one sealed WARC segment: method, status, URL, type, size, server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.gui.traffic import Exchange
from ui.models.timeline import human_size

type Index = QModelIndex | QPersistentModelIndex


class TrafficModel(QAbstractTableModel):
    METHOD, STATUS, URL, TYPE, SIZE, IP = range(6)

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
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def exchange(self, row: int) -> Exchange:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

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

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
