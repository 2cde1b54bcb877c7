"""The evidence timeline: one row per ledger entry (time-stamp tokens folded into the
entry they cover). Columns: seq, time (Beijing), kind, file name, size, SHA-256 (short),
time-stamp state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.desk.timeline import StampState, TimelineRow
from ui.labels import kind_label, stamp_label
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

    def mark_stamped(self, seqs: Iterable[int]) -> None:
        wanted = set(seqs)
        for i, r in enumerate(self._rows):
            if r.seq in wanted and r.stamp is StampState.QUEUED:
                self._rows[i] = _with_stamp(r, StampState.STAMPED)
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
            kind_label(r.kind),
            r.file_name,
            human_size(r.size),
            r.sha256_short,
            stamp_label(str(r.stamp)),
            self.summary(r),
        ][col]

    def summary(self, r: TimelineRow) -> str:
        if r.kind == "env.check":
            phase = r.data.get("phase")
            when = self.tr("before capture") if phase == "before" else self.tr("after capture")
            return self.tr("{0}: {1} warning(s)").format(when, r.warnings)
        return r.summary


def _with_stamp(row: TimelineRow, state: StampState) -> TimelineRow:
    from dataclasses import replace

    return replace(row, stamp=state)
