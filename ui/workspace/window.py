"""The capture workspace window: the session browser's page with the proxy and TLS state
beside it, the capture actions (each sealed at once and shown in the session's timeline
with its hash and time-stamp state — the session's stamper asks for each token as soon as
it is sealed), the recording, and the status bar. Everything slow runs off the GUI thread
(the engine's actions, ``run_task``).

The session browser is either a Chromium-family browser over CDP (``ChromiumBrowser``):
the officer works in its own window, and the workspace shows an address line and a live
preview of its page (``ui.workspace.preview``; the only view of the page when the browser
runs headless); or the Qt WebEngine fallback (``SessionBrowser``), a widget embedded here
with its own address bar. The area screenshot is chosen over the preview or the view."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.capture.actions import CaptureResult
from app.capture.chromium.browser import ChromiumBrowser
from app.capture.engines import CaptureBrowser
from app.capture.options import validate_signers
from app.capture.sealer import Item
from app.capture.session import CaptureSession
from app.capture.summary import SessionSummary
from app.capture.tasks import Outcome, run_task
from app.desk.area import take_area, take_chromium_area
from app.desk.errors import SealedState
from app.desk.session import StampOutcome, TsaConfig, queued_stamps, sealed_state
from app.desk.timeline import offset_text, row_from_record
from app.desk.transcript import Line, to_webvtt
from app.installation import Installation
from forensics.entry_data import NoteData
from forensics.errors import QuzhengError
from forensics.identity import Signer
from forensics.ledger import Record
from ui.dialogs.env_check import EnvCheckDialog
from ui.dialogs.error import ErrorDialog
from ui.dialogs.session import CloseSessionDialog
from ui.dialogs.text_entry import note_dialog, pause_dialog
from ui.dialogs.transcript import TranscriptDialog
from ui.models.timeline import TimelineModel
from ui.screen import fit_to_screen
from ui.tasks import run_with_progress
from ui.util import named
from ui.viewers.envcheck import clock_offset_us
from ui.workspace.area import AreaSelector
from ui.workspace.preview import BrowserPreview
from ui.workspace.status import SessionStatus

type Report = Callable[..., None]


def _no_report(event: str, **fields: Any) -> None:
    """The workspace outside the launcher's protocol (tests, scripts)."""


