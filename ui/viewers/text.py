"""Text, HTML (as source: hostile pages are never rendered here), JSON (pretty) and
entry details. Files are read off the GUI thread, at most ``LIMIT`` bytes."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.capture.tasks import Outcome, run_task

LIMIT = 2 * 1024 * 1024


def read_text(path: Path, media_type: str, limit: int = LIMIT) -> tuple[str, bool]:
    """The file as text (JSON pretty-printed); True when it was cut at ``limit``."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    cut = len(data) > limit
    text = data[:limit].decode("utf-8", "replace")
    if "json" in media_type and not cut:
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    return text, cut


class TextViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = QLabel()
        self.info.setObjectName("textInfo")
        self.info.setWordWrap(True)
        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        font: QFont = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.edit.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.info)
        layout.addWidget(self.edit, 1)
        self._token = 0

    def show_text(self, text: str, info: str = "") -> None:
        self._token += 1
        self.info.setText(info)
        self.info.setVisible(bool(info))
        self.edit.setPlainText(text)

    def load(self, path: Path, media_type: str) -> None:
        self.show_text("", self.tr("Loading…"))  # also cancels a load still running
        token = self._token
        run_task(lambda: read_text(path, media_type), lambda o: self._loaded(token, o))

    def _loaded(self, token: int, outcome: Outcome[tuple[str, bool]]) -> None:
        if token != self._token:
            return
        if outcome.error is not None:
            self.show_text("", self.tr("The file could not be read."))
            return
        text, cut = outcome.unwrap()
        note = self.tr("Only the first 2 MiB are shown.") if cut else ""
        self.edit.setPlainText(text)
        self.info.setText(note)
        self.info.setVisible(bool(note))
