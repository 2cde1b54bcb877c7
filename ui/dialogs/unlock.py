"""Officer unlock: choose the officer, type the passphrase (checked off the GUI thread)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.officers import OfficerInfo, unlock
from app.installation import Installation
from forensics.errors import AuthError
from forensics.identity import Signer


class UnlockDialog(QDialog):
    unlocked = Signal(object)  # Signer

    def __init__(
        self,
        inst: Installation,
        officers: Sequence[OfficerInfo],
        lang: str,
        *,
        badge: str | None = None,
        prompt: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst = inst
        self.lang = lang
        self.setObjectName("unlockDialog")
        self.setWindowTitle(self.tr("Unlock officer key"))
        self.officer = QComboBox()
        for o in officers:
            self.officer.addItem(o.label, o.badge)
        if badge is not None:
            self.officer.setCurrentIndex(max(0, self.officer.findData(badge)))
            self.officer.setEnabled(False)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setObjectName("passphrase")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        form = QFormLayout()
        form.addRow(self.tr("Officer"), self.officer)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            prompt
            or self.tr("Your key signs every entry you seal. Type your passphrase to unlock it.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def try_unlock(self) -> None:
        badge = str(self.officer.currentData() or "")
        if not badge:
            self.message.setText(self.tr("No officer profile exists yet."))
            return
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        run_task(lambda: unlock(self.inst, badge, self.passphrase.text()), self._done)

    def _done(self, outcome: Outcome[Signer]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self.passphrase.selectAll()
            if isinstance(outcome.error, AuthError):
                self.message.setText(self.tr("Wrong passphrase. Try again."))
            else:
                self.message.setText(explain(outcome.error, self.lang))
            return
        self.message.clear()
        self.unlocked.emit(outcome.unwrap())
        self.accept()
