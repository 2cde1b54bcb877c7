"""The clean-environment check as sealed (REQUIREMENTS §B), in a dialog: shown before
capture starts, and after the session with the changes found by the re-check. The check
itself is drawn by ``ui.viewers.envcheck.EnvCheckView`` (the case view shows it too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from forensics.entry_data import EnvCheckData
from ui.screen import fit_to_screen
from ui.viewers.envcheck import EnvCheckView


class EnvCheckDialog(QDialog):
    def __init__(
        self,
        data: Mapping[str, Any],
        seq: int,
        lang: str,
        parent: QWidget | None = None,
        *,
        proceed_text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("envCheckDialog")
        after = EnvCheckData.from_json(data).phase == "after"
        self.setWindowTitle(
            self.tr("Clean-environment check after capture")
            if after
            else self.tr("Clean-environment check before capture")
        )
        self.view = EnvCheckView()
        self.view.show_check(data, seq, lang)
        self.browser = self.view.browser
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        if proceed_text:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText(proceed_text)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(760, 560))
