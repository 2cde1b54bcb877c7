"""The desktop window. For now: the list of cases (the capture workspace comes next)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
)

from app.paths import data_home
from forensics.case import list_cases


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Quzheng — cases"))
        headers = [
            self.tr("Case id"),
            self.tr("Number"),
            self.tr("Title"),
            self.tr("Officers"),
            self.tr("Status"),
            self.tr("Last activity"),
        ]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setHorizontalHeaderLabels(headers)
        self.setCentralWidget(self.table)
        self.resize(1000, 600)
        self.refresh()

    def refresh(self) -> None:
        cases = list_cases(data_home())
        self.table.setRowCount(len(cases))
        for row, info in enumerate(cases):
            values = [
                info.case_id,
                info.number,
                info.title,
                ",".join(info.officers),
                info.status,
                info.last_activity,
            ]
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))


def run_gui() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow()
    window.show()
    return int(app.exec())
