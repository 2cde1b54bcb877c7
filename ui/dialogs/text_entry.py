"""A text that must not be empty: a note, or the reason for pausing the recording."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.util import named

NOTE, PAUSE = "note", "pause"


class TextEntryDialog(QDialog):
    entered = Signal(str)

    def __init__(self, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textEntryDialog")
        if purpose == PAUSE:
            title = self.tr("Pause recording")
            prompt = self.tr(
                "Say why the recording pauses. The reason is sealed, and the report shows the gap with it."
            )
            ok_text = self.tr("Pause")
        else:
            title = self.tr("Note")
            prompt = self.tr(
                "The note is sealed in the case's ledger, with your signature and the time."
            )
            ok_text = self.tr("Seal note")
        self.setWindowTitle(title)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.text = named(QPlainTextEdit(), "text")
        self.message = named(QLabel(), "message")
        self.message.setStyleSheet("color: #c62828")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        text = self.text.toPlainText().strip()
        if not text:
            self.message.setText(self.tr("This cannot be empty."))
            return
        self.entered.emit(text)
        self.accept()


def note_dialog(parent: QWidget | None) -> TextEntryDialog:
    return TextEntryDialog(NOTE, parent)


def pause_dialog(parent: QWidget | None) -> TextEntryDialog:
    return TextEntryDialog(PAUSE, parent)
