"""Receive a package from another agency: verify it first and show every finding; only a
package that passes can be imported, as a read-only received case whose ``custody.receive``
entry the unlocked officer signs. Both steps run off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome
from app.desk.cases import verify_package_file
from app.desk.custody import ReceiveResult, receive_package
from app.desk.errors import explain
from app.installation import Installation
from forensics.identity import Signer
from forensics.ledger_checks import Verdict, VerificationReport
from forensics.verdict_text import verdict_summary
from ui.dialogs.parts import add_findings, findings_table, message_label, path_row, pick_file
from ui.models.findings import FindingsModel
from ui.screen import fit_to_screen
from ui.tasks import ProgressFn, run_with_progress
from ui.util import named

_RED, _GREEN = "color: #c62828", "color: #1a7f37; font-weight: bold"


class ImportPackageDialog(QDialog):
    verified = Signal(object)  # VerificationReport
    imported = Signal(str)  # the received case's id

    def __init__(
        self, inst: Installation, receiver: Signer, lang: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.inst, self.receiver, self.lang = inst, receiver, lang
        self.report: VerificationReport | None = None
        self.result_: ReceiveResult | None = None
        self.setObjectName("importPackageDialog")
        self.setWindowTitle(self.tr("Import a received package"))
        self.package = named(QLineEdit(), "package")
        self.package.textChanged.connect(self._changed)
        row = path_row(self.package, self.tr("Choose…"), self._pick)
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("only for an encrypted package"))
        self.password.textChanged.connect(self._changed)
        self.reason = named(QLineEdit(), "reason")
        self.reason.setPlaceholderText(self.tr("e.g. 接收移送案件"))
        form = QFormLayout()
        form.addRow(self.tr("Package (.qzp)"), row)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Reason"), self.reason)
        p = receiver.officer.profile
        intro = QLabel(
            self.tr(
                "The package is verified first. Only a package that passes is imported, as a read-only received case; {0} signs its receipt."
            ).format(f"{p.name} ({p.badge})")
        )
        intro.setWordWrap(True)
        self.verdict = message_label(self.tr("Not verified yet."), "verdict")
        self.model = FindingsModel(lang[:2], self)
        self.table = findings_table(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = buttons.addButton(
            self.tr("Verify"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.verify_button.clicked.connect(self.verify)
        self.import_button = buttons.addButton(
            self.tr("Import as received case"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.import_button.clicked.connect(self.receive)
        self.import_button.setEnabled(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        add_findings(layout, self.verdict, self.table, buttons)
        fit_to_screen(self, QSize(820, 520))

    def _pick(self) -> None:
        pick_file(self, self.package, self.tr("Package"), self.tr("Sealed package (*.qzp)"))

    def _changed(self) -> None:
        """Another file or password: what was verified no longer speaks for it."""
        self.report = None
        self.import_button.setEnabled(False)

    def _say(self, text: str, style: str = "") -> None:
        self.verdict.setText(text)
        self.verdict.setStyleSheet(style)

    def verify(self) -> None:
        path, password, inst = Path(self.package.text().strip()), self.password.text(), self.inst
        if not self.package.text().strip() or not path.is_file():
            self._say(self.tr("Choose a package file."), _RED)
            return

        def work(progress: ProgressFn | None) -> VerificationReport:
            return verify_package_file(inst, path, password, progress)

        self.verify_button.setEnabled(False)
        run_with_progress(self, self.tr("Verifying…"), work, self._verified, determinate=True)

    def _verified(self, outcome: Outcome[VerificationReport]) -> None:
        self.verify_button.setEnabled(True)
        if outcome.error is not None:
            self._say(
                self.tr("Could not verify: {0}").format(explain(outcome.error, self.lang)), _RED
            )
            return
        report = outcome.unwrap()
        self.report = report
        self.model.set_findings(report.findings)
        self.table.resizeRowsToContents()
        if report.bottom_line:
            self._say(
                self.tr(
                    "PASS: {0} ledger entries and {1} sealed files are intact. It can be imported."
                ).format(report.entries, report.items),
                _GREEN,
            )
        elif report.verdict is Verdict.FAIL:
            self._say(
                self.tr("FAIL: {0} integrity finding(s). This package cannot be imported.").format(
                    len(report.errors)
                ),
                _RED + "; font-weight: bold",
            )
        else:  # intact, but not proven to this installation's trust anchors: not imported
            self._say("\n".join(verdict_summary(report, self.lang)), _RED)
        self.import_button.setEnabled(report.bottom_line)
        self.verified.emit(report)

    def receive(self) -> None:
        if self.report is None or not self.report.bottom_line:
            self._say(self.tr("Verify the package first."), _RED)
            return
        inst, receiver = self.inst, self.receiver
        path, password, reason = (
            Path(self.package.text().strip()),
            self.password.text(),
            self.reason.text(),
        )

        def work(_progress: ProgressFn | None) -> ReceiveResult:
            return receive_package(inst, path, receiver, password=password, reason=reason)

        self.import_button.setEnabled(False)
        self.verify_button.setEnabled(False)
        run_with_progress(self, self.tr("Importing…"), work, self._received)

    def _received(self, outcome: Outcome[ReceiveResult]) -> None:
        self.verify_button.setEnabled(True)
        if outcome.error is not None:
            self._say(self.tr("Not imported: {0}").format(explain(outcome.error, self.lang)), _RED)
            self.import_button.setEnabled(self.report is not None and self.report.bottom_line)
            return
        r = outcome.unwrap()
        self.result_ = r
        lines = [self.tr("Imported as received case {0} (read-only).").format(r.case_id)]
        if r.stamps.pending:
            why = r.stamps.reason_zh if self.lang.startswith("zh") else r.stamps.reason_en
            lines.append(
                self.tr("{0} seal point(s) wait for a time-stamp: {1}").format(
                    r.stamps.pending, why
                )
            )
        self._say("\n".join(lines), _GREEN)
        self.imported.emit(r.case_id)
