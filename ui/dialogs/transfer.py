"""Transfer of custody of an exported package to another agency (REQUIREMENTS §E2): the
package file, the receiver and the reason; sealed off the GUI thread as ``custody.transfer``,
with ``FILE.qzp.transfer.json`` written beside the package for the receiver."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from app.capture.tasks import Outcome
from app.desk.custody import TransferResult, transfer_package
from app.desk.errors import explain
from app.installation import Installation
from forensics.identity import Signer
from ui.dialogs.parts import finish_form, message_label, path_row, pick_file
from ui.tasks import ProgressFn, run_with_progress
from ui.util import named


class TransferDialog(QDialog):
    transferred = Signal(object)  # TransferResult

    def __init__(
        self,
        inst: Installation,
        case_id: str,
        signer: Signer,
        lang: str,
        *,
        package: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.case_id, self.signer, self.lang = inst, case_id, signer, lang
        self.result_: TransferResult | None = None
        self.setObjectName("transferDialog")
        self.setWindowTitle(self.tr("Transfer custody"))
        self.package = named(QLineEdit(str(package or "")), "package")
        row = path_row(self.package, self.tr("Choose…"), self._pick)
        self.to_name = named(QLineEdit(), "to_name")
        self.to_badge = named(QLineEdit(), "to_badge")
        self.to_badge.setPlaceholderText(self.tr("optional"))
        self.to_agency = named(QLineEdit(), "to_agency")
        self.reason = named(QLineEdit(), "reason")
        self.reason.setPlaceholderText(self.tr("e.g. 涉嫌犯罪，移送公安机关"))
        form = QFormLayout()
        form.addRow(self.tr("Exported package (.qzp)"), row)
        form.addRow(self.tr("Receiver's name"), self.to_name)
        form.addRow(self.tr("Receiver's badge number"), self.to_badge)
        form.addRow(self.tr("Receiving agency"), self.to_agency)
        form.addRow(self.tr("Reason"), self.reason)
        p = signer.officer.profile
        self.message = message_label(
            self.tr("The transfer is sealed in the ledger and signed by {0}.").format(
                f"{p.name} ({p.badge})"
            )
        )
        self.buttons = finish_form(
            self, form, self.message, self.tr("Seal transfer"), self.start, min_width=620
        )

    def _pick(self) -> None:
        pick_file(
            self, self.package, self.tr("Exported package"), self.tr("Sealed package (*.qzp)"),
            start=self.package.text(),
        )  # fmt: skip

    def _fail(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828")

    def start(self) -> None:
        package = Path(self.package.text().strip())
        if not self.package.text().strip() or not package.is_file():
            self._fail(self.tr("Choose the exported package file (.qzp)."))
            return
        fields = (self.to_name, self.to_agency, self.reason)
        if not all(f.text().strip() for f in fields):
            self._fail(self.tr("Enter the receiver's name, the receiving agency and the reason."))
            return
        inst, case_id, signer = self.inst, self.case_id, self.signer
        to_name, to_badge = self.to_name.text(), self.to_badge.text()
        to_agency, reason = self.to_agency.text(), self.reason.text()

        def work(_progress: ProgressFn | None) -> TransferResult:
            return transfer_package(
                inst, case_id, signer, package,
                to_name=to_name, to_badge=to_badge, to_agency=to_agency, reason=reason,
            )  # fmt: skip

        self.buttons.setEnabled(False)
        run_with_progress(self, self.tr("Sealing the transfer…"), work, self._done)

    def _done(self, outcome: Outcome[TransferResult]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self._fail(
                self.tr("Transfer not sealed: {0}").format(explain(outcome.error, self.lang))
            )
            return
        r = outcome.unwrap()
        self.result_ = r
        lines = [
            self.tr("Transfer sealed as ledger entry {0}.").format(r.seq),
            self.tr("Hand over with the package: {0}").format(r.record_path),
        ]
        if r.stamps.pending:
            reason = r.stamps.reason_zh if self.lang.startswith("zh") else r.stamps.reason_en
            lines.append(
                self.tr("{0} seal point(s) wait for a time-stamp: {1}").format(
                    r.stamps.pending, reason
                )
            )
        self.message.setText("\n".join(lines))
        self.message.setStyleSheet("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.transferred.emit(r)
