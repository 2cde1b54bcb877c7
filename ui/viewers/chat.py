"""The live room's chat of a sealed ``capture.chat`` item, as a table: time (Beijing),
user, kind, message. The JSON list is read off the GUI thread, at most ``LIMIT`` bytes; a
file that is not such a list is said to be so, never guessed at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.beijing import beijing

LIMIT: Final = 16 * 1024 * 1024
MAX_ROWS: Final = 20_000
CHAT_FOLDER: Final = "chat/"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate in ``context``."""
    return text


KIND_NAMES: Final[dict[str, str]] = {
    "comment": QT_TRANSLATE_NOOP("ChatViewer", "comment"),
    "gift": QT_TRANSLATE_NOOP("ChatViewer", "gift"),
    "order": QT_TRANSLATE_NOOP("ChatViewer", "order"),
    "enter": QT_TRANSLATE_NOOP("ChatViewer", "entered"),
}


def is_chat_item(path: str, media_type: str) -> bool:
    """A sealed chat list (``chat/<seq>-chat-….json``)."""
    return path.startswith(CHAT_FOLDER) and media_type.split(";")[0].strip() == "application/json"


def read_chat(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The messages (objects only) and whether the list was cut at ``MAX_ROWS``."""
    with path.open("rb") as f:
        data = f.read(LIMIT + 1)
    if len(data) > LIMIT:
        raise ValueError("too large")
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, list):
        raise ValueError("not a list")
    rows = [m for m in value if isinstance(m, dict)]
    return rows[:MAX_ROWS], len(rows) > MAX_ROWS


class ChatViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("chatTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time (Beijing)"), self.tr("User"), self.tr("Kind"), self.tr("Message")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        self._token = 0

    def load(self, path: Path) -> None:
        self._token += 1
        token = self._token
        self.table.setRowCount(0)
        self.info.setText(self.tr("Loading…"))
        run_task(lambda: read_chat(path), lambda o: self._loaded(token, o))

    def _loaded(self, token: int, outcome: Outcome[tuple[list[dict[str, Any]], bool]]) -> None:
        if token != self._token:
            return
        if outcome.error is not None:
            self.info.setText(self.tr("The file is not a readable chat list."))
            return
        rows, cut = outcome.unwrap()
        self.table.setRowCount(len(rows))
        for r, message in enumerate(rows):
            kind = str(message.get("kind") or "")
            source = KIND_NAMES.get(kind)
            cells = [
                beijing(str(message.get("time") or "")),
                str(message.get("user") or ""),
                QCoreApplication.translate("ChatViewer", source) if source else kind,
                str(message.get("text") or ""),
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        note = self.tr("{0} messages").format(len(rows))
        if cut:
            note += " · " + self.tr("only the first {0} are shown").format(MAX_ROWS)
        self.info.setText(note)
