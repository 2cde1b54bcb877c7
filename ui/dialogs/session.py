"""Starting a capture session (target, practice range) and closing it with the signatures
of two officers (REQUIREMENTS §A2)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.officers import unlock
from app.desk.practice import SHOP_URL, is_range_url, load_prefs, save_prefs
from app.desk.workspace_protocol import WorkspaceConfig
from app.installation import Installation
from forensics.entry_data import OfficerData
from forensics.errors import AuthError
from forensics.identity import Signer
from ui.dialogs.parts import finish_form, message_label
from ui.util import named


class StartSessionDialog(QDialog):
    """The workspace unlocks the lead's key in its own process: the lead types the
    passphrase here (checked before the workspace starts); the main window keeps none."""

    start = Signal(object, str)  # WorkspaceConfig, the lead's passphrase

    def __init__(
        self,
        inst: Installation,
        case_id: str,
        lead: Signer,
        target_url: str,
        lang: str,
        parent: QWidget | None = None,
        *,
        training: bool = False,
    ) -> None:
        super().__init__(parent)
        self.inst, self.case_id, self.lead, self.lang = inst, case_id, lead, lang
        self.training = training
        prefs = load_prefs(inst)
        # A training case trains on the range unless its officer chose otherwise last time
        # (remembered for training cases only: casework starts without the range's mapping);
        # its start page is then the range's shop unless the case names a target.
        use = training and prefs.use is not False
        if use and not target_url:
            target_url = SHOP_URL
        self.setObjectName("startSessionDialog")
        self.setWindowTitle(self.tr("Start a capture session"))
        intro = QLabel(
            self.tr(
                "The session starts the recording proxy and a browser with a fresh profile, and checks the capture environment; the check is shown to you and sealed. The workspace is recorded from start to end; pausing needs a reason. Two officers close the session."
            )
        )
        intro.setWordWrap(True)
        self.url = named(QLineEdit(target_url), "url")
        self.url.setPlaceholderText("https://")
        self.practice = QCheckBox(
            self.tr("Training on the practice range (the program starts it when needed)")
        )
        self.practice.setObjectName("practice")
        self.port = named(QSpinBox(), "port")
        self.port.setRange(1, 65535)
        self.port.setValue(prefs.port)
        self.practice.toggled.connect(self.port.setEnabled)
        self.practice.setChecked(use or is_range_url(target_url))
        self.port.setEnabled(self.practice.isChecked())
        self.passphrase = named(QLineEdit(), "passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = message_label()
        self.message.setStyleSheet("color: #c62828")
        form = QFormLayout()
        form.addRow(
            self.tr("Session lead"),
            QLabel(f"{lead.officer.profile.name} ({lead.officer.profile.badge})"),
        )
        form.addRow(self.tr("Start page"), self.url)
        form.addRow(self.practice)
        form.addRow(self.tr("Practice range port"), self.port)
        form.addRow(self.tr("Your passphrase"), self.passphrase)
        self.buttons = finish_form(
            self, form, self.message, self.tr("Start session"), self.submit,
            min_width=560, intro=intro, dismiss=QDialogButtonBox.StandardButton.Cancel,
        )  # fmt: skip

    def config(self) -> WorkspaceConfig:
        return WorkspaceConfig(
            self.case_id,
            self.lead.officer.profile.badge,
            self.url.text().strip(),
            self.port.value() if self.practice.isChecked() else None,
            self.lang,
        )

    def submit(self) -> None:
        url = self.url.text().strip()
        if url and not url.startswith(("http://", "https://")):
            self.message.setText(self.tr("The start page must start with http:// or https://."))
            return
        if is_range_url(url) and not self.practice.isChecked():
            # Without the range, its names resolve nowhere: a whole sealed session of
            # error pages. Say so before anything is sealed, and offer the fix.
            self.practice.setChecked(True)
            self.message.setText(
                self.tr(
                    "The start page is on the practice range, which only answers in training: “Training on the practice range” is now chosen. Start again to confirm."
                )
            )
            return
        if self.training:
            save_prefs(self.inst, self.practice.isChecked(), self.port.value())
        passphrase = self.passphrase.text()
        badge = self.lead.officer.profile.badge
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        run_task(lambda: unlock(self.inst, badge, passphrase), lambda o: self._done(o, passphrase))

    def _done(self, outcome: Outcome[Signer], passphrase: str) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self.message.setText(
                self.tr("Wrong passphrase. Try again.")
                if isinstance(outcome.error, AuthError)
                else explain(outcome.error, self.lang)
            )
            return
        self.start.emit(self.config(), passphrase)
        self.accept()


class CloseSessionDialog(QDialog):
    """The lead is unlocked already; the second officer types their passphrase here."""

    signed = Signal(list, bool)  # [Signer, …], single-officer training close

    def __init__(
        self,
        inst: Installation,
        lead: Signer,
        officers: Sequence[OfficerData],
        training: bool,
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.lead, self.lang = inst, lead, lang
        self.setObjectName("closeSessionDialog")
        self.setWindowTitle(self.tr("Close the session"))
        intro = QLabel(
            self.tr(
                "Closing stops the recording and the proxy, checks the environment again and seals the session with the signatures of two officers present."
            )
        )
        intro.setWordWrap(True)
        lead_badge = lead.officer.profile.badge
        self.second = named(QComboBox(), "second")
        for o in officers:
            if o.badge != lead_badge:
                self.second.addItem(f"{o.name} ({o.badge})", o.badge)
        self.passphrase = named(QLineEdit(), "passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.single = QCheckBox(self.tr("Training: close with one officer (the record says so)"))
        self.single.setObjectName("single")
        self.single.setVisible(training)
        form = QFormLayout()
        form.addRow(
            self.tr("First officer"), QLabel(f"{lead.officer.profile.name} ({lead_badge}) ✓")
        )
        form.addRow(self.tr("Second officer"), self.second)
        form.addRow(self.tr("Passphrase of the second officer"), self.passphrase)
        form.addRow(self.single)
        self.message = message_label()
        self.message.setStyleSheet("color: #c62828")
        self.buttons = finish_form(
            self, form, self.message, self.tr("Sign and close"), self.submit,
            min_width=520, intro=intro, dismiss=QDialogButtonBox.StandardButton.Cancel,
        )  # fmt: skip

    def submit(self) -> None:
        if self.single.isChecked():
            self.signed.emit([self.lead], True)
            self.accept()
            return
        badge = str(self.second.currentData() or "")
        if not badge:
            self.message.setText(self.tr("The case has no second officer."))
            return
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        run_task(lambda: unlock(self.inst, badge, self.passphrase.text()), self._done)

    def _done(self, outcome: Outcome[Signer]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self.passphrase.selectAll()
            self.message.setText(
                self.tr("Wrong passphrase. Try again.")
                if isinstance(outcome.error, AuthError)
                else explain(outcome.error, self.lang)
            )
            return
        self.message.clear()
        self.signed.emit([self.lead, outcome.unwrap()], False)
        self.accept()
