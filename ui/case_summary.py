"""Beside the case list: the chosen case at a glance, read off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.capture.tasks import Outcome, run_task
from app.desk.cases import CaseDetails, load_case
from app.desk.errors import explain
from app.installation import Installation
from ui.case_header import CaseHeader, esc
from ui.labels import entry_kind_label
from ui.models.timeline import TimelineModel
from ui.util import named


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2) :]


class CaseSummaryPanel(QWidget):
    open_requested = Signal(str)
    capture_requested = Signal(object)  # CaseDetails

    def __init__(self, inst: Installation, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inst, self.lang = inst, lang
        self.details: CaseDetails | None = None
        self.setObjectName("caseSummary")
        self.header = named(QLabel(), "summaryHeader")
        self.header.setWordWrap(True)
        self.header.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.recent = named(QLabel(), "summaryRecent")
        self.recent.setWordWrap(True)
        self.recent.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.open_button = QPushButton(self.tr("Open case"))
        self.open_button.clicked.connect(self._open)
        self.capture_button = QPushButton(self.tr("Start capture session…"))
        self.capture_button.clicked.connect(self._capture)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.capture_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(buttons)
        layout.addWidget(self.recent, 1)
        self.clear()

    def clear(self) -> None:
        self.details = None
        self.header.setText(
            self.tr(
                "Choose a case on the left, or open a new one (Ctrl+N). Double-click opens a case."
            )
        )
        self.recent.clear()
        self.open_button.setEnabled(False)
        self.capture_button.setEnabled(False)

    def show_case(self, case_id: str) -> None:
        inst = self.inst
        run_task(lambda: load_case(inst, case_id), self._loaded)

    def _loaded(self, outcome: Outcome[CaseDetails]) -> None:
        if outcome.error is not None:
            self.header.setText(explain(outcome.error, self.lang))
            return
        d = outcome.unwrap()
        self.details = d
        self.header.setText(CaseHeader(self).html(d, title_size=3))
        latest = [r for r in d.rows if r.kind not in ("officer.add",)][-8:]
        about = TimelineModel(self)
        lines = "".join(
            f"<tr><td style='color:#555;padding-right:10px;white-space:nowrap'>{r.beijing}</td>"
            f"<td style='padding-right:10px;white-space:nowrap'>{esc(entry_kind_label(r.kind, r.data))}</td>"
            f"<td>{esc(_short(r.file_name or about.summary(r)))}</td></tr>"
            for r in reversed(latest)
        )
        heading = self.tr("Latest entries")
        self.recent.setText(f"<b>{heading}</b><table>{lines}</table>")
        self.open_button.setEnabled(True)
        self.capture_button.setEnabled(not d.received)

    def _open(self) -> None:
        if self.details is not None:
            self.open_requested.emit(self.details.case_id)

    def _capture(self) -> None:
        if self.details is not None:
            self.capture_requested.emit(self.details)
