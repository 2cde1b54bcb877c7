"""The evidence timeline: one row per ledger entry (time-stamp tokens folded into the
entry they cover). Columns: seq, time (Beijing), kind, file name, size, SHA-256 (short),
time-stamp state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.desk.timeline import StampState, TimelineRow, beijing_time
from forensics.entry_data import (
    AccountNote,
    ChatData,
    DepositData,
    EnvCheckData,
    ExportData,
    ExportFailedData,
    Note,
    RecordingNote,
    RecoveredData,
    SessionStartData,
    StreamData,
    read_note,
)
from forensics.entry_data.recording import PAUSE
from forensics.entry_data.recovered import CLOSED_UNSEALED, DAMAGED, REPAIRED, TORN
from ui.labels import entry_kind_label, stamp_label
from ui.models.table import RowsModel

type Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def human_size(n: int) -> str:
    if n <= 0:
        return ""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class TimelineModel(RowsModel):
    SEQ, TIME, KIND, FILE, SIZE, SHA256, STAMP, SUMMARY = range(8)
    COLUMNS = 8

    def __init__(self, parent: Any = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self._rows: list[TimelineRow] = []
        self.compact = compact  # the workspace's narrow panel: time of day only

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Time (Beijing)"),
            self.tr("Kind"),
            self.tr("File"),
            self.tr("Size"),
            self.tr("SHA-256"),
            self.tr("Time-stamp"),
            self.tr("About"),
        ]

    # -- content --------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[TimelineRow]) -> None:
        self._reset(rows)

    def append(self, row: TimelineRow) -> None:
        """A newly sealed entry (the workspace adds them as they are sealed)."""
        if any(r.seq == row.seq for r in self._rows):
            return
        at = len(self._rows)
        while at > 0 and self._rows[at - 1].seq > row.seq:
            at -= 1
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self.endInsertRows()

    def mark_stamped(self, seqs: Iterable[int], tokens: Mapping[int, int] | None = None) -> None:
        """Rows ``seqs`` got their token; ``tokens`` names the ``timestamp`` entry of each."""
        wanted = set(seqs)
        tokens = tokens or {}
        for i, r in enumerate(self._rows):
            if r.seq in wanted and r.stamp is StampState.QUEUED:
                self._rows[i] = replace(
                    _with_stamp(r, StampState.STAMPED), stamp_seq=tokens.get(r.seq, r.stamp_seq)
                )
                cell = self.index(i, self.STAMP)
                self.dataChanged.emit(cell, cell)

    def row(self, n: int) -> TimelineRow:
        return self._rows[n]

    def rows(self) -> list[TimelineRow]:
        return list(self._rows)

    def row_of(self, seq: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.seq == seq), -1)

    def queued(self) -> int:
        return sum(1 for r in self._rows if r.stamp is StampState.QUEUED)

    # -- Qt -------------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.SHA256 and r.items:
                return "\n".join(f"SHA-256 {i.sha256}\nSM3 {i.sm3}" for i in r.items)
            return self.tr("Entry hash: {0}").format(r.hash)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STAMP:
            if r.stamp is StampState.QUEUED:
                return QBrush(QColor("#b35c00"))
            if r.stamp is StampState.STAMPED:
                return QBrush(QColor("#1a7f37"))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.SEQ, self.SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return [
            str(r.seq),
            r.beijing[-8:] if self.compact else r.beijing,
            entry_kind_label(r.kind, r.data),
            r.file_name,
            human_size(r.size),
            r.sha256_short,
            self.stamp_text(r),
            self.summary(r),
        ][col]

    def stamp_text(self, r: TimelineRow) -> str:
        """The stamp state; a stamped entry names the time-stamp entry that holds its token
        (those entries are folded away, so their numbers are accounted for here)."""
        if r.stamp is StampState.STAMPED and r.stamp_seq is not None:
            if self.compact:  # the workspace's narrow panel
                return self.tr("stamped (#{0})").format(r.stamp_seq)
            return self.tr("stamped (entry {0})").format(r.stamp_seq)
        return stamp_label(str(r.stamp))

    def summary(self, r: TimelineRow) -> str:
        """One line in the interface's language: the texts the capture engine seals in
        English or in both languages (the method, the recording's events) are named here."""
        if r.kind == "env.check":
            phase = EnvCheckData.from_json(r.data).phase
            when = self.tr("before capture") if phase == "before" else self.tr("after capture")
            return self.tr("{0}: {1} warning(s)").format(when, r.warnings)
        if r.kind == "session.start":
            return self._session_summary(r)
        if r.kind == "note":
            return self._note_summary(read_note(r.data), r)
        if r.kind == "capture.recovered":
            return self._recovered_summary(RecoveredData.from_json(r.data))
        if r.kind == "package.export":
            name = ExportData.from_json(r.data).file_name
            if r.failed_by is not None:
                return self.tr(
                    "Export did not complete, no file was written (see entry {0}): {1}"
                ).format(r.failed_by, name)
            return self.tr("Package {0}").format(name)
        if r.kind == "capture.stream":
            return self._stream_summary(StreamData.from_json(r.data))
        if r.kind == "capture.chat":
            chat = ChatData.from_json(r.data)
            if chat.last is None:
                return self.tr("Live-room chat: no messages in this period")
            return self.tr("Live-room chat: {0} message(s); last: {1}: {2}").format(
                chat.count, chat.last.user, chat.last.text[:80]
            )
        if r.kind == "custody.deposit":
            deposit = DepositData.from_json(r.data)
            return self.tr("Deposited in the agency vault: {0}, retained until {1}").format(
                deposit.package_file or deposit.package_sha256[:16],
                beijing_time(deposit.retention_until) or "?",
            )
        return r.summary

    def _note_summary(self, note: Note, r: TimelineRow) -> str:
        """The recording's pauses, the declared account and a failed export in the
        interface's language; an officer's note (or media the browser cannot play, noted in
        both languages) by its first line."""
        if isinstance(note, RecordingNote) and note.event == PAUSE:
            return self.tr("Recording paused: {0}").format(r.summary)
        if isinstance(note, RecordingNote):
            done = self.tr("Recording resumed")
            return self.tr("{0}: {1}").format(done, note.own_text) if note.own_text else done
        if isinstance(note, AccountNote):
            if note.account is None:
                return self.tr("No logged-in account is used")
            return self.tr("Logged-in account: {0}").format(note.account)
        if isinstance(note, ExportFailedData):
            seq = note.export_seq
            return self.tr("Export of entry {0} failed; no file was written").format(
                "?" if seq is None else seq
            )
        return r.summary

    def _recovered_summary(self, found: RecoveredData) -> str:
        """What an interrupted capture left, in what state it was found."""
        states = {
            REPAIRED: self.tr("traffic segment left open, repaired"),
            CLOSED_UNSEALED: self.tr("file closed but not sealed"),
            DAMAGED: self.tr("unreadable traffic segment, sealed as found"),
            TORN: self.tr("screen-recording segment cut off"),
        }
        state = states.get(found.state, found.state or "?")
        return self.tr("Left by an interrupted capture: {0}").format(state)

    def _stream_summary(self, stream: StreamData) -> str:
        """The period the stream item holds and the recording entries that show it too, so
        what the server sent and what the officer saw can be played for the same minutes."""
        period = stream.period
        when = (
            f"{beijing_time(period.started)}–{beijing_time(period.ended)[11:]}"
            if period is not None and period.started and period.ended
            else "?"
        )
        seen = [str(o.seq) for o in stream.recording_overlap if o.seq is not None]
        if not seen:
            return self.tr("Stream as received, {0}; no recording segment overlaps").format(when)
        return self.tr("Stream as received, {0}; shown too in recording entries {1}").format(
            when, ", ".join(seen)
        )

    def _session_summary(self, r: TimelineRow) -> str:
        start = SessionStartData.from_json(r.data)
        browser = start.browser
        targets = [t for t in start.targets if t.strip()]
        if browser.get("engine") == "qtwebengine":
            engine = self.tr("built-in fallback browser")
        elif browser.get("product"):
            engine = f"{browser.get('product')} {browser.get('version') or ''}".strip()
        else:
            engine = ""
        parts = [self.tr("Browser: {0}").format(engine)] if engine else []
        if targets:
            parts.append(self.tr("Targets: {0}").format(", ".join(targets)))
        return "  ·  ".join(parts) if parts else self.tr("Capture session started")


def _with_stamp(row: TimelineRow, state: StampState) -> TimelineRow:
    return replace(row, stamp=state)
