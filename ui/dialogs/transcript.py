"""A transcript of the speech in a recording segment, typed by the officer with time codes;
sealed as a derived item that names the segment's hash (REQUIREMENTS §A6, §A10)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.desk.errors import explain
from app.desk.timeline import TimelineRow
from app.desk.transcript import Line, check_lines, derive_data, parse_time_code
from forensics.entry_data import VideoData
from forensics.errors import QuzhengError
from ui.screen import fit_to_screen


class TranscriptDialog(QDialog):
    """Emits ``ready(data, vtt_lines)``: the derive entry's data and the lines."""

    ready = Signal(dict, list)

    def __init__(
        self, recordings: Sequence[TimelineRow], lang: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        self.recordings = [r for r in recordings if r.kind == "capture.video" and r.items]
        self.setObjectName("transcriptDialog")
        self.setWindowTitle(self.tr("Transcript of a recording"))
        self.segment = QComboBox()
        self.segment.setObjectName("segment")
        for r in self.recordings:
            index = VideoData.from_json(r.data).segment
            self.segment.addItem(
                self.tr("No. {0}  segment {1}  {2}  (SHA-256 {3}…)").format(
                    r.seq, "?" if index is None else index, r.beijing, r.sha256_short
                ),
                r.seq,
            )
        self.reason = QLineEdit(self.tr("speech in the recording, as heard by the officers"))
        self.reason.setObjectName("reason")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("lines")
        self.table.setHorizontalHeaderLabels(
            [self.tr("From"), self.tr("To"), self.tr("Speaker"), self.tr("Text")]
        )
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        add = QPushButton(self.tr("Add line"))
        add.clicked.connect(lambda: self.add_line("", "", "", ""))
        remove = QPushButton(self.tr("Remove line"))
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Recording segment"), self.segment)
        form.addRow(self.tr("Reason"), self.reason)
        hint = QLabel(
            self.tr("Time codes are from the start of the segment: mm:ss or hh:mm:ss.mmm.")
        )
        hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Seal transcript"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.add_line("", "", "", "")
        fit_to_screen(self, QSize(720, 420))

    def add_line(self, start: str, end: str, speaker: str, text: str) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        for col, value in enumerate((start, end, speaker, text)):
            self.table.setItem(n, col, QTableWidgetItem(value))

    def select(self, seq: int) -> None:
        self.segment.setCurrentIndex(max(0, self.segment.findData(seq)))

    def lines(self) -> list[Line]:
        out = []
        for n in range(self.table.rowCount()):
            cells = [self.table.item(n, c) for c in range(4)]
            start, end, speaker, text = (c.text().strip() if c else "" for c in cells)
            if not (start or end or text):
                continue  # an empty row left at the end
            out.append(Line(parse_time_code(start), parse_time_code(end), speaker, text))
        return out

    def submit(self) -> None:
        if not self.recordings:
            self.message.setText(self.tr("There is no sealed recording segment yet."))
            return
        parent = self.recordings[self.segment.currentIndex()]
        try:
            lines = self.lines()
            duration = VideoData.from_json(parent.data).stated_duration_us
            check_lines(lines, duration // 1000 if duration is not None else None)
            item = parent.items[0]
            data = derive_data(
                {"seq": parent.seq, "path": item.path, "sha256": item.sha256, "sm3": item.sm3},
                lines,
                self.reason.text(),
                self.lang[:2],
            )
        except QuzhengError as exc:
            self.message.setText(explain(exc, self.lang))
            return
        self.ready.emit(data, lines)
        self.accept()
