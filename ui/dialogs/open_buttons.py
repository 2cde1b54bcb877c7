""" "Open folder" and "Open PDF" beside a dialog's buttons, shown once a file is written
(export, report): the system's file manager or viewer opens it (``QDesktopServices``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from ui.util import named


class OpenButtons(QObject):
    """Hidden until ``show_for``; ``with_file`` adds "Open PDF" for a file a viewer can open."""

    def __init__(self, buttons: QDialogButtonBox, *, with_file: bool = False) -> None:
        super().__init__(buttons)
        self.path: Path | None = None
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.folder: QPushButton = named(
            buttons.addButton(self.tr("Open folder"), role), "openFolder"
        )
        self.folder.clicked.connect(self.open_folder)
        self.folder.hide()
        self.file: QPushButton | None = None
        if with_file:
            self.file = named(buttons.addButton(self.tr("Open PDF"), role), "openFile")
            self.file.clicked.connect(self.open_file)
            self.file.hide()

    @classmethod
    def of(cls, buttons: QDialogButtonBox, *, with_file: bool = False) -> OpenButtons:
        """The buttons of ``buttons``, added the first time they are asked for."""
        found = buttons.findChild(OpenButtons)
        return found if isinstance(found, OpenButtons) else cls(buttons, with_file=with_file)

    def show_for(self, path: Path) -> None:
        self.path = path
        self.folder.show()
        if self.file is not None:
            self.file.show()

    def open_folder(self) -> bool:
        return self.path is not None and QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.path.parent))
        )

    def open_file(self) -> bool:
        return self.path is not None and QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.path))
        )
