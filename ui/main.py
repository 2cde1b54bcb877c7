"""``quzheng`` with no arguments: the desktop application (``run_gui``)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app.desk.i18n import (
    active_translators,
    choose_language,
    install_translators,
    remove_translators,
)
from app.desk.officers import needs_setup
from app.desk.tsa import BuiltinTsa
from app.installation import Installation
from ui.main_window import MainWindow


def run_gui(argv: list[str] | None = None) -> int:
    inst = Installation.current()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setApplicationName("Quzheng")
    app.setApplicationDisplayName("Quzheng 取证")
    lang = choose_language(inst)
    translators = install_translators(app, lang)
    tsa = BuiltinTsa(inst)
    tsa.start()
    try:
        window = MainWindow(inst, lang, tsa=tsa)
        window.show()
        if needs_setup(inst):
            window.open_wizard()
        return int(app.exec())
    finally:
        tsa.stop()
        # The wizard may have switched the language since: remove what is installed now.
        remove_translators(app, [*translators, *active_translators()])
