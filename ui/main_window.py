"""The main window: the case list, the case view, the officer who is unlocked, and the
capture workspace (a process of its own, see ``app.desk.workspace_protocol``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk import access as desk_access
from app.desk import cases
from app.desk.crash import crash_error
from app.desk.errors import SealedState, sealed_state
from app.desk.officers import OfficerInfo, list_officers
from app.desk.tsa import BuiltinTsa
from app.desk.workspace_launcher import WorkspaceProcess, workspace_command
from app.desk.workspace_protocol import WorkspaceConfig
from app.installation import Installation
from forensics.errors import CaptureError
from forensics.identity import Signer
from ui.case_summary import CaseSummaryPanel
from ui.case_view import CaseView
from ui.dialogs.error import show_error
from ui.dialogs.import_package import ImportPackageDialog
from ui.dialogs.new_case import NewCaseDialog
from ui.dialogs.officer_profile import IssueCertificateDialog, NewOfficerDialog
from ui.dialogs.session import StartSessionDialog
from ui.dialogs.settings import SettingsDialog
from ui.dialogs.unlock import UnlockDialog
from ui.dialogs.verify import VerifyDialog
from ui.dialogs.wizard import SetupWizard
from ui.models.case_list import CaseListModel
from ui.screen import fit_to_screen
from ui.training.menu import TrainingMenu
from ui.util import named

SESSION_USER = "session"  # the capture session's hold on the practice range


class MainWindow(QMainWindow):
    def __init__(
        self,
        inst: Installation,
        lang: str,
        *,
        tsa: BuiltinTsa | None = None,
        workspace: Sequence[str] | None = None,
        workspace_env: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.inst, self.lang, self.tsa = inst, lang, tsa
        self.workspace_cmd = list(workspace or workspace_command())
        self.workspace_env = dict(workspace_env or {})
        self.signer: Signer | None = None
        self.officers: list[OfficerInfo] = []
        self.workspace: WorkspaceProcess | None = None
        self._starting: QProgressDialog | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Quzheng 取证 — sealed evidence of online infringement"))

        self.cases = CaseListModel(self)
        self.table = QTableView()
        self.table.setObjectName("cases")
        self.table.setModel(self.cases)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(self._case_selected)

        self.case_view = CaseView(inst, lang, self.with_signer)
        self.case_view.back_requested.connect(self.show_cases)
        self.case_view.start_session_requested.connect(self.start_session)
        self.case_view.changed.connect(self.refresh)
        self.case_view.officers_changed.connect(self.reload_officers)
        self.summary = CaseSummaryPanel(inst, lang)
        self.summary.open_requested.connect(self.open_case)
        self.summary.capture_requested.connect(self.start_session)
        self.cases_page = QSplitter(Qt.Orientation.Horizontal)
        self.cases_page.addWidget(self.table)
        self.cases_page.addWidget(self.summary)
        self.cases_page.setSizes([760, 440])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.cases_page)
        self.stack.addWidget(self.case_view)
        self.setCentralWidget(self.stack)

        self.officer_label = QLabel()
        self.officer_label.setObjectName("officerLabel")
        self.status_main = named(QLabel(), "statusMain")
        self.status_main.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addWidget(self.status_main, 1)
        self._status_cases = ""
        self._status_tsa = ""
        self.statusBar().addPermanentWidget(QLabel(self.tr("Data: {0}").format(inst.cases)))
        self._build_actions()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(500)
        self._refresh_timer.timeout.connect(self._refresh_now)
        fit_to_screen(self, QSize(1200, 720))
        self._update_officer()
        self._update_tsa()
        self.act_open.setEnabled(False)
        self.reload_officers()
        self.refresh()

    # -- menus and toolbar ----------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("", self.new_case, QKeySequence.StandardKey.New)
        self.act_open = self._action("", self.open_selected, "Ctrl+O")
        self.act_refresh = self._action("", self.refresh, QKeySequence.StandardKey.Refresh)
        self.act_verify_pkg = self._action("", self.verify_package, "Ctrl+Shift+V")
        self.act_import_pkg = self._action("", self.import_package)
        self.act_settings = self._action(
            "", self.open_settings, QKeySequence.StandardKey.Preferences
        )
        self.act_wizard = self._action("", self.open_wizard)
        self.act_quit = self._action("", self.close, QKeySequence.StandardKey.Quit)
        self.act_unlock = self._action("", self.unlock, "Ctrl+U")
        self.act_lock = self._action("", self.lock, "Ctrl+L")
        self.act_new_officer = self._action("", self.new_officer)
        self.act_issue_cert = self._action("", self.issue_certificate)
        self.act_capture = self._action("", self._capture_selected, "Ctrl+Shift+C")
        self.act_about = self._action("", self.about)

        menu = self.menuBar()
        file_menu = self._file_menu = menu.addMenu("")
        for a in (self.act_new, self.act_open, self.act_refresh, self.act_verify_pkg):
            file_menu.addAction(a)
        file_menu.addAction(self.act_import_pkg)
        file_menu.addSeparator()
        file_menu.addAction(self.act_settings)
        file_menu.addAction(self.act_wizard)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        officer_menu = self._officer_menu = menu.addMenu("")
        officer_menu.addAction(self.act_unlock)
        officer_menu.addAction(self.act_lock)
        officer_menu.addSeparator()
        officer_menu.addAction(self.act_new_officer)
        officer_menu.addAction(self.act_issue_cert)
        case_menu = self._case_menu = menu.addMenu("")
        case_menu.addAction(self.act_capture)
        self.training = TrainingMenu(self, self.inst, self.lang, self._current_case)
        menu.addMenu(self.training.menu)
        help_menu = self._help_menu = menu.addMenu("")
        help_menu.addAction(self.act_about)

        bar = self._toolbar = QToolBar()
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (
            self.act_new,
            self.act_open,
            self.act_capture,
            self.act_refresh,
            self.act_verify_pkg,
            self.act_settings,
        ):
            bar.addAction(a)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.officer_label)
        bar.addAction(self.act_unlock)
        self.addToolBar(bar)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the menus', actions' and tool bar's texts in the language installed now (at
        start and when the first-start wizard switches the language)."""
        for action, text in (
            (self.act_new, self.tr("&New case…")),
            (self.act_open, self.tr("&Open case")),
            (self.act_refresh, self.tr("&Refresh")),
            (self.act_verify_pkg, self.tr("&Verify a package…")),
            (self.act_import_pkg, self.tr("&Import package…")),
            (self.act_settings, self.tr("&Settings…")),
            (self.act_wizard, self.tr("First-start &wizard…")),
            (self.act_quit, self.tr("&Quit")),
            (self.act_unlock, self.tr("&Unlock officer…")),
            (self.act_lock, self.tr("&Lock (forget the key)")),
            (self.act_new_officer, self.tr("&New officer profile…")),
            (self.act_issue_cert, self.tr("&Certificate from the agency CA…")),
            (self.act_capture, self.tr("Start &capture session…")),
            (self.act_about, self.tr("&About Quzheng")),
            (self._file_menu.menuAction(), self.tr("&File")),
            (self._officer_menu.menuAction(), self.tr("&Officer")),
            (self._case_menu.menuAction(), self.tr("&Case")),
            (self._help_menu.menuAction(), self.tr("&Help")),
        ):
            action.setText(text)
        self._toolbar.setWindowTitle(self.tr("Main"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "_toolbar"):
            self.setWindowTitle(self.tr("Quzheng 取证 — sealed evidence of online infringement"))
            self.retranslate()
            self.training.retranslate()
            self._update_officer()
            self._update_tsa()
        super().changeEvent(event)

    # -- officers -------------------------------------------------------------------------

    def reload_officers(self) -> None:
        inst = self.inst
        run_task(lambda: list_officers(inst), self._officers_loaded)

    def _officers_loaded(self, outcome: Outcome[list[OfficerInfo]]) -> None:
        if outcome.ok:
            self.officers = outcome.unwrap()
        # The first-start wizard is for the first start only; later officers come from
        # Officer → New officer profile…, and the agency CA issues their certificates.
        self.act_wizard.setEnabled(not self.officers)
        self.act_issue_cert.setEnabled(
            self.inst.ids.has_ca() and any(o.self_signed for o in self.officers)
        )

    def new_officer(self) -> NewOfficerDialog:
        dialog = NewOfficerDialog(self.inst, self.lang, self)
        dialog.saved.connect(lambda _officer: self.reload_officers())
        dialog.open()
        return dialog

    def issue_certificate(self) -> IssueCertificateDialog:
        dialog = IssueCertificateDialog(self.inst, self.officers, self.lang, self)
        dialog.saved.connect(lambda _officer: self.reload_officers())
        dialog.open()
        return dialog

    def set_signer(self, signer: Signer | None) -> None:
        self.signer = signer
        desk_access.set_officer(signer)  # who signs verify/report/access records
        self._update_officer()

    def _update_officer(self) -> None:
        s = self.signer
        if s is None:
            self.officer_label.setText(self.tr("No officer unlocked"))
        else:
            p = s.officer.profile
            self.officer_label.setText(self.tr("Officer: {0} ({1})").format(p.name, p.badge))
        self.act_lock.setEnabled(s is not None)

    def unlock(self, then: Callable[[Signer], None] | None = None) -> UnlockDialog:
        dialog = UnlockDialog(self.inst, self.officers, self.lang, parent=self)

        def unlocked(signer: Signer) -> None:
            self.set_signer(signer)
            if then is not None:
                then(signer)

        dialog.unlocked.connect(unlocked)
        dialog.open()
        return dialog

    def lock(self) -> None:
        self.set_signer(None)

    def with_signer(self, then: Callable[[Signer], None]) -> None:
        """Run ``then`` with the unlocked officer, asking for the passphrase first if needed."""
        if self.signer is not None:
            then(self.signer)
        else:
            self.unlock(then)

    # -- cases ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_timer.start()

    def _refresh_now(self) -> None:
        inst = self.inst
        run_task(lambda: cases.case_summaries(inst), self._cases_loaded)

    def _cases_loaded(self, outcome: Outcome[list[cases.CaseSummary]]) -> None:
        if outcome.error is not None:
            show_error(self, self.tr("Listing the cases"), outcome.error, self.lang)
            return
        selected = self.selected_case()
        self.cases.set_cases(outcome.unwrap())
        self._status_cases = self.tr("{0} case(s)").format(self.cases.rowCount())
        self._show_status()
        if selected is not None and self.cases.row_of(selected) >= 0:
            self.table.selectRow(self.cases.row_of(selected))
        self.case_view.refresh()

    def selected_case(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.cases.case(rows[0].row()).case_id if rows else None

    def _case_selected(self, _new: QItemSelection, _old: QItemSelection) -> None:
        case_id = self.selected_case()
        self.act_open.setEnabled(case_id is not None)
        if case_id is None:
            self.summary.clear()
        else:
            self.summary.show_case(case_id)

    def _open_index(self, index: QModelIndex) -> None:
        self.open_case(self.cases.case(index.row()).case_id)

    def open_selected(self) -> None:
        case_id = self.selected_case()
        if case_id is not None:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        self.case_view.show_case(case_id)
        self.training.show_case(case_id)
        self.stack.setCurrentWidget(self.case_view)

    def show_cases(self) -> None:
        self.stack.setCurrentWidget(self.cases_page)
        self.refresh()

    def new_case(self) -> None:
        def go(signer: Signer) -> None:
            dialog = NewCaseDialog(self.inst, signer, self.officers, self.lang, self)
            dialog.created.connect(self._created)
            dialog.open()

        self.with_signer(go)

    def _created(self, case_id: str) -> None:
        self.refresh()
        self.open_case(case_id)

    # -- dialogs --------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.inst, self.lang, self)
        dialog.saved.connect(self._update_tsa)
        dialog.saved.connect(self.refresh)
        dialog.open()
        return dialog

    def open_wizard(self, tsa_port: int | None = None) -> SetupWizard:
        kwargs = {"tsa_port": tsa_port} if tsa_port else {}
        wizard = SetupWizard(self.inst, self.lang, self, **kwargs)
        wizard.completed.connect(self._setup_done)
        wizard.language_changed.connect(self._language_changed)
        wizard.open()
        return wizard

    def _language_changed(self, lang: str) -> None:
        """The wizard installed ``lang``: dialogs opened from now on speak it."""
        self.lang = lang

    def _setup_done(self, _result: object) -> None:
        self.reload_officers()
        if self.tsa is not None and self.tsa.server is None:
            self.tsa.start()
        self._update_tsa()

    def verify_package(self) -> VerifyDialog:
        dialog = VerifyDialog(self.inst, self.lang, parent=self)
        dialog.open()
        return dialog

    def import_package(self) -> None:
        """Verify a received package, then import it as a read-only case (signed receipt)."""

        def go(receiver: Signer) -> None:
            dialog = ImportPackageDialog(self.inst, receiver, self.lang, self)
            dialog.imported.connect(lambda _case_id: self.refresh())
            dialog.open()

        self.with_signer(go)

    def about(self) -> None:
        from forensics import __version__

        QMessageBox.about(
            self,
            self.tr("About Quzheng"),
            self.tr("Quzheng {0}: sealed collection of online-infringement evidence.").format(
                __version__
            ),
        )

    def _update_tsa(self) -> None:
        if self.tsa is not None and self.tsa.server is not None:
            text = self.tr("Built-in TSA (training) at {0}").format(self.tsa.server.url)
        else:
            urls = self.inst.tsa_config().urls
            text = (
                self.tr("TSA: {0}").format(", ".join(urls))
                if urls
                else self.tr("No TSA configured: seals queue")
            )
        self._status_tsa = text
        self._show_status()

    def _show_status(self) -> None:
        parts = (self._status_cases, self._status_tsa)
        self.status_main.setText("   ·   ".join(t for t in parts if t))

    # -- capture workspace ----------------------------------------------------------------

    def _current_case(self) -> tuple[str, str] | None:
        """The case shown (case view) or selected (case list): its id and its number."""
        if self.stack.currentWidget() is self.case_view and self.case_view.details is not None:
            return self.case_view.details.case_id, self.case_view.details.number
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        summary = self.cases.case(rows[0].row())
        return summary.case_id, summary.number

    def _capture_selected(self) -> None:
        """The case shown (case view) or chosen (case list), once its details are read."""
        on_case = self.stack.currentWidget() is self.case_view
        d = self.case_view.details if on_case else self.summary.details
        if d is not None:
            self.start_session(d)

    def start_session(self, details: cases.CaseDetails) -> None:
        if self.workspace is not None and self.workspace.running:
            QMessageBox.information(
                self, self.tr("Capture session"), self.tr("A capture session is already running.")
            )
            return
        target = str((details.opened.get("target") or {}).get("url", ""))

        def go(lead: Signer) -> None:
            dialog = StartSessionDialog(
                self.inst, details.case_id, lead, target, self.lang, self,
                training=details.training,
            )  # fmt: skip
            dialog.start.connect(self.start_workspace)
            dialog.open()

        self.with_signer(go)

    def start_workspace(self, config: WorkspaceConfig, passphrase: str) -> None:
        """Launch the workspace; a training session first has the practice range answer
        (started here, off the GUI thread, unless it runs already)."""
        port = config.practice_range_port
        if port is None:
            self.launch_workspace(config, passphrase)
            return
        practice = self.training.practice

        def ready(outcome: Outcome[int]) -> None:
            if outcome.error is not None:
                show_error(self, self.tr("Starting the practice range"), outcome.error, self.lang)
                return
            self.launch_workspace(config, passphrase)

        run_task(lambda: practice.acquire(SESSION_USER, port), ready)

    def launch_workspace(self, config: WorkspaceConfig, passphrase: str) -> WorkspaceProcess:
        proc = WorkspaceProcess(self.workspace_cmd, self)
        proc.reported.connect(self._workspace_event)
        proc.finished.connect(self._workspace_finished)
        self.workspace = proc
        progress = QProgressDialog(
            self.tr("Starting the capture session: recording proxy, fresh browser, clean-environment check…"),
            "", 0, 0, self,
        )  # fmt: skip
        progress.setWindowTitle(self.tr("Capture session"))
        progress.setCancelButton(None)
        progress.setMinimumDuration(0)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()
        self._starting = progress
        proc.start(config, passphrase, self.workspace_env)
        return proc

    def _stop_starting(self) -> None:
        if self._starting is not None:
            self._starting.close()
            self._starting.deleteLater()
            self._starting = None

    def _workspace_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind in ("ready", "error"):
            self._stop_starting()
        if kind in ("error", "failed"):
            err = CaptureError(str(event.get("en", "")), str(event.get("zh", "")))
            action = (
                self.tr("Starting the capture session") if kind == "error" else self.tr("Capture")
            )
            self._explain(action, err)
        if kind in ("sealed", "closed", "failed"):
            self.refresh()

    def _explain(self, action: str, err: BaseException) -> None:
        """The error dialog, with the ledger's head read again off the GUI thread."""
        proc = self.workspace
        case_id = proc.config.case_id if proc is not None and proc.config else None
        where = self.inst.cases

        def show(outcome: Outcome[SealedState | None]) -> None:
            show_error(self, action, err, self.lang, outcome.value)

        run_task(lambda: sealed_state(where, case_id) if case_id else None, show)

    def _workspace_finished(self, code: int, stderr: str) -> None:
        self._stop_starting()
        proc = self.workspace
        started = proc is not None and any(e.get("event") == "ready" for e in proc.events)
        errored = proc is not None and any(e.get("event") == "error" for e in proc.events)
        if code != 0 and not errored:
            err = crash_error(code, stderr)  # the cause in words, not the browser's log
            what = self.tr("Capture") if started else self.tr("Starting the capture session")
            self._explain(what, err)
        self.training.practice.release(SESSION_USER)  # stops the range if nothing needs it
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.workspace is not None and self.workspace.running:
            QMessageBox.information(
                self,
                self.tr("Capture session"),
                self.tr("Close the capture session (with two officers' signatures) first."),
            )
            event.ignore()
            return
        self.training.practice.shutdown()  # the range this program started stops with it
        super().closeEvent(event)
