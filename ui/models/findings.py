"""Verification findings: severity, code, subject, message in the interface language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from forensics.ledger_checks import Finding, Severity
from ui.labels import severity_label
from ui.models.table import RowsModel

type Index = QModelIndex | QPersistentModelIndex

_COLOURS = {
    Severity.ERROR: "#c62828",
    Severity.UNTRUSTED: "#8a6d00",
    Severity.UNCHECKED: "#8a6d00",
    Severity.WARNING: "#b35c00",
    Severity.INFO: "#455a64",
}


class FindingsModel(RowsModel):
    SEVERITY, CODE, SUBJECT, MESSAGE = range(4)
    COLUMNS = 4

    def __init__(self, lang: str = "zh", parent: Any = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._rows: list[Finding] = []

    def headers(self) -> list[str]:
        return [self.tr("Severity"), self.tr("Check"), self.tr("Subject"), self.tr("Finding")]

    def set_findings(self, findings: Sequence[Finding]) -> None:
        # Errors first: they decide the verdict.
        order = {s: i for i, s in enumerate(_COLOURS)}
        self._reset(sorted(findings, key=lambda f: order[f.severity]))

    def finding(self, row: int) -> Finding:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.SEVERITY:
            return QBrush(QColor(_COLOURS[f.severity]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f.text(self.lang)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [severity_label(str(f.severity)), f.code, f.subject, f.text(self.lang)][
            index.column()
        ]
