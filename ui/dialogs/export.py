"""Export a case as a sealed package: off the GUI thread with a progress bar; the result
names the package, its hashes, the detached seal and any backup copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from app.capture.tasks import Outcome
from app.desk.cases import export_case
from app.desk.errors import explain
from app.installation import Installation
from forensics.errors import InputError
from forensics.identity import Signer
from forensics.package import ExportResult
from ui.dialogs.backup_retry import BackupRetry
from ui.dialogs.open_buttons import OpenButtons
from ui.dialogs.parts import finish_form, message_label, path_row, pick_file
from ui.tasks import ProgressFn, run_with_progress
from ui.util import named


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(
        self,
        inst: Installation,
        case_id: str,
        signer: Signer,
        lang: str,
        *,
        suggested: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.case_id, self.signer, self.lang = inst, case_id, signer, lang
        self.result_: ExportResult | None = None
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export sealed package"))
        self.out = named(QLineEdit(str(suggested or "")), "out")
        row = path_row(self.out, self.tr("Choose…"), self._pick)
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("empty: not encrypted (at least 8 characters)"))
        self.repeat = named(QLineEdit(), "repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.backup = named(QLineEdit(), "backup")
        self.backup.setPlaceholderText(
            self.tr("optional: an identical copy, compared after writing")
        )
        self.report_lang = QComboBox()
        self.report_lang.addItem("简体中文", "zh")
        self.report_lang.addItem("English", "en")
        self.report_lang.setCurrentIndex(0 if lang.startswith("zh") else 1)
        form = QFormLayout()
        form.addRow(self.tr("Package file"), row)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)
        form.addRow(self.tr("Backup copy"), self.backup)
        form.addRow(self.tr("Report language"), self.report_lang)
        self.message = message_label(
            self.tr("Export is sealed in the ledger and signed by {0}.").format(
                f"{signer.officer.profile.name} ({signer.officer.profile.badge})"
            )
        )
        self.buttons = finish_form(
            self, form, self.message, self.tr("Export"), self.start, min_width=620
        )
        self.backup_retry = BackupRetry.below(self.buttons, self.backup.text, lang)

    def _pick(self) -> None:
        pick_file(
            self, self.out, self.tr("Package file"), self.tr("Sealed package (*.qzp)"),
            start=self.out.text(), save=True,
        )  # fmt: skip

    def start(self) -> None:
        if not self.out.text().strip():
            self.message.setText(self.tr("Choose where to write the package."))
            return
        if self.password.text() != self.repeat.text():
            self.message.setText(self.tr("The two passwords differ."))
            return
        inst, case_id, signer = self.inst, self.case_id, self.signer
        out = Path(self.out.text().strip())
        password = self.password.text() or None
        backup = Path(self.backup.text().strip()) if self.backup.text().strip() else None
        lang = str(self.report_lang.currentData())

        def work(progress: ProgressFn | None) -> ExportResult:
            return export_case(
                inst, case_id, signer, out, password=password, backup=backup, lang=lang,
                progress=progress,
            )  # fmt: skip

        self.buttons.setEnabled(False)
        run_with_progress(self, self.tr("Exporting…"), work, self._done, determinate=True)

    def _done(self, outcome: Outcome[ExportResult]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            # Refused before anything was written (InputError), or failed while the package
            # was written: then the error itself says that nothing was left or sealed.
            reason = explain(outcome.error, self.lang)
            if isinstance(outcome.error, InputError):  # two sentences: the cause, then this
                reason = reason.rstrip("。.")
                text = self.tr("Export failed: {0}. Nothing sealed in the case was changed.")
            else:
                text = self.tr("Export failed: {0}")
            self.message.setText(text.format(reason))
            self.message.setStyleSheet("color: #c62828")
            return
        r = outcome.unwrap()
        self.result_ = r
        lines = [
            self.tr("Package: {0}").format(r.path),
            self.tr("Package id: {0}").format(r.package_id),
            f"SHA-256: {r.sha256}",
            f"SM3: {r.sm3}",
            self.tr("Seal: {0}").format(r.seal_path),
        ]
        if r.backup_path is not None:
            lines.append(self.tr("Backup (identical, compared): {0}").format(r.backup_path))
        failed = r.backup_error
        lines += [w for w in r.warnings if failed is None or failed.message_en not in w]
        if failed is not None:  # said below, in the officer's language, with a retry
            self.backup_retry.offer(r.path, failed)
        self.message.setText("\n".join(lines))
        self.message.setStyleSheet("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        OpenButtons.of(self.buttons).show_for(r.path)
        self.exported.emit(r)
