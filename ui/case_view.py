"""One case: its header, the evidence timeline and a viewer for the chosen item.

Everything that reads or writes the case goes through ``app.desk.cases`` off the GUI thread;
actions that sign ask the main window for the unlocked officer (``with_signer``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk import access as desk_access
from app.desk import cases
from app.desk import vault as desk_vault
from app.desk.beijing import with_beijing
from app.desk.clips import STREAM_KIND, Clip, overlapping_recordings, stream_clip
from app.desk.errors import SealedState, explain, sealed_state
from app.desk.timeline import ItemRef, TimelineRow
from app.desk.transcript import Line, to_webvtt
from app.installation import Installation
from forensics.entry_data import MarkData, VideoData
from forensics.errors import QuzhengError
from forensics.identity import Signer
from forensics.ledger import Record
from ui.case_header import CaseHeader
from ui.dialogs.add_officer import AddOfficerDialog
from ui.dialogs.error import show_error
from ui.dialogs.export import ExportDialog
from ui.dialogs.report import ReportDialog
from ui.dialogs.session import CloseSessionDialog
from ui.dialogs.text_entry import note_dialog
from ui.dialogs.transcript import TranscriptDialog
from ui.dialogs.transfer import TransferDialog
from ui.dialogs.verify import VerifyDialog
from ui.flow import FlowLayout
from ui.labels import entry_kind_label, stamp_label
from ui.models.timeline import ROW_ROLE, TimelineModel
from ui.util import named
from ui.viewers import CHAT, ENTRY, ENV_CHECK, IMAGE, SNAPSHOT, TEXT, TRAFFIC, VIDEO, viewer_kind
from ui.viewers.chat import ChatViewer
from ui.viewers.envcheck import EnvCheckView
from ui.viewers.image import ImageViewer
from ui.viewers.side_by_side import SideBySideViewer
from ui.viewers.snapshot import SnapshotViewer
from ui.viewers.text import TextViewer
from ui.viewers.traffic import TrafficViewer
from ui.viewers.video import VideoViewer

type WithSigner = Callable[[Callable[[Signer], None]], None]


class CaseView(QWidget):
    start_session_requested = Signal(object)  # CaseDetails
    back_requested = Signal()
    changed = Signal()
    deposited = Signal(object)  # app.desk.vault.DepositResult
    officers_changed = Signal()  # a profile was created here (from the add-officer dialog)

    def __init__(
        self, inst: Installation, lang: str, with_signer: WithSigner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.inst, self.lang, self.with_signer = inst, lang, with_signer
        self.details: cases.CaseDetails | None = None
        self.setObjectName("caseView")

        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        bar = FlowLayout()  # wraps on a narrow screen instead of widening the window
        for name, text, slot in (
            ("back", self.tr("← All cases"), self.back_requested.emit),
            ("capture", self.tr("Start capture session…"), self._start_session),
            ("import", self.tr("Import files…"), self._import),
            ("note", self.tr("Add note…"), self._note),
            ("transcript", self.tr("Transcript…"), self._transcript),
            ("stamp", self.tr("Get time-stamps now"), self._stamp),
            ("close", self.tr("Close open session…"), self._close_session),
            ("recover", self.tr("Seal what the interrupted capture left…"), self._recover),
            ("officer", self.tr("Add officer…"), self._add_officer),
            ("verify", self.tr("Verify…"), self._verify),
            ("report", self.tr("Report…"), self._report),
            ("export", self.tr("Export package…"), self._export),
            ("transfer", self.tr("Transfer custody…"), self._transfer),
            ("vault", self.tr("Deposit in the agency vault…"), self._vault),
        ):
            button = QPushButton(text)
            button.setObjectName(f"case_{name}")
            button.clicked.connect(slot)
            self.buttons[name] = button
            bar.addWidget(button)

        self.model = TimelineModel(self)
        self.table = QTableView()
        self.table.setObjectName("timeline")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TimelineModel.FILE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TimelineModel.SUMMARY, QHeaderView.ResizeMode.Stretch)
        # The time-stamp state can be long ("obtained (time-stamp entry No. 9)"): it is cut,
        # not the summary (the whole state is in the entry's details beside the table).
        header.setSectionResizeMode(TimelineModel.STAMP, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(TimelineModel.FILE, 150)
        self.table.setColumnWidth(TimelineModel.STAMP, 110)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(self._selected)

        # Hashes are long unbroken words: a text view that wraps anywhere shows them whole.
        self.item_info = named(QPlainTextEdit(), "itemInfo")
        self.item_info.setReadOnly(True)
        self.item_info.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.item_info.setMinimumHeight(60)
        self.item_info.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.item_info.setStyleSheet("background: transparent")
        self.item_choice = QComboBox()
        self.item_choice.currentIndexChanged.connect(self._show_item)
        # A stream item (capture.stream) also plays beside the recording of the same time.
        self.compare = named(
            QPushButton(self.tr("Play side by side (recording and stream)")), "compareStream"
        )
        self.compare.clicked.connect(self.open_side_by_side)
        self.compare.hide()
        self.side_by_side: SideBySideViewer | None = None
        self.viewers = QStackedWidget()
        self.entry_viewer = TextViewer()
        self.image_viewer = ImageViewer()
        self.video_viewer = VideoViewer()
        self.text_viewer = TextViewer()
        self.traffic_viewer = TrafficViewer(lang)
        self.snapshot_viewer = SnapshotViewer()
        self.env_check_viewer = EnvCheckView()
        self.chat_viewer = ChatViewer()
        self.pages = {
            ENTRY: self.entry_viewer,
            IMAGE: self.image_viewer,
            VIDEO: self.video_viewer,
            TEXT: self.text_viewer,
            TRAFFIC: self.traffic_viewer,
            SNAPSHOT: self.snapshot_viewer,
            ENV_CHECK: self.env_check_viewer,
            CHAT: self.chat_viewer,
        }
        for w in self.pages.values():
            self.viewers.addWidget(w)
        viewer_part = QWidget()
        viewer_layout = QVBoxLayout(viewer_part)
        viewer_layout.setContentsMargins(0, 0, 0, 0)
        viewer_layout.addWidget(self.item_choice)
        viewer_layout.addWidget(self.compare)
        viewer_layout.addWidget(self.viewers, 1)
        # The entry's details above its viewer, at a height the officer may change: neither
        # squeezes the other whatever the viewer asks for (a page view asks for a lot).
        side = named(QSplitter(Qt.Orientation.Vertical), "itemSplit")
        side.setChildrenCollapsible(False)
        side.addWidget(self.item_info)
        side.addWidget(viewer_part)
        side.setStretchFactor(1, 1)
        side.setSizes([156, 400])

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([860, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.header)
        layout.addWidget(split, 1)
        self._row: TimelineRow | None = None
        self._recovery_offered: set[str] = set()

    # -- loading --------------------------------------------------------------------------

    def show_case(self, case_id: str) -> None:
        inst = self.inst
        self.header.setText(self.tr("Loading…"))
        run_task(lambda: cases.load_case(inst, case_id), self._loaded)

    def refresh(self) -> None:
        if self.details is not None:
            self.show_case(self.details.case_id)

    def _loaded(self, outcome: Outcome[cases.CaseDetails]) -> None:
        if outcome.error is not None:
            self.header.setText(self.tr("The case could not be read."))
            show_error(self, self.tr("Opening the case"), outcome.error, self.lang)
            return
        d = outcome.unwrap()
        self.details = d
        self.header.setText(CaseHeader(self).html(d))
        selected = self._row.seq if self._row else None
        self.model.set_rows(d.rows)
        self.buttons["close"].setVisible(bool(d.open_sessions))
        self.buttons["recover"].setVisible(bool(d.leftovers))
        for name in ("capture", "import", "note", "transcript", "officer"):
            self.buttons[name].setEnabled(not d.received)
        if selected is not None and self.model.row_of(selected) >= 0:
            self.table.selectRow(self.model.row_of(selected))
        if d.leftovers and d.case_id not in self._recovery_offered:
            # Opening a case that an interrupted capture left unsealed files in seals them
            # at once (once per case and run of the program: the officer may decline).
            self._recovery_offered.add(d.case_id)
            self._recover()

    # -- the chosen entry -----------------------------------------------------------------

    def _selected(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = selected.indexes()
        if not rows:
            return
        row = self.model.data(self.model.index(rows[0].row(), 0), ROW_ROLE)
        if isinstance(row, TimelineRow):
            self.select_row(row)

    def select_row(self, row: TimelineRow) -> None:
        self._row = row
        self.item_choice.blockSignals(True)
        self.item_choice.clear()
        for item in row.items:
            self.item_choice.addItem(f"{item.name}  ({item.media_type})")
        self.item_choice.setVisible(len(row.items) > 1)
        self.item_choice.blockSignals(False)
        self._offer_side_by_side(row)
        self._show_item(0)

    def _show_item(self, index: int) -> None:
        row = self._row
        if row is None or self.details is None:
            return
        item = row.items[index] if 0 <= index < len(row.items) else None
        self.item_info.setPlainText(self.item_text(row, item))
        kind = viewer_kind(item, row.kind)
        if kind != VIDEO:
            self.video_viewer.stop()
        self.viewers.setCurrentWidget(self.pages[kind])
        if kind == ENV_CHECK:  # the same table the check before capture showed
            self.env_check_viewer.show_check(row.data, row.seq, self.lang)
            return
        if item is None:  # the entry's data as sealed, its times also in Beijing time
            data = with_beijing(dict(row.data), self.tr("Beijing time"))
            self.entry_viewer.show_text(json.dumps(data, ensure_ascii=False, indent=2))
            return
        try:
            path = cases.item_file(self.details.case_dir, item.sha256)
        except QuzhengError as exc:  # a missing sealed file: the verifier reports it too
            self.viewers.setCurrentWidget(self.entry_viewer)
            self.entry_viewer.show_text("", explain(exc, self.lang))
            return
        desk_access.viewed(self.inst, self.details.case_id, row.seq, item)  # custody.access
        if kind == IMAGE:
            self.image_viewer.load(path)
        elif kind == VIDEO:
            self.video_viewer.load(path, self.marks_for(row))
        elif kind == TRAFFIC:
            self.traffic_viewer.load(path)
        elif kind == SNAPSHOT:
            self.snapshot_viewer.load(path)
        elif kind == CHAT:
            self.chat_viewer.load(path)
        else:
            self.text_viewer.load(path, item.media_type)

    def _offer_side_by_side(self, row: TimelineRow) -> None:
        stream = row.kind == STREAM_KIND
        self.compare.setVisible(stream)
        if not stream:
            return
        ready = stream_clip(row) is not None and bool(
            overlapping_recordings(row, self.model.rows())
        )
        self.compare.setEnabled(ready)
        self.compare.setToolTip(
            "" if ready else self.tr("No recording segment shares this stream item's time.")
        )

    def open_side_by_side(self) -> SideBySideViewer | None:
        """The selected stream item beside the recording segments of the same time, in a
        window of its own (one, reused)."""
        row, d = self._row, self.details
        stream = stream_clip(row) if row is not None else None
        if row is None or d is None or stream is None:
            return None
        inst = self.inst

        def sealed_file(clip: Clip) -> Path:
            path = cases.item_file(d.case_dir, clip.item.sha256)
            desk_access.viewed(inst, d.case_id, clip.seq, clip.item)  # custody.access
            return path

        self.video_viewer.stop()
        if self.side_by_side is None:
            self.side_by_side = SideBySideViewer(self.lang, self)
            self.side_by_side.resize(1000, 560)
        viewer = self.side_by_side
        viewer.load(stream, overlapping_recordings(row, self.model.rows()), sealed_file)
        viewer.show()
        viewer.raise_()
        return viewer

    def item_text(self, row: TimelineRow, item: ItemRef | None) -> str:
        parts = [
            self.tr("No. {0} · {1} · {2} (Beijing) · {3} {4} · time-stamp: {5}").format(
                row.seq, entry_kind_label(row.kind, row.data), row.beijing, row.actor, row.badge,
                stamp_label(str(row.stamp)),
            ),
            self.tr("Entry hash: {0}").format(row.hash),
        ]  # fmt: skip
        if item is not None:
            parts += [item.path, f"SHA-256 {item.sha256}", f"SM3 {item.sm3}"]
        url = row.data.get("url")
        if isinstance(url, str):
            parts.append(url)
        return "\n".join(parts)

    def marks_for(self, segment: TimelineRow) -> list[tuple[int, str]]:
        """The marks set in this video segment: (ms into the segment's file, note)."""
        video = VideoData.from_json(segment.data)
        marks = [MarkData.from_json(r.data) for r in self.model.rows() if r.kind == "mark"]
        return [
            (m.segment_at_us // 1000, m.note)
            for m in marks
            if (m.recording, m.segment) == (video.recording, video.segment)
            and m.segment_at_us is not None
        ]

    # -- actions --------------------------------------------------------------------------

    def _case_id(self) -> str | None:
        return self.details.case_id if self.details else None

    def _after_seal(self, action: str) -> Callable[[Outcome[object]], None]:
        def done(outcome: Outcome[object]) -> None:
            error, case_id = outcome.error, self._case_id()
            if error is not None:
                where = self.inst.cases

                def explain_it(state: Outcome[SealedState | None]) -> None:
                    show_error(self, action, error, self.lang, state.value)

                run_task(lambda: sealed_state(where, case_id) if case_id else None, explain_it)
            self.refresh()
            self.changed.emit()

        return done

    def _start_session(self) -> None:
        if self.details is not None:
            self.start_session_requested.emit(self.details)

    def _import(self) -> None:
        case_id = self._case_id()
        if case_id is None:
            return
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Files to seal into the case"))
        if files:
            self.import_files(case_id, [Path(f) for f in files])

    def import_files(self, case_id: str, paths: list[Path]) -> None:
        inst = self.inst

        def go(signer: Signer) -> None:
            run_task(
                lambda: cases.import_files(inst, case_id, signer, paths),
                self._after_seal(self.tr("Importing files")),
            )

        self.with_signer(go)

    def _note(self) -> None:
        dialog = note_dialog(self)
        dialog.entered.connect(self.add_note)
        dialog.open()

    def add_note(self, text: str) -> None:
        case_id, inst = self._case_id(), self.inst
        if case_id is None:
            return

        def go(signer: Signer) -> None:
            run_task(
                lambda: cases.add_note(inst, case_id, signer, text),
                self._after_seal(self.tr("Sealing the note")),
            )

        self.with_signer(go)

    def _transcript(self) -> None:
        dialog = TranscriptDialog(self.model.rows(), self.lang, self)
        if self._row is not None:
            dialog.select(self._row.seq)
        dialog.ready.connect(self.seal_transcript)
        dialog.open()

    def seal_transcript(self, data: dict[str, object], lines: list[Line]) -> None:
        case_id, inst = self._case_id(), self.inst
        if case_id is None:
            return
        body = to_webvtt(lines)

        def go(signer: Signer) -> None:
            def work() -> Record:
                return cases.seal_derived(inst, case_id, signer, data, "transcript.vtt", body)

            run_task(work, self._after_seal(self.tr("Sealing the transcript")))

        self.with_signer(go)

    def _stamp(self) -> None:
        case_id, inst = self._case_id(), self.inst
        if case_id is None:
            return

        def go(signer: Signer) -> None:
            run_task(
                lambda: cases.stamp_case(inst, case_id, signer),
                self._after_seal(self.tr("Getting time-stamps")),
            )

        self.with_signer(go)

    def _recover(self) -> None:
        d = self.details
        if d is None or not d.leftovers:
            return
        inst, case_id = self.inst, d.case_id
        title = self.tr("Sealing what the interrupted capture left")

        def go(signer: Signer) -> None:
            def done(outcome: Outcome[list[str]]) -> None:
                self._after_seal(title)(outcome)
                if outcome.error is None and outcome.value:
                    box = QMessageBox(QMessageBox.Icon.Warning, title, "\n".join(outcome.value))
                    box.setParent(self, box.windowFlags())
                    box.open()

            run_task(lambda: cases.recover_leftovers(inst, case_id, signer), done)

        self.with_signer(go)

    def _close_session(self) -> None:
        d = self.details
        if d is None or not d.open_sessions:
            return
        session = d.open_sessions[-1]
        inst, case_id = self.inst, d.case_id

        def go(lead: Signer) -> None:
            dialog = CloseSessionDialog(inst, lead, d.officers, d.training, self.lang, self)

            def signed(signers: list[Signer], single: bool) -> None:
                run_task(
                    lambda: cases.close_open_session(
                        inst, case_id, session, signers, training=single
                    ),
                    self._after_seal(self.tr("Closing the session")),
                )

            dialog.signed.connect(signed)
            dialog.open()

        self.with_signer(go)

    def _verify(self) -> None:
        case_id = self._case_id()
        if case_id is None:
            return
        dialog = VerifyDialog(self.inst, self.lang, case_id=case_id, parent=self)
        dialog.open()
        dialog.start()

    def _exported(self, _result: object) -> None:
        self.refresh()
        self.changed.emit()

    def _export(self) -> None:
        d = self.details
        if d is None:
            return

        def go(signer: Signer) -> None:
            name = (d.number or d.case_id[:8]).replace("/", "_") + ".qzp"
            dialog = ExportDialog(
                self.inst, d.case_id, signer, self.lang, suggested=Path.home() / name, parent=self
            )
            dialog.exported.connect(self._exported)
            dialog.open()

        self.with_signer(go)

    def _sealed(self, _result: object) -> None:
        """A dialog sealed an entry: show it here and in the case list."""
        self.refresh()
        self.changed.emit()

    def _file_stem(self) -> str:
        d = self.details
        return "" if d is None else (d.number or d.case_id[:8]).replace("/", "_")

    def _add_officer(self) -> None:
        d = self.details
        if d is None:
            return

        def go(signer: Signer) -> None:
            members = [o.key for o in d.officers]
            dialog = AddOfficerDialog(self.inst, d.case_id, signer, members, self.lang, self)
            dialog.added.connect(self._sealed)
            dialog.profile_created.connect(lambda _officer: self.officers_changed.emit())
            dialog.open()

        self.with_signer(go)

    def _report(self) -> ReportDialog | None:
        d = self.details
        if d is None:
            return None
        suggested = Path.home() / (self._file_stem() + "-笔录.pdf")
        dialog = ReportDialog(self.inst, d.case_id, self.lang, suggested=suggested, parent=self)
        dialog.open()
        return dialog

    def _transfer(self) -> None:
        d = self.details
        if d is None:
            return

        def go(signer: Signer) -> None:
            package = Path.home() / (self._file_stem() + ".qzp")
            dialog = TransferDialog(
                self.inst, d.case_id, signer, self.lang, package=package, parent=self
            )
            dialog.transferred.connect(self._sealed)
            dialog.open()

        self.with_signer(go)

    def _vault(self) -> None:
        """Deposit the case's last exported package (the officer confirms or picks the file)."""
        d = self.details
        if d is None:
            return
        try:
            desk_vault.vault_url(self.inst)
        except QuzhengError as exc:
            show_error(self, self.tr("Depositing in the agency vault"), exc, self.lang)
            return
        name = desk_vault.last_export_name(d.rows)
        start = Path.home() / (name or self._file_stem() + ".qzp")
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Package to deposit"), str(start), self.tr("Sealed package (*.qzp)")
        )
        if path:
            self.deposit_package(d.case_id, Path(path))

    def deposit_package(self, case_id: str, package: Path) -> None:
        """Deposit ``package`` in the configured vault and seal the receipt in the case
        (``custody.deposit``): the timeline shows it when done, an error says what failed."""
        inst = self.inst

        def go(signer: Signer) -> None:
            self.buttons["vault"].setEnabled(False)
            action = self.tr("Depositing in the agency vault")

            def done(outcome: Outcome[desk_vault.DepositResult]) -> None:
                self.buttons["vault"].setEnabled(True)
                self._after_seal(action)(outcome)
                if outcome.value is not None:
                    self.deposited.emit(outcome.value)

            run_task(lambda: desk_vault.deposit_to_vault(inst, case_id, signer, package), done)

        self.with_signer(go)
