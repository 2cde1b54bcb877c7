"""The requests in a sealed WARC segment: a list, and for the chosen one its headers and
the start of its body (bounded)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.beijing import beijing
from app.desk.errors import explain
from app.desk.traffic import Exchange, read_exchanges
from ui.models.traffic import TrafficModel

WIDE = 720  # px: from this width on, every column is shown


class TrafficViewer(QWidget):
    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.model = TrafficModel(self)
        self.table = QTableView()
        self.table.setObjectName("trafficTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # The URL takes the free width; the short columns fit their content.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TrafficModel.URL, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("trafficDetail")
        self.detail.setReadOnly(True)
        self.info = QLabel()
        self.info.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([300, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.info)
        layout.addWidget(split, 1)
        self._token = 0

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """On a narrow panel the type and server columns give their room to the URL (both
        are in the details below the table)."""
        narrow = self.width() < WIDE
        for column in (TrafficModel.TYPE, TrafficModel.IP):
            self.table.setColumnHidden(column, narrow)

    def load(self, path: Path) -> None:
        self._token += 1
        token = self._token
        self.model.set_exchanges([])
        self.detail.clear()
        self.info.setText(self.tr("Reading the sealed traffic (digests are checked)…"))
        run_task(lambda: read_exchanges(path), lambda o: self._loaded(token, o))

    def _loaded(self, token: int, outcome: Outcome[list[Exchange]]) -> None:
        if token != self._token:
            return
        if outcome.error is not None:
            self.info.setText(
                self.tr("The traffic could not be shown: {0}").format(
                    explain(outcome.error, self.lang)
                )
            )
            return
        rows = outcome.unwrap()
        self.model.set_exchanges(rows)
        self.info.setText(self.tr("{0} requests; digests checked while reading.").format(len(rows)))
        if rows:
            self.table.selectRow(0)

    def _selected(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = selected.indexes()
        if not rows:
            return
        self.detail.setPlainText(self.describe(self.model.exchange(rows[0].row())))

    def describe(self, e: Exchange) -> str:
        lines = [
            f"{e.method} {e.url}",
            self.tr("Started: {0} (Beijing)  Server: {1}").format(
                beijing(e.started) if e.started else "—", e.server_ip
            ),
            "",
        ]
        lines.append(self.tr("Request headers"))
        lines += [f"  {k}: {v}" for k, v in e.request_headers]
        lines += ["", self.tr("Response headers ({0})").format(e.status or self.tr("no response"))]
        lines += [f"  {k}: {v}" for k, v in e.response_headers]
        if e.sensitive:
            lines += [
                "",
                self.tr("Carries the officer's own credentials: {0}").format(
                    ", ".join(e.sensitive)
                ),
            ]
        lines += ["", self.tr("Body (start)")]
        if e.preview_note:
            lines.append(f"  [{e.preview_note}]")
        lines.append(e.preview)
        return "\n".join(lines)
