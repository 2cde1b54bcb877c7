"""Officer profiles after the first start (执法人员 menu): a new officer's profile and key,
with a certificate issued by this computer's agency CA when it holds one, and a certificate
from that CA for an officer whose key is still self-signed. The rules (badge, passphrase,
the CA's key) live in the core (``forensics.identity`` through ``app.desk.officers``); the
work runs off the GUI thread."""

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
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.officers import LocalCa, OfficerInfo, create_officer, issue_certificate, local_ca
from app.installation import Installation
from forensics.identity import Officer, Profile
from ui.dialogs.parts import finish_form, message_label
from ui.dialogs.profile_problem import profile_problem
from ui.util import named


def _password(name: str) -> QLineEdit:
    edit = named(QLineEdit(), name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _wrapped(text: str, name: str) -> QLabel:
    label = named(QLabel(text), name)
    label.setWordWrap(True)
    return label


class _OfficerDialog(QDialog):
    """What both dialogs share: the message line, the busy state, the outcome."""

    saved = Signal(object)  # the Officer created or re-certified

    def __init__(self, inst: Installation, lang: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.inst, self.lang = inst, lang
        self.ca: LocalCa | None = local_ca(inst)
        self.message = message_label()
        self.buttons: QDialogButtonBox | None = None

    def _fail(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828")

    def _busy(self, text: str) -> None:
        if self.buttons is not None:
            self.buttons.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _finished(self, outcome: Outcome[Officer]) -> None:
        if self.buttons is not None:
            self.buttons.setEnabled(True)
        if outcome.error is not None:
            self._fail(explain(outcome.error, self.lang))
            return
        self.saved.emit(outcome.unwrap())
        self.accept()


class NewOfficerDialog(_OfficerDialog):
    """执法人员 → 新建执法人员档案…: name, badge, agency, passphrase twice, and the local
    agency CA's certificate when this computer holds the CA."""

    def __init__(self, inst: Installation, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(inst, lang, parent)
        self.setObjectName("newOfficerDialog")
        self.setWindowTitle(self.tr("New officer profile"))
        self.name = named(QLineEdit(), "name")
        self.badge = named(QLineEdit(), "badge")
        self.agency = named(QLineEdit(self.ca.agency if self.ca else ""), "agency")
        self.passphrase = _password("passphrase")
        self.repeat = _password("repeat")
        self.use_ca = named(QCheckBox(), "useCa")
        self.ca_passphrase = _password("caPassphrase")
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Badge number (执法证号)"), self.badge)
        form.addRow(self.tr("Agency"), self.agency)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        form.addRow(self.tr("Repeat passphrase"), self.repeat)
        if self.ca is not None:
            self.use_ca.setText(
                self.tr("Certificate issued by this computer's agency CA: {0}").format(
                    self.ca.subject
                )
            )
            self.use_ca.setChecked(True)
            self.use_ca.toggled.connect(self.ca_passphrase.setEnabled)
            form.addRow(self.use_ca)
            form.addRow(self.tr("Agency CA passphrase"), self.ca_passphrase)
            about = self.tr(
                "The new officer's key gets a certificate from the agency CA, so a court can check that it belongs to the officer. The CA's passphrase is asked once and not kept."
            )
        else:
            about = self.tr(
                "This computer holds no agency CA: the new key is self-signed, and its fingerprint is printed in the paper record for the officer's handwritten signature."
            )
        intro = _wrapped(
            self.tr(
                "The officer chooses the passphrase and keeps it: at least 10 characters, never shared. Nobody can recover a lost passphrase."
            )
            + "\n"
            + about,
            "intro",
        )
        self.buttons = finish_form(
            self, form, self.message, self.tr("Create"), self.submit,
            min_width=440, intro=intro, dismiss=QDialogButtonBox.StandardButton.Cancel,
        )  # fmt: skip

    def problem(self) -> str:
        """Why the form cannot be submitted (empty: it can)."""
        fields = (self.name, self.badge, self.agency, self.passphrase, self.repeat)
        problem = profile_problem(*(edit.text() for edit in fields))
        if not problem and self.issues() and not self.ca_passphrase.text():
            return self.tr("Enter the agency CA's passphrase.")
        return problem

    def issues(self) -> bool:
        """Whether the local agency CA is to issue the new officer's certificate."""
        return self.ca is not None and self.use_ca.isChecked()

    def submit(self) -> None:
        problem = self.problem()
        if problem:
            self._fail(problem)
            return
        inst = self.inst
        profile = Profile(
            self.name.text().strip(), self.badge.text().strip(), self.agency.text().strip()
        )
        passphrase = self.passphrase.text()
        ca_passphrase = self.ca_passphrase.text() if self.issues() else None
        self._busy(self.tr("Creating the key…"))
        run_task(lambda: create_officer(inst, profile, passphrase, ca_passphrase), self._finished)


class IssueCertificateDialog(_OfficerDialog):
    """执法人员 → 由本机机构 CA 签发证书…: a certificate from the local agency CA for an officer
    whose key is still self-signed (the key stays the same)."""

    def __init__(
        self,
        inst: Installation,
        officers: Sequence[OfficerInfo],
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(inst, lang, parent)
        self.setObjectName("issueCertificateDialog")
        self.setWindowTitle(self.tr("Certificate from the agency CA"))
        self.officer = named(QComboBox(), "officer")
        for o in officers:
            if o.self_signed:
                self.officer.addItem(f"{o.label}  {o.agency}", o.badge)
        self.ca_passphrase = _password("caPassphrase")
        form = QFormLayout()
        form.addRow(self.tr("Officer"), self.officer)
        form.addRow(self.tr("Agency CA passphrase"), self.ca_passphrase)
        intro = _wrapped(
            self.tr(
                "The officer keeps the same key; its self-signed certificate is replaced by one the agency CA issues ({0}). Entries the officer signed before stay valid."
            ).format(self.ca.subject if self.ca else "—"),
            "intro",
        )
        self.buttons = finish_form(
            self, form, self.message, self.tr("Issue"), self.submit,
            min_width=440, intro=intro, dismiss=QDialogButtonBox.StandardButton.Cancel,
        )  # fmt: skip
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if self.ca is None:
            self._fail(self.tr("This computer holds no agency CA."))
            ok.setEnabled(False)
        elif self.officer.count() == 0:
            self._fail(self.tr("Every officer on this computer already has an agency certificate."))
            ok.setEnabled(False)

    def choose(self, badge: str) -> None:
        self.officer.setCurrentIndex(self.officer.findData(badge))

    def submit(self) -> None:
        badge = str(self.officer.currentData() or "")
        if not badge:
            self._fail(self.tr("Choose the officer."))
            return
        if not self.ca_passphrase.text():
            self._fail(self.tr("Enter the agency CA's passphrase."))
            return
        inst, ca_passphrase = self.inst, self.ca_passphrase.text()
        self._busy(self.tr("Issuing the certificate…"))
        run_task(lambda: issue_certificate(inst, badge, ca_passphrase), self._finished)
