"""The new-case dialog (REQUIREMENTS §A1–A2): case number, cause (案由), target, location,
purpose, and the officers (at least two, each with 执法证号)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.cases import NewCaseForm, create_case
from app.desk.errors import explain
from app.desk.officers import OfficerInfo
from app.installation import Installation
from forensics.identity import Signer
from ui.screen import fit_to_screen, scrolling

_INVALID = "border: 1px solid #c62828;"


class NewCaseDialog(QDialog):
    created = Signal(str)  # case id

    def __init__(
        self,
        inst: Installation,
        lead: Signer,
        officers: Sequence[OfficerInfo],
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.inst, self.lead, self.lang = inst, lead, lang
        self.setObjectName("newCaseDialog")
        self.setWindowTitle(self.tr("New case"))
        self.fields: dict[str, QLineEdit] = {}

        def line(name: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder)
            self.fields[name] = edit
            return edit

        case_box = QGroupBox(self.tr("Case"))
        case_form = QFormLayout(case_box)
        case_form.addRow(
            self.tr("Case number"), line("number", self.tr("e.g. 示市监案〔2026〕12号"))
        )
        case_form.addRow(self.tr("Title"), line("title"))
        case_form.addRow(self.tr("Cause (案由)"), line("cause"))
        case_form.addRow(self.tr("Location"), line("location", self.tr("where the officers are")))
        self.purpose = QPlainTextEdit()
        self.purpose.setObjectName("purpose")
        self.purpose.setPlaceholderText(self.tr("what the evidence is meant to prove (证明对象)"))
        self.purpose.setFixedHeight(56)
        case_form.addRow(self.tr("Purpose"), self.purpose)

        target_box = QGroupBox(self.tr("Target"))
        target_form = QFormLayout(target_box)
        target_form.addRow(self.tr("Platform"), line("platform"))
        target_form.addRow(self.tr("Shop"), line("shop"))
        target_form.addRow(self.tr("Account"), line("account"))
        target_form.addRow(self.tr("Live room ID"), line("room"))
        target_form.addRow(self.tr("URL"), line("url", "https://"))

        people = QGroupBox(self.tr("Officers (at least two, with 执法证号)"))
        people_layout = QVBoxLayout(people)
        self.officers = QListWidget()
        self.officers.setObjectName("officers")
        lead_badge = lead.officer.profile.badge
        for o in officers:
            item = QListWidgetItem(self.tr("{0}  badge {1}  {2}").format(o.name, o.badge, o.agency))
            item.setData(Qt.ItemDataRole.UserRole, o.badge)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if o.badge == lead_badge else Qt.CheckState.Unchecked
            )
            if o.badge == lead_badge:
                item.setText(item.text() + "  " + self.tr("(lead, signs the case)"))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.officers.addItem(item)
        self.officers.setFixedHeight(96)
        self.training = QCheckBox(
            self.tr("Training case (one officer allowed, and the record says so)")
        )
        self.training.setObjectName("training")
        people_layout.addWidget(self.officers)
        people_layout.addWidget(self.training)

        report_box = QGroupBox(self.tr("Report header (optional)"))
        report_form = QFormLayout(report_box)
        report_form.addRow(self.tr("Agency"), line("agency", lead.officer.profile.agency))
        report_form.addRow(self.tr("Document number"), line("document_number"))
        report_form.addRow(self.tr("Party (当事人)"), line("party"))

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Open case"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        # The fields scroll on a short screen; the message and the buttons stay in view.
        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        for box in (case_box, target_box, people, report_box):
            fields_layout.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(fields), 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        fit_to_screen(self, self.sizeHint())

    def form(self) -> NewCaseForm:
        text = {name: edit.text() for name, edit in self.fields.items()}
        badges = [
            str(self.officers.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.officers.count())
            if self.officers.item(i).checkState() == Qt.CheckState.Checked
        ]
        return NewCaseForm(
            number=text["number"],
            title=text["title"],
            cause=text["cause"],
            target={k: text[k] for k in ("platform", "shop", "account", "room", "url")},
            location=text["location"],
            purpose=self.purpose.toPlainText(),
            officers=badges,
            training=self.training.isChecked(),
            agency=text["agency"],
            document_number=text["document_number"],
            party=text["party"],
        )

    def _problem_text(self, problem: str) -> str:
        return {
            "number": self.tr("Enter the case number."),
            "title": self.tr("Enter a title."),
            "cause": self.tr("Enter the cause (案由)."),
            "location": self.tr("Enter where the officers are."),
            "purpose": self.tr("Enter what the evidence is meant to prove."),
            "target": self.tr("Name the target: platform, shop, account, live room or URL."),
            "url": self.tr("The URL must start with http:// or https://."),
            "officers": self.tr("Choose at least two officers (a training case may have one)."),
        }.get(problem, problem)

    def submit(self) -> None:
        form = self.form()
        problems = form.problems(self.lead.officer.profile.badge)
        for name, edit in self.fields.items():
            wrong = name in problems or (name in ("platform", "shop") and "target" in problems)
            edit.setStyleSheet(_INVALID if wrong else "")
        self.purpose.setStyleSheet(_INVALID if "purpose" in problems else "")
        self.officers.setStyleSheet(_INVALID if "officers" in problems else "")
        if problems:
            self.message.setText("\n".join(self._problem_text(p) for p in problems))
            return
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Opening the case…"))
        run_task(lambda: create_case(self.inst, self.lead, form), self._done)

    def _done(self, outcome: Outcome[str]) -> None:
        self.buttons.setEnabled(True)
        if outcome.error is not None:
            self.message.setText(explain(outcome.error, self.lang))
            return
        self.created.emit(outcome.unwrap())
        self.accept()
