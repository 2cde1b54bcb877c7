"""``quzheng`` with no arguments: the desktop application (``run_gui``)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app.gui.i18n import choose_language, install_translators
from app.gui.officers import needs_setup
from app.gui.tsa import BuiltinTsa
from app.paths import data_home
from ui.main_window import MainWindow


def run_gui(argv: list[str] | None = None) -> int:
    home = data_home()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setApplicationName("Quzheng")
    app.setApplicationDisplayName("Quzheng 取证")
    lang = choose_language(home)
    translators = install_translators(app, lang)
    tsa = BuiltinTsa(home)
    tsa.start()
    try:
        window = MainWindow(home, lang, tsa=tsa)
        window.show()
        if needs_setup(home):
            window.open_wizard()
        return int(app.exec())
    finally:
        tsa.stop()
        for tr in translators:
            app.removeTranslator(tr)
