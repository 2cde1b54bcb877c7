"""Verification of a case or a package: off the GUI thread with a progress dialog, then
the verdict and every finding (in the interface language)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome
from app.desk.cases import verify_case, verify_package_file
from app.desk.errors import explain
from app.installation import Installation
from forensics.ledger_checks import Verdict, VerificationReport
from forensics.verdict_text import verdict_summary
from ui.dialogs.parts import add_findings, findings_table, message_label, path_row, pick_file
from ui.models.findings import FindingsModel
from ui.tasks import ProgressFn, run_with_progress
from ui.util import named


class VerifyDialog(QDialog):
    verified = Signal(object)  # VerificationReport

    def __init__(
        self,
        inst: Installation,
        lang: str,
        *,
        case_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.lang, self.case_id = inst, lang, case_id
        self.report: VerificationReport | None = None
        self.setObjectName("verifyDialog")
        self.setWindowTitle(self.tr("Verify evidence"))
        layout = QVBoxLayout(self)
        self.package = named(QLineEdit(), "package")
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("only for an encrypted package"))
        if case_id is None:
            form = QFormLayout()
            form.addRow(
                self.tr("Package (.qzp)"), path_row(self.package, self.tr("Choose…"), self._pick)
            )
            form.addRow(self.tr("Password"), self.password)
            layout.addLayout(form)
        self.verdict = message_label(self.tr("Not verified yet."), "verdict")
        self.model = FindingsModel(lang[:2], self)
        self.table = findings_table(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = buttons.addButton(
            self.tr("Verify"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.run_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        add_findings(layout, self.verdict, self.table, buttons)
        self.resize(820, 480)

    def _pick(self) -> None:
        pick_file(self, self.package, self.tr("Package"), self.tr("Sealed package (*.qzp)"))

    def _clear(self, text: str) -> None:
        """Forget the last verdict and its findings: they belong to another package."""
        self.report = None
        self.model.set_findings([])
        self.verdict.setText(text)
        self.verdict.setStyleSheet("")

    def start(self) -> None:
        inst, case_id = self.inst, self.case_id
        path, password = Path(self.package.text()), self.password.text()
        if case_id is None and not path.is_file():
            self._clear(self.tr("Choose a package file."))
            return
        self._clear(self.tr("Verifying…"))

        def work(progress: ProgressFn | None) -> VerificationReport:
            if case_id is not None:
                return verify_case(inst, case_id)
            return verify_package_file(inst, path, password, progress)

        self.run_button.setEnabled(False)
        run_with_progress(
            self, self.tr("Verifying…"), work, self._done, determinate=case_id is None
        )

    def _done(self, outcome: Outcome[VerificationReport]) -> None:
        self.run_button.setEnabled(True)
        if outcome.error is not None:
            self.verdict.setText(
                self.tr("Could not verify: {0}").format(explain(outcome.error, self.lang))
            )
            self.verdict.setStyleSheet("color: #c62828")
            return
        report = outcome.unwrap()
        self.report = report
        self.model.set_findings(report.findings)
        self.table.resizeRowsToContents()
        summary = "\n".join(verdict_summary(report, self.lang))
        if report.bottom_line:
            self.verdict.setText(
                self.tr("PASS: {0} ledger entries and {1} sealed files are intact.").format(
                    report.entries, report.items
                )
                + "\n"
                + summary
            )
            self.verdict.setStyleSheet("color: #1a7f37; font-weight: bold")
        elif report.verdict is Verdict.FAIL:
            self.verdict.setText(
                self.tr(
                    "FAIL: {0} integrity finding(s). The list below says which file or entry."
                ).format(len(report.errors))
            )
            self.verdict.setStyleSheet("color: #c62828; font-weight: bold")
        else:  # intact, trust not established / sealed, contents not checked
            self.verdict.setText(summary)
            self.verdict.setStyleSheet("color: #8a6d00; font-weight: bold")
        self.verified.emit(report)
