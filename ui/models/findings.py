"""Verification findings: severity, code, subject, message in the interface language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from forensics.verify import Finding, Severity
from ui.labels import severity_label

type Index = QModelIndex | QPersistentModelIndex

_COLOURS = {Severity.ERROR: "#c62828", Severity.WARNING: "#b35c00", Severity.INFO: "#455a64"}


class FindingsModel(QAbstractTableModel):
    SEVERITY, CODE, SUBJECT, MESSAGE = range(4)

    def __init__(self, lang: str = "zh", parent: Any = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._findings: list[Finding] = []

    def headers(self) -> list[str]:
        return [self.tr("Severity"), self.tr("Check"), self.tr("Subject"), self.tr("Finding")]

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.beginResetModel()
        # Errors first: they decide the verdict.
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        self._findings = sorted(findings, key=lambda f: order[f.severity])
        self.endResetModel()

    def finding(self, row: int) -> Finding:
        return self._findings[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self._findings[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.SEVERITY:
            return QBrush(QColor(_COLOURS[f.severity]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f.text(self.lang)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [severity_label(str(f.severity)), f.code, f.subject, f.text(self.lang)][
            index.column()
        ]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
