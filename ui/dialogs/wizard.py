"""The first-run wizard: officer profile and key (with the passphrase warning), the agency
certificate, trusted time (built-in TSA for training, configured URLs for casework), NTP
servers and the data directory. The work runs off the GUI thread when the officer finishes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.i18n import switch_language
from app.desk.officers import SetupChoices, SetupResult, run_setup
from app.desk.tsa import DEFAULT_PORT
from app.installation import Installation
from forensics.identity import Profile
from ui.dialogs.profile_problem import profile_problem
from ui.util import named


def _file_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


class SetupWizard(QWizard):
    """Every text is set in ``retranslate``: choosing the language on the first page installs
    its translation at once (``app.desk.i18n.switch_language``) and Qt's LanguageChange event
    re-labels this wizard and every open window that listens for it (the main window's menus
    and tool bar); the rest of the main window follows at the next start, as the first page
    says."""

    PAGE_WELCOME, PAGE_OFFICER, PAGE_AGENCY, PAGE_TIME, PAGE_DATA = range(5)
    completed = Signal(object)  # SetupResult
    language_changed = Signal(str)  # "zh_CN" or "en", installed already

    def __init__(
        self,
        inst: Installation,
        lang: str,
        parent: QWidget | None = None,
        *,
        tsa_port: int = DEFAULT_PORT,
    ) -> None:
        super().__init__(parent)
        self.inst, self.lang, self.tsa_port = inst, lang, tsa_port
        self.setObjectName("setupWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.result_: SetupResult | None = None
        self._busy = False
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self._pages: dict[int, tuple[QWizardPage, QLabel]] = {}
        self._labels: list[QLabel] = []  # the form rows' labels, in order
        self._choose: list[QPushButton] = []
        self.setPage(self.PAGE_WELCOME, self._welcome())
        self.setPage(self.PAGE_OFFICER, self._officer())
        self.setPage(self.PAGE_AGENCY, self._agency())
        self.setPage(self.PAGE_TIME, self._time())
        self.setPage(self.PAGE_DATA, self._data())
        self.setMinimumSize(560, 440)
        self.retranslate()
        self.language.currentIndexChanged.connect(self._language_chosen)

    # -- pages ----------------------------------------------------------------------------

    def _page(self, which: int) -> tuple[QWizardPage, QVBoxLayout]:
        page = QWizardPage()
        layout = QVBoxLayout(page)
        label = QLabel()
        label.setWordWrap(True)
        layout.addWidget(label)
        self._pages[which] = (page, label)
        return page, layout

    def _row(self, form: QFormLayout, field: QWidget | QLayout) -> None:
        label = QLabel()
        form.addRow(label, field)
        self._labels.append(label)

    def _pick_button(self) -> QPushButton:
        button = QPushButton()
        self._choose.append(button)
        return button

    def _welcome(self) -> QWizardPage:
        page, layout = self._page(self.PAGE_WELCOME)
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if self.lang.startswith("zh") else 1)
        form = QFormLayout()
        self._row(form, self.language)
        layout.addLayout(form)
        self.language_note = QLabel()
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)
        layout.addWidget(self.language_note)
        layout.addStretch(1)
        return page

    def _officer(self) -> QWizardPage:
        page, layout = self._page(self.PAGE_OFFICER)
        self.name = named(QLineEdit(), "name")
        self.badge = named(QLineEdit(), "badge")
        self.agency = named(QLineEdit(), "agency")
        self.passphrase = named(QLineEdit(), "passphrase")
        self.repeat = named(QLineEdit(), "repeat")
        for edit in (self.passphrase, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        for edit in (self.name, self.badge, self.agency, self.passphrase, self.repeat):
            self._row(form, edit)
        layout.addLayout(form)
        self.warning = QLabel()
        self.warning.setObjectName("passphraseWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "background: #fff4e5; border: 1px solid #b35c00; padding: 8px; color: #5f3300;"
        )
        layout.addWidget(self.warning)
        layout.addStretch(1)
        return page

    def _agency(self) -> QWizardPage:
        page, layout = self._page(self.PAGE_AGENCY)
        self.ca_none = QRadioButton()
        self.ca_trust = QRadioButton()
        self.ca_create = QRadioButton()
        self.ca_none.setChecked(True)
        group = QButtonGroup(page)
        for b in (self.ca_none, self.ca_trust, self.ca_create):
            group.addButton(b)
            layout.addWidget(b)
        self.ca_file = named(QLineEdit(), "caFile")
        pick = self._pick_button()
        pick.clicked.connect(lambda: self._pick(self.ca_file, self.tr("Agency CA certificate")))
        self.ca_name = named(QLineEdit(), "caName")
        self.ca_passphrase = named(QLineEdit(), "caPassphrase")
        self.ca_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        self._row(form, _file_row(self.ca_file, pick))
        self._row(form, self.ca_name)
        self._row(form, self.ca_passphrase)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _time(self) -> QWizardPage:
        page, layout = self._page(self.PAGE_TIME)
        self.tsa_builtin = QRadioButton()
        self.tsa_urls_mode = QRadioButton()
        self.tsa_builtin.setChecked(True)
        group = QButtonGroup(page)
        for b in (self.tsa_builtin, self.tsa_urls_mode):
            group.addButton(b)
            layout.addWidget(b)
        self.tsa_urls = QPlainTextEdit()
        self.tsa_urls.setObjectName("tsaUrls")
        self.tsa_urls.setFixedHeight(64)
        self.tsa_root = named(QLineEdit(), "tsaRoot")
        pick = self._pick_button()
        pick.clicked.connect(lambda: self._pick(self.tsa_root, self.tr("TSA root certificate")))
        form = QFormLayout()
        self._row(form, self.tsa_urls)
        self._row(form, _file_row(self.tsa_root, pick))
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _data(self) -> QWizardPage:
        page, layout = self._page(self.PAGE_DATA)
        self.ntp = QPlainTextEdit("\n".join(self.inst.setting_list("ntp.servers")))
        self.ntp.setObjectName("ntp")
        self.ntp.setFixedHeight(72)
        self.data_dir = QLineEdit(str(self.inst.setting("data.dir")))
        self.data_dir.setObjectName("dataDir")
        self.data_dir.setPlaceholderText(str(self.inst.home))
        pick = self._pick_button()
        pick.clicked.connect(self._pick_dir)
        form = QFormLayout()
        self._row(form, self.ntp)
        self._row(form, _file_row(self.data_dir, pick))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        return page

    # -- language -------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every text in the language installed now."""
        self.setWindowTitle(self.tr("Quzheng — first start"))
        pages = {
            self.PAGE_WELCOME: (
                self.tr("Welcome"),
                self.tr(
                    "Quzheng seals evidence of online infringement the moment it is captured. Before the first case, set up your officer key, trusted time and where cases are kept."
                ),
            ),
            self.PAGE_OFFICER: (
                self.tr("Officer profile and key"),
                self.tr(
                    "Your name and badge number (执法证号) appear on every entry your key signs."
                ),
            ),
            self.PAGE_AGENCY: (
                self.tr("Agency certificate"),
                self.tr(
                    "A certificate from your agency's CA lets a court check that your key belongs to you. Without one, your key is self-signed and its fingerprint is printed in the paper record for your handwritten signature."
                ),
            ),
            self.PAGE_TIME: (
                self.tr("Trusted time"),
                self.tr(
                    "Every seal gets an RFC 3161 time-stamp. For casework use your agency's time-stamp authorities; the built-in one is for training only. When none answers, seals queue and are stamped later."
                ),
            ),
            self.PAGE_DATA: (
                self.tr("Clock and data"),
                self.tr(
                    "The clock is compared with standard time before and after every session. Cases are kept in the data directory; choose a disk with room for screen recordings."
                ),
            ),
        }
        for which, (title, intro) in pages.items():
            page, label = self._pages[which]
            page.setTitle(title)
            page.setSubTitle("")
            label.setText(intro)
        labels = (
            self.tr("Language"),
            self.tr("Name"),
            self.tr("Badge number (执法证号)"),
            self.tr("Agency"),
            self.tr("Passphrase"),
            self.tr("Repeat passphrase"),
            self.tr("CA certificate file"),
            self.tr("New CA name"),
            self.tr("New CA passphrase"),
            self.tr("TSA URLs"),
            self.tr("TSA root certificate"),
            self.tr("NTP servers"),
            self.tr("Data directory"),
        )
        for label, text in zip(self._labels, labels, strict=True):
            label.setText(text)
        for button in self._choose:
            button.setText(self.tr("Choose…"))
        self.language_note.setText(
            self.tr(
                "The language applies at once to this wizard and to the menus; the rest of the main window follows at the next start. It is saved when you finish."
            )
        )
        self.warning.setText(
            self.tr(
                "Keep the passphrase safe. Without it your key cannot sign, and nobody — not the administrator, not the developers — can recover it: a lost passphrase means a new key. Use at least 10 characters, write it down and keep it sealed; never share it."
            )
        )
        self.ca_none.setText(self.tr("No agency certificate (self-signed key)"))
        self.ca_trust.setText(self.tr("Trust our agency's CA certificate (PEM file)"))
        self.ca_create.setText(self.tr("Create an agency CA here (small agency or training)"))
        self.tsa_builtin.setText(self.tr("Built-in time-stamp authority (training)"))
        self.tsa_urls_mode.setText(self.tr("Time-stamp authorities for casework"))
        self.tsa_urls.setPlaceholderText(self.tr("one RFC 3161 URL per line, tried in order"))
        # Qt's own texts for these come from its qtbase catalogue, which is not always
        # installed: name them here, in this wizard's language.
        for kind, text in (
            (QWizard.WizardButton.BackButton, self.tr("< &Back")),
            (QWizard.WizardButton.NextButton, self.tr("&Next >")),
            (QWizard.WizardButton.FinishButton, self.tr("&Finish")),
            (QWizard.WizardButton.CancelButton, self.tr("Cancel")),
        ):
            self.setButtonText(kind, text)
        if self._busy:
            self.message.setText(self.tr("Creating your key…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_chosen(self, _index: int) -> None:
        lang = str(self.language.currentData())
        if lang == self.lang:
            return
        self.lang = lang
        app = QCoreApplication.instance()
        if app is not None:
            switch_language(app, lang)  # Qt posts LanguageChange to every widget
        self.retranslate()
        self.language_changed.emit(lang)

    def _pick(self, edit: QLineEdit, title: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, title, "", "PEM (*.pem *.crt *.cer)")
        if path:
            edit.setText(path)

    def _pick_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data directory"))
        if folder:
            self.data_dir.setText(folder)

    # -- validation and finishing ---------------------------------------------------------

    def page_problem(self, page: int) -> str:
        """Why the page cannot be left (empty: it can)."""
        if page == self.PAGE_OFFICER:
            fields = (self.name, self.badge, self.agency, self.passphrase, self.repeat)
            return profile_problem(*(edit.text() for edit in fields))
        if page == self.PAGE_AGENCY:
            if self.ca_trust.isChecked() and not Path(self.ca_file.text()).is_file():
                return self.tr("Choose the agency CA certificate file.")
            if self.ca_create.isChecked() and len(self.ca_passphrase.text()) < 10:
                return self.tr("The CA passphrase needs at least 10 characters.")
        if page == self.PAGE_TIME and self.tsa_urls_mode.isChecked():
            if not self.tsa_urls.toPlainText().strip():
                return self.tr("Enter at least one time-stamp authority URL.")
            if not Path(self.tsa_root.text()).is_file():
                return self.tr("Choose the TSA's root certificate, so its tokens can be checked.")
        return ""

    def validateCurrentPage(self) -> bool:
        problem = self.page_problem(self.currentId())
        page = self.currentPage()
        page.setSubTitle(problem)
        return not problem

    def choices(self) -> SetupChoices:
        ca_mode = "trust" if self.ca_trust.isChecked() else "none"
        if self.ca_create.isChecked():
            ca_mode = "create"
        return SetupChoices(
            profile=Profile(
                self.name.text().strip(), self.badge.text().strip(), self.agency.text().strip()
            ),
            passphrase=self.passphrase.text(),
            ca_mode=ca_mode,
            ca_file=Path(self.ca_file.text()) if self.ca_file.text() else None,
            ca_name=self.ca_name.text().strip(),
            ca_passphrase=self.ca_passphrase.text(),
            tsa_mode="builtin" if self.tsa_builtin.isChecked() else "urls",
            tsa_urls=",".join(self.tsa_urls.toPlainText().split()),
            tsa_root_file=Path(self.tsa_root.text()) if self.tsa_root.text() else None,
            ntp_servers=",".join(self.ntp.toPlainText().split()),
            data_dir=self.data_dir.text().strip(),
            language=str(self.language.currentData()),
            builtin_tsa_port=self.tsa_port,
        )

    def accept(self) -> None:
        if self.result_ is not None:
            super().accept()
            return
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self._busy = True
        self.message.setText(self.tr("Creating your key…"))
        choices = self.choices()
        run_task(lambda: run_setup(self.inst, choices), self._done)

    def _done(self, outcome: Outcome[SetupResult]) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self._busy = False
        if outcome.error is not None:
            self.message.setText(explain(outcome.error, self.lang))
            return
        self.result_ = outcome.unwrap()
        self.completed.emit(self.result_)
        super().accept()
