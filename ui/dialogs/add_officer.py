"""Add an officer to an open case: choose an officer profile on this computer and a role;
the ``officer.add`` entry is signed by the unlocked officer (an officer of the case). An
officer with no profile here yet gets one from this dialog (新建执法人员档案…, the same dialog
as the 执法人员 menu's) and is then offered in the list."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.cases import add_case_officer
from app.desk.errors import explain
from app.desk.officers import OfficerInfo, list_officers
from app.installation import Installation
from forensics.identity import Officer, Signer
from forensics.ledger import Record
from ui.dialogs.officer_profile import NewOfficerDialog
from ui.dialogs.parts import finish_form, message_label
from ui.util import named


class AddOfficerDialog(QDialog):
    added = Signal(object)  # the officer.add Record
    profile_created = Signal(object)  # the Officer whose profile was created from here

    def __init__(
        self,
        inst: Installation,
        case_id: str,
        signer: Signer,
        members: Collection[str],  # key fingerprints of the case's officers
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.case_id, self.signer, self.lang = inst, case_id, signer, lang
        self.members = set(members)
        self.setObjectName("addOfficerDialog")
        self.setWindowTitle(self.tr("Add officer"))
        self.officer = named(QComboBox(), "officer")
        self.role = named(QComboBox(), "role")
        for role, label in (
            ("officer", self.tr("Officer")),
            ("recorder", self.tr("Recorder (记录人)")),
            ("assistant", self.tr("Technical assistant (技术辅助人员)")),
        ):
            self.role.addItem(label, role)
        self.new_profile = named(QPushButton(self.tr("New officer profile…")), "newProfile")
        self.new_profile.clicked.connect(self.new_officer)
        self._wanted = ""  # the badge to choose when the list is loaded
        row = QHBoxLayout()
        row.addWidget(self.officer, 1)
        row.addWidget(self.new_profile)
        form = QFormLayout()
        form.addRow(self.tr("Officer"), row)
        form.addRow(self.tr("Role"), self.role)
        p = signer.officer.profile
        intro = QLabel(
            self.tr("The officer is added to the case's sealed record, signed by {0}.").format(
                f"{p.name} ({p.badge})"
            )
        )
        intro.setWordWrap(True)
        self.message = message_label()
        self.buttons = finish_form(
            self, form, self.message, self.tr("Add"), self.submit,
            min_width=460, intro=intro, dismiss=QDialogButtonBox.StandardButton.Cancel,
        )  # fmt: skip
        run_task(lambda: list_officers(inst), self._officers_loaded)

    def _officers_loaded(self, outcome: Outcome[list[OfficerInfo]]) -> None:
        if outcome.error is not None:
            self._fail(explain(outcome.error, self.lang))
            return
        self.officer.clear()
        for o in outcome.unwrap():
            if o.key_fp not in self.members:
                self.officer.addItem(f"{o.label}  {o.agency}", o.badge)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.officer.count() > 0)
        if self.officer.count() == 0:
            self._fail(
                self.tr(
                    "Every officer profile on this computer is already on the case. Create the new officer's profile first (New officer profile…)."
                )
            )
            return
        self.message.setText("")
        if self._wanted:
            self.officer.setCurrentIndex(max(0, self.officer.findData(self._wanted)))

    def new_officer(self) -> NewOfficerDialog:
        """The new-officer dialog over this one; the profile it creates is then chosen here."""
        dialog = NewOfficerDialog(self.inst, self.lang, self)
        dialog.saved.connect(self._profile_created)
        dialog.open()
        return dialog

    def _profile_created(self, officer: Officer) -> None:
        self._wanted = officer.profile.badge
        self.profile_created.emit(officer)
        inst = self.inst
        run_task(lambda: list_officers(inst), self._officers_loaded)

    def choose(self, badge: str, role: str = "officer") -> None:
        """Pick the officer and the role (as a person would in the two lists)."""
        self.officer.setCurrentIndex(self.officer.findData(badge))
        self.role.setCurrentIndex(self.role.findData(role))

    def _fail(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828")

    def submit(self) -> None:
        badge = str(self.officer.currentData() or "")
        if not badge:
            self._fail(self.tr("Choose the officer to add."))
            return
        role = str(self.role.currentData())
        inst, case_id, signer = self.inst, self.case_id, self.signer
        self.buttons.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Sealing…"))
        run_task(lambda: add_case_officer(inst, case_id, signer, badge, role), self._done)

    def _done(self, outcome: Outcome[Record]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self._fail(explain(outcome.error, self.lang))
            return
        self.added.emit(outcome.unwrap())
        self.accept()
