"""The chain-of-custody report (电子数据提取笔录) of a case as a PDF where the officer chooses,
written off the GUI thread with a progress dialog. Nothing is sealed: the report is made from
the ledger and the sealed files, and a package export carries its own copy."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QWidget

from app.capture.tasks import Outcome
from app.desk.errors import explain
from app.desk.report import report_lang, write_report
from app.installation import Installation
from forensics.errors import QuzhengError
from ui.dialogs.open_buttons import OpenButtons
from ui.dialogs.parts import finish_form, message_label, path_row, pick_file
from ui.tasks import ProgressFn, run_with_progress
from ui.util import named

if TYPE_CHECKING:
    from forensics.report import ReportSummary  # reportlab loads when a report is written


class ReportDialog(QDialog):
    written = Signal(object)  # ReportSummary

    def __init__(
        self,
        inst: Installation,
        case_id: str,
        lang: str,
        *,
        suggested: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.case_id, self.lang = inst, case_id, lang
        self.summary: ReportSummary | None = None
        self.setObjectName("reportDialog")
        self.setWindowTitle(self.tr("Chain-of-custody report"))
        self.out = named(QLineEdit(str(suggested or "")), "out")
        row = path_row(self.out, self.tr("Choose…"), self._pick)
        self.report_lang = QComboBox()
        self.report_lang.addItem("简体中文", "zh")
        self.report_lang.addItem("English", "en")
        # The case's language (Chinese for a Chinese agency), not the interface's.
        case_lang = lang
        with contextlib.suppress(QuzhengError, OSError):
            case_lang = report_lang(inst, case_id)
        self.report_lang.setCurrentIndex(0 if case_lang.startswith("zh") else 1)
        form = QFormLayout()
        form.addRow(self.tr("PDF file"), row)
        form.addRow(self.tr("Report language"), self.report_lang)
        self.message = message_label(
            self.tr(
                "The report (电子数据提取笔录) is made from the sealed record; nothing in the case changes."
            )
        )
        self.buttons = finish_form(
            self, form, self.message, self.tr("Write report"), self.start, min_width=600
        )
        self.open_buttons = OpenButtons(self.buttons, with_file=True)

    def _pick(self) -> None:
        pick_file(
            self, self.out, self.tr("PDF file"), self.tr("PDF (*.pdf)"),
            start=self.out.text(), save=True,
        )  # fmt: skip

    def start(self) -> None:
        if not self.out.text().strip():
            self.message.setText(self.tr("Choose where to write the report."))
            self.message.setStyleSheet("color: #c62828")
            return
        inst, case_id = self.inst, self.case_id
        out, lang = Path(self.out.text().strip()), str(self.report_lang.currentData())

        def work(_progress: ProgressFn | None) -> ReportSummary:
            return write_report(inst, case_id, out, lang)

        self.buttons.setEnabled(False)
        run_with_progress(self, self.tr("Writing the report…"), work, self._done)

    def _done(self, outcome: Outcome[ReportSummary]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self.message.setText(
                self.tr("No report written: {0}").format(explain(outcome.error, self.lang))
            )
            self.message.setStyleSheet("color: #c62828")
            return
        s = outcome.unwrap()
        self.summary = s
        lines = [
            self.tr("Report: {0}").format(s.path),
            self.tr("{0} page(s)").format(s.pages),
            f"SHA-256: {s.sha256}",
            f"SM3: {s.sm3}",
            *s.warnings,
        ]
        self.message.setText("\n".join(lines))
        self.message.setStyleSheet("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_buttons.show_for(s.path)
        self.written.emit(s)
