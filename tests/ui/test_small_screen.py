"""Every window of the program on the common office laptop (1366×768, a taskbar): the dialogs
and the main window are opened with realistic content in a child run on a screen of that
size (``small_screen_child.py``), which asserts that each window and every visible button
are on the screen. A new window class in ui/ without an opener there fails here."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.ui.conftest import ROOT, SCREENSHOTS
from tests.ui.screen_fit import screen_env
from tests.ui.small_screen_child import ELSEWHERE, OPENERS

WINDOW_BASES = {"QDialog", "QWizard", "QMessageBox", "QMainWindow", "QProgressDialog"}
CHILD_TIMEOUT_S = 600


def window_classes(root: Path = ROOT / "ui") -> set[str]:
    """The classes in ``root`` that derive (directly or through each other) from a Qt
    top-level window class; private bases (``_Name``) are opened through their subclasses."""
    bases: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases}
                bases[node.name] = {n.rsplit(".", 1)[-1] for n in names}
    found: set[str] = set()
    grew = True
    while grew:
        before = len(found)
        found |= {c for c, b in bases.items() if b & (WINDOW_BASES | found)}
        grew = len(found) > before
    return {c for c in found if not c.startswith("_")}


def test_every_window_class_has_an_opener() -> None:
    classes = window_classes()
    assert {"MainWindow", "NewCaseDialog", "SetupWizard", "WorkspaceWindow"} <= classes
    missing = classes - set(OPENERS) - set(ELSEWHERE)
    assert not missing, f"add an opener to tests/ui/small_screen_child.py for {sorted(missing)}"
    assert not (set(OPENERS) | set(ELSEWHERE)) - classes, "openers for classes that are gone"


def test_every_window_fits_a_1366x768_screen(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(screen_env(tmp_path), PYTHONPATH=str(ROOT), QUZHENG_SCREENSHOTS=str(SCREENSHOTS))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'child'}", "tests/ui/small_screen_child.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
    )  # fmt: skip
    log = tmp_path / "child.log"
    log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, f"see {log}\n" + proc.stdout[-6000:]
    assert f"{2 * len(OPENERS)} passed" in proc.stdout  # each in Chinese and in English


def test_a_row_of_buttons_wraps_instead_of_widening(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QPushButton, QWidget

    from ui.flow import FlowLayout

    holder = QWidget()
    qtbot.addWidget(holder)
    row = FlowLayout(holder)
    buttons = [QPushButton(f"封存中断采集留下的证据 {n}…") for n in range(8)]
    for b in buttons:
        row.addWidget(b)
    buttons[3].hide()
    one_row = row.sizeHint().width()
    assert row.minimumSize().width() == max(b.sizeHint().width() for b in buttons)
    holder.resize(one_row // 3, row.heightForWidth(one_row // 3))
    holder.show()
    qtbot.waitExposed(holder)
    shown = [b for b in buttons if b.isVisible()]
    rows = sorted({b.y() for b in shown})
    assert len(rows) >= 3  # wrapped
    assert all(holder.rect().contains(b.geometry()) for b in shown)  # none cut off
    assert row.heightForWidth(one_row) == max(b.sizeHint().height() for b in shown)
