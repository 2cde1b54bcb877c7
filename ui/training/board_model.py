"""The leaderboard as a table: rank, trainee, package, total, result, time, then the points
of every criterion (the integrity check first)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from forensics.training import BoardRow, Leaderboard
from forensics.training.text import fmt_duration, fmt_points

type Index = QModelIndex | QPersistentModelIndex

FIXED = 6  # columns before the criteria


class BoardModel(QAbstractTableModel):
    RANK, TRAINEE, PACKAGE, TOTAL, RESULT, TIME = range(FIXED)

    def __init__(self, lang: str = "zh", parent: Any = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.board: Leaderboard | None = None
        self._rows: list[BoardRow] = []
        self._criteria: list[tuple[str, str]] = []  # id, label

    def set_board(self, board: Leaderboard | None) -> None:
        self.beginResetModel()
        self.board = board
        self._rows = list(board.rows) if board else []
        ex = board.exercise if board else None
        self._criteria = (
            [("integrity", self.tr("Integrity"))]
            + [(c.id, c.label.get(self.lang)) for c in ex.criteria]
            if ex
            else []
        )
        self.endResetModel()

    def row(self, row: int) -> BoardRow:
        return self._rows[row]

    def criterion_ids(self) -> list[str]:
        return [cid for cid, _ in self._criteria]

    def headers(self) -> list[str]:
        return [
            self.tr("Rank"),
            self.tr("Trainee"),
            self.tr("Package"),
            self.tr("Total"),
            self.tr("Result"),
            self.tr("Time"),
            *(label for _, label in self._criteria),
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.board is None else FIXED + len(self._criteria)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        t = r.table
        col = index.column()
        if role == Qt.ItemDataRole.ForegroundRole and t is not None and not t.integrity_ok:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if t is None:
                return r.error.get(self.lang) if r.error else None
            if col >= FIXED:
                cid = self._criteria[col - FIXED][0]
                cell = next((c for c in t.rows if c.id == cid), None)
                return cell.reason.get(self.lang) if cell else None
            return t.rule.get(self.lang) if t.rule else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.RANK, self.TOTAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if t is None:
            why = r.error.get(self.lang) if r.error else ""
            return ["-", "", r.file, "0", self.tr("Unreadable"), why][col] if col < FIXED else ""
        if col >= FIXED:
            cid = self._criteria[col - FIXED][0]
            cell = next((c for c in t.rows if c.id == cid), None)
            return fmt_points(cell.points) if cell else ""
        return [
            str(r.rank) if r.rank is not None else "-",
            t.trainee,
            r.file,
            f"{fmt_points(t.total)} / {t.max_total}",
            self.tr("Passed") if t.passed else self.tr("Not passed"),
            fmt_duration(t.duration_s) if t.duration_s is not None else "",
        ][col]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