class WorkspaceWindow(QMainWindow):
    closed = Signal(object)  # SessionSummary, after the session is sealed and closed
    stamps = Signal(object)  # StampOutcome, from the session's stamper (any thread)

    def __init__(
        self,
        session: CaptureSession,
        browser: CaptureBrowser,
        inst: Installation,
        lang: str,
        *,
        tsa: TsaConfig | None = None,
        report: Report = _no_report,
    ) -> None:
        super().__init__()
        self.session, self.browser, self.inst, self.lang = session, browser, inst, lang
        self.tsa, self.report = tsa, report
        self.summary: SessionSummary | None = None
        self.error: QuzhengError | None = None
        self.busy = False
        self._closing = False
        self._stamped_seqs: set[int] = set()  # tokens obtained (may arrive before the row)
        self._tokens: dict[int, int] = {}  # stamped seq → its ``timestamp`` entry
        self.sealed_count = 0
        self.last_hash = ""
        self.dialogs: list[QWidget] = []  # open dialogs (tests reach them here)
        # Who may sign the session's close (read once, before the window shows).
        self.officers = list(session.case.officers().values())
        self.training = session.case.training
        self.setObjectName("workspaceWindow")
        self.setWindowTitle(
            self.tr("Quzheng capture workspace — case {0}").format(session.case_number)
        )

        # The strip above the browser: what the proxy and TLS are doing, always in view.
        self.proxy_state = named(QLabel(), "proxyState")
        self.tls_state = named(QLabel(), "tlsState")
        self.rec_state = named(QLabel(), "recState")
        strip = QHBoxLayout()
        strip.setContentsMargins(6, 3, 6, 3)
        strip.setSpacing(18)
        strip.addWidget(self.rec_state)
        strip.addWidget(self.proxy_state)
        strip.addWidget(self.tls_state, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addLayout(strip)
        # Chromium: the officer works in the browser's window; here its address and a
        # preview. Qt WebEngine (fallback): the browser widget itself.
        self.preview: BrowserPreview | None = None
        if isinstance(browser, ChromiumBrowser):
            self.preview = BrowserPreview(browser)
            self.preview.url_changed.connect(lambda _u: self.update_tls())
            self.address = self.preview.address
            left_layout.addWidget(self.preview, 1)
            self.area_selector = AreaSelector(self.preview.view)
        else:
            browser.page.urlChanged.connect(lambda _u: self.update_tls())
            self.address = browser.address
            left_layout.addWidget(browser, 1)
            self.area_selector = AreaSelector(browser.view)
        self.area_selector.hide()
        self.area_selector.selected.connect(self.capture_area)

        self.model = TimelineModel(self, compact=True)
        self.timeline = named(QTableView(), "sessionTimeline")
        self.timeline.setModel(self.model)
        self.timeline.verticalHeader().hide()
        self.timeline.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        for col in (TimelineModel.FILE, TimelineModel.SIZE, TimelineModel.SUMMARY):
            self.timeline.setColumnHidden(col, True)
        # The kind takes what is left: the time-stamp column stays in view on a narrow panel.
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TimelineModel.KIND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TimelineModel.SHA256, QHeaderView.ResizeMode.Interactive)
        self.timeline.setColumnWidth(TimelineModel.SHA256, 96)
        self.timeline.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.mark_note = named(QLineEdit(), "markNote")
        self.mark_note.setPlaceholderText(self.tr("note for the next mark (what is on screen)"))
        side = QWidget()
        side.setMinimumWidth(400)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 6, 6, 6)
        title = QLabel(self.tr("Sealed in this session"))
        title.setStyleSheet("font-weight: bold")
        side_layout.addWidget(title)
        side_layout.addWidget(self.timeline, 1)
        side_layout.addWidget(QLabel(self.tr("Mark note")))
        side_layout.addWidget(self.mark_note)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)

        self.status = SessionStatus(self.statusBar())
        self._build_actions()
        self._connect_session()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.update_state)
        self._queue_timer = QTimer(self)
        self._queue_timer.setInterval(5000)
        self._queue_timer.timeout.connect(self.refresh_queue)
        self.browser.loaded.connect(lambda _ok: self.update_tls())
        self.browser.refused.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        if self.preview is not None:
            self.preview.start()  # the page's screencast: the preview and the recording
        for record in session.sealer.records:  # session.start and the before-check
            self._add(record)
        # The session's stamper asks for every seal point's token as soon as it is sealed,
        # retrying while the TSA is unreachable; the window only shows what it obtained.
        self.stamps.connect(self._stamped)
        if session.stamper is not None:
            session.stamper.listen(self.stamps.emit)
        self.update_state()
        fit_to_screen(self, QSize(1440, 900))

    # -- actions and menus ----------------------------------------------------------------

    def _action(self, text: str, shortcut: str, slot: Callable[[], Any], name: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        # Toolbar buttons without the menu's accelerator mark ("截图(&S)" → "截图").
        action.setIconText(re.sub(r"\(&\w\)|&", "", text).rstrip("…"))
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_shot = self._action(
            self.tr("&Screenshot (viewport)"), "Ctrl+1", self.screenshot, "actScreenshot"
        )
        self.act_full = self._action(
            self.tr("&Full-page screenshot"), "Ctrl+2", self.full_page, "actFullPage"
        )
        self.act_area = self._action(
            self.tr("&Area screenshot…"), "Ctrl+3", self.choose_area, "actArea"
        )
        self.act_snap = self._action(
            self.tr("Page s&napshot (MHTML)"), "Ctrl+4", self.snapshot, "actSnapshot"
        )
        self.act_mark = self._action(self.tr("&Mark this moment"), "Ctrl+M", self.mark, "actMark")
        self.act_pause = self._action(
            self.tr("&Pause recording…"), "Ctrl+P", self.pause_or_resume, "actPause"
        )
        self.act_note = self._action(self.tr("&Note…"), "Ctrl+N", self.note, "actNote")
        self.act_transcript = self._action(
            self.tr("&Transcript of a recording…"), "Ctrl+T", self.transcript, "actTranscript"
        )
        self.act_close = self._action(
            self.tr("&Close session…"), "Ctrl+Shift+Q", self.close_session, "actClose"
        )
        capture = self.menuBar().addMenu(self.tr("&Capture"))
        for a in (self.act_shot, self.act_full, self.act_area, self.act_snap):
            capture.addAction(a)
        recording = self.menuBar().addMenu(self.tr("&Recording"))
        for a in (self.act_mark, self.act_pause, self.act_transcript):
            recording.addAction(a)
        session = self.menuBar().addMenu(self.tr("&Session"))
        session.addAction(self.act_note)
        session.addSeparator()
        session.addAction(self.act_close)
        bar = named(QToolBar(self.tr("Capture")), "captureToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (
            self.act_shot,
            self.act_full,
            self.act_area,
            self.act_snap,
            self.act_mark,
            self.act_pause,
            self.act_note,
        ):
            bar.addAction(a)
        bar.addSeparator()
        close = named(QPushButton(self.act_close.iconText() + "…"), "closeButton")
        close.clicked.connect(self.act_close.trigger)
        self.act_close.enabledChanged.connect(close.setEnabled)  # off once closing
        bar.addWidget(close)
        self.addToolBar(bar)
        self.capture_actions = [self.act_shot, self.act_full, self.act_area, self.act_snap]

    # -- session events -------------------------------------------------------------------

    def _connect_session(self) -> None:
        events = self.session.events
        if events is None:
            raise RuntimeError("open the session's browser before the workspace")
        events.sealed.connect(self._sealed)
        events.failed.connect(self._failed)
        events.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))

    def _add(self, record: Record) -> None:
        if self.model.row_of(record.seq) >= 0:
            return
        self.model.append(row_from_record(record, self._tokens))
        self.sealed_count += len(record.items)
        self.last_hash = record.hash
        self.status.set_sealed(self.sealed_count, self.last_hash)
        if record.kind == "env.check":
            offset = clock_offset_us(record.data)
            self.status.set_clock(offset_text(offset))
        self.timeline.scrollToBottom()

    def _sealed(self, record: object) -> None:
        if not isinstance(record, Record):
            return
        self._add(record)
        self.report("sealed", seq=record.seq, kind=record.kind, hash=record.hash)

    def _failed(self, err: object) -> None:
        self.error = err if isinstance(err, QuzhengError) else None
        for a in (*self.capture_actions, self.act_mark, self.act_pause):
            a.setEnabled(False)
        if self.preview is not None:
            self.preview.refresh()  # the session ended the browser: the address is locked
        self.update_state()
        if isinstance(err, QuzhengError):
            self.report("failed", en=err.message_en, zh=err.message_zh)
            self._error(self.tr("Capture"), err)

    # -- state shown ----------------------------------------------------------------------

    def update_state(self) -> None:
        proxy = self.session.proxy
        running = proxy is not None and proxy.running and self.session.error is None
        listen = str(proxy.disclosure.get("listen", "")) if proxy is not None and running else ""
        self.status.set_proxy(running, listen)
        if running:
            self.proxy_state.setText(
                self.tr("● Recording proxy {0}: all traffic recorded").format(listen)
            )
            self.proxy_state.setStyleSheet("color: #1a7f37")
        else:
            self.proxy_state.setText(self.tr("■ Recording proxy stopped: capture stopped"))
            self.proxy_state.setStyleSheet("color: #c62828; font-weight: bold")
        recorder = self.session.recorder
        if recorder is None or recorder.state in ("new", "stopped"):
            self.rec_state.setText(self.tr("○ not recording"))
            self.rec_state.setStyleSheet("color: #555")
        elif recorder.state == "paused":
            self.rec_state.setText(self.tr("❚❚ recording paused"))
            self.rec_state.setStyleSheet("color: #b35c00; font-weight: bold")
        else:
            secs = recorder.elapsed_us() // 1_000_000
            self.rec_state.setText(self.tr("● REC {0:02d}:{1:02d}").format(secs // 60, secs % 60))
            self.rec_state.setStyleSheet("color: #c62828; font-weight: bold")
        paused = recorder is not None and recorder.state == "paused"
        self.act_pause.setText(
            self.tr("&Resume recording") if paused else self.tr("&Pause recording…")
        )

    def update_tls(self) -> None:
        url = "" if self.browser.shut_down else self.browser.page_url()
        if url.startswith("http://"):
            self.tls_state.setText(self.tr("No TLS (plain HTTP)"))
            self.tls_state.setStyleSheet("color: #b35c00")
            return
        if not url.startswith("https://"):
            self.tls_state.setText(self.tr("Browser trusts only the recording proxy's CA"))
            self.tls_state.setStyleSheet("color: #555")
            return
        tls = self.session.index.server_info(url).get("tls")
        if tls is None:
            self.tls_state.setText(
                self.tr("TLS through the proxy; server certificate not yet in the sealed traffic")
            )
            self.tls_state.setStyleSheet("color: #555")
        elif tls.get("verified"):
            self.tls_state.setText(
                self.tr("TLS: server certificate of {0} verified by the proxy (sealed)").format(
                    tls.get("host", "")
                )
            )
            self.tls_state.setStyleSheet("color: #1a7f37")
        else:
            self.tls_state.setText(
                self.tr("TLS: server certificate of {0} NOT verified").format(tls.get("host", ""))
            )
            self.tls_state.setStyleSheet("color: #c62828; font-weight: bold")

    # -- start ----------------------------------------------------------------------------

    def begin(self) -> None:
        """Show the sealed clean-environment check, then record from here to the end."""
        self._tick.start()
        self._queue_timer.start()
        check = next((r for r in self.session.sealer.records if r.kind == "env.check"), None)
        if check is None:
            self.start_recording()
            return
        dialog = self._dialog(
            EnvCheckDialog(
                check.data, check.seq, self.lang, self,
                proceed_text=self.tr("Start recording and capture"),
            )
        )  # fmt: skip
        dialog.finished.connect(lambda _r: self.start_recording())
        dialog.open()

    def start_recording(self) -> None:
        try:
            self.session.start_recording()
        except QuzhengError as exc:
            self._error(self.tr("Starting the recording"), exc)
        self.update_state()

    # -- captures -------------------------------------------------------------------------

    def _error(self, action: str, exc: BaseException) -> None:
        """Explain, with what is sealed read from the ledger off the GUI thread."""

        def show(outcome: Outcome[SealedState | None]) -> None:
            self._dialog(ErrorDialog(self, action, exc, self.lang, outcome.value)).open()

        session = self.session
        run_task(lambda: sealed_state(session), show)

    def _capture(
        self, action: str, start: Callable[[Callable[[Outcome[CaptureResult]], None]], None]
    ) -> None:
        if self.busy:
            self.statusBar().showMessage(
                self.tr("Another capture is being sealed; try again in a moment."), 5000
            )
            return
        self.busy = True
        for a in self.capture_actions:
            a.setEnabled(False)

        def done(outcome: Outcome[CaptureResult]) -> None:
            self.busy = False
            if self.session.error is None:
                for a in self.capture_actions:
                    a.setEnabled(True)
            if outcome.error is not None:
                self._error(action, outcome.error)
                return
            result = outcome.unwrap()
            self._add(result.record)
            self.statusBar().showMessage(result.summary(self.lang), 8000)

        try:
            start(done)
        except QuzhengError as exc:
            done(Outcome(error=exc))

    def screenshot(self) -> None:
        self._capture(self.tr("Screenshot"), self.session.screenshot)

    def full_page(self) -> None:
        self._capture(self.tr("Full-page screenshot"), self.session.full_page)

    def snapshot(self) -> None:
        self._capture(self.tr("Page snapshot"), self.session.snapshot)

    def choose_area(self) -> None:
        if not self.busy:
            self.area_selector.start()

    def capture_area(self, area: QRect) -> None:
        """``area`` in the coordinates of what the selector covers — the preview of the
        Chromium browser's page, or the Qt view (the selector gives them; tests too)."""
        preview = self.preview

        def start(done: Callable[[Outcome[CaptureResult]], None]) -> None:
            ctx = self.session.action_context()
            if preview is None:
                take_area(ctx, area, done)
                return
            # The preview shows the newest picture scaled: back to the picture's pixels.
            frame_area = preview.view.frame_area(area)
            take_chromium_area(ctx, frame_area, preview.view.frame_size(), done)

        self._capture(self.tr("Area screenshot"), start)

    # -- recording ------------------------------------------------------------------------

    def _await(
        self, action: str, future: Future[Record], then: Callable[[Record], None] | None = None
    ) -> None:
        def done(outcome: Outcome[Record]) -> None:
            if outcome.error is not None:
                self._error(action, outcome.error)
                return
            record = outcome.unwrap()
            self._add(record)
            if then is not None:
                then(record)

        run_task(lambda: future.result(60), done)

    def mark(self) -> None:
        note = self.mark_note.text().strip()
        try:
            future = self.session.mark(note)
        except QuzhengError as exc:
            self._error(self.tr("Mark"), exc)
            return
        self.mark_note.clear()
        self._await(self.tr("Mark"), future)

    def pause_or_resume(self) -> None:
        recorder = self.session.recorder
        if recorder is not None and recorder.state == "paused":
            try:
                future = self.session.resume_recording()
            except QuzhengError as exc:
                self._error(self.tr("Resuming the recording"), exc)
                return
            self._await(self.tr("Resuming the recording"), future)
            self.update_state()
            return
        dialog = self._dialog(pause_dialog(self))
        dialog.entered.connect(self.pause)
        dialog.open()

    def pause(self, reason: str) -> None:
        try:
            future = self.session.pause_recording(reason)
        except QuzhengError as exc:
            self._error(self.tr("Pausing the recording"), exc)
            return
        self._await(self.tr("Pausing the recording"), future)
        self.update_state()

    def note(self) -> None:
        dialog = self._dialog(note_dialog(self))
        dialog.entered.connect(self.add_note)
        dialog.open()

    def add_note(self, text: str) -> None:
        self._await(self.tr("Note"), self.session.sealer.append("note", NoteData(text).to_json()))

    def transcript(self) -> None:
        dialog = self._dialog(TranscriptDialog(self.model.rows(), self.lang, self))
        dialog.ready.connect(self.seal_transcript)
        dialog.open()

    def seal_transcript(self, data: dict[str, Any], lines: list[Line]) -> None:
        item = Item("transcript.vtt", "text/vtt; charset=utf-8", data=to_webvtt(lines))
        self._await(self.tr("Transcript"), self.session.sealer.seal_items("derive", data, [item]))

    # -- time-stamps ----------------------------------------------------------------------

    def _stamped(self, outcome: object) -> None:
        """GUI thread: what one attempt of the session's stamper obtained."""
        if not isinstance(outcome, StampOutcome):
            return
        self._stamped_seqs.update(outcome.stamped)
        self._tokens.update(outcome.tokens)
        self.model.mark_stamped(outcome.stamped, outcome.tokens)
        reason = outcome.reason_zh if self.lang.startswith("zh") else outcome.reason_en
        self.status.set_queue(outcome.pending, reason)

    def refresh_queue(self) -> None:
        session = self.session
        run_task(lambda: queued_stamps(session), self._queue_counted)

    def _queue_counted(self, outcome: Outcome[int]) -> None:
        if outcome.ok:
            self.status.set_queue(int(outcome.unwrap() or 0), self.status.tsa.toolTip())

    # -- closing --------------------------------------------------------------------------

    def close_session(self) -> None:
        if self._closing:
            return
        dialog = self._dialog(
            CloseSessionDialog(
                self.inst, self.session.signer, self.officers, self.training, self.lang, self
            )
        )
        dialog.signed.connect(self.finish)
        dialog.open()

    def finish(self, signers: list[Signer], single: bool) -> None:
        try:
            validate_signers(self.session.case, signers, training_single=single)
        except QuzhengError as exc:
            self._error(self.tr("Closing the session"), exc)
            return
        self._closing = True
        self._tick.stop()
        self._queue_timer.stop()
        for a in (
            *self.capture_actions,
            self.act_mark,
            self.act_pause,
            self.act_note,
            self.act_close,
        ):
            a.setEnabled(False)
        self.session.stop_capture()  # GUI thread: the last video segment is sealed
        if self.preview is not None:
            self.preview.stop()
        self.browser.shutdown()
        if self.preview is not None:
            self.preview.refresh()  # shows the browser closed
        self.update_state()
        session, tsa = self.session, self.tsa

        def work(_progress: object) -> SessionSummary:
            return session.finish(signers, tsa=tsa, allow_single_officer=single)

        run_with_progress(
            self,
            self.tr("Closing the session: proxy, re-check, signatures, time-stamps…"),
            work,
            self._finished,
        )

    def _finished(self, outcome: Outcome[SessionSummary]) -> None:
        self.update_state()  # the proxy has stopped by now: the status bar says so
        if outcome.error is not None:
            self._closing = False
            self.act_close.setEnabled(True)  # closing can be tried again
            self._error(self.tr("Closing the session"), outcome.error)
            return
        summary = outcome.unwrap()
        self.summary = summary
        for record in summary.records:
            self._add(record)
        pending = summary.stamps.pending if summary.stamps else self.model.queued()
        self.status.set_queue(pending, "")
        self.report("closed", session=summary.session, pending=pending)
        after = next(
            (r for r in reversed(summary.records) if r.kind == "env.check"
             and r.data.get("phase") == "after"),
            None,
        )  # fmt: skip
        if after is not None:
            dialog = self._dialog(
                EnvCheckDialog(
                    after.data, after.seq, self.lang, self,
                    proceed_text=self.tr("Done"),
                )
            )  # fmt: skip
            dialog.finished.connect(lambda _r: self._done(summary))
            dialog.open()
        else:
            self._done(summary)

    def _done(self, summary: SessionSummary) -> None:
        self.closed.emit(summary)
        self.close()

    def _dialog[W: QWidget](self, dialog: W) -> W:
        self.dialogs.append(dialog)
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.summary is None:
            event.ignore()  # a session is closed by two officers, never by the window
            self.close_session()
            return
        super().closeEvent(event)
