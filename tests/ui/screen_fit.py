"""What "usable on a 1366×768 laptop" means for a window, checked offscreen.

The office laptop's screen is 1366×768 with a 40 px taskbar: 1366×728 are left for windows,
and a window manager adds a title bar (``TITLE_BAR``) above each window. The child test
(``small_screen_child.py``) runs on an offscreen screen of exactly that available size
(``QT_QPA_PLATFORM=offscreen:configfile=…``, see ``screen_env``); ``problems`` lists what falls
outside it: the window itself, and every visible button that is not inside a scroll area (those
are reached by scrolling)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QWidget

WIDTH, HEIGHT = 1366, 728  # 1366×768 less a 40 px taskbar
AVAILABLE = QRect(0, 0, WIDTH, HEIGHT)
TITLE_BAR = 30  # what a window manager's decoration adds above the client area


def screen_env(folder: Path) -> dict[str, str]:
    """The environment for a Qt process whose only screen is the laptop's available area."""
    config = folder / "screen-1366x728.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}
    screen |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return {"QT_QPA_PLATFORM": f"offscreen:configfile={config}"}


def place(window: QWidget) -> None:
    """Put ``window`` where a window manager would: inside the available area with its
    title bar, as far as its size allows (Qt centres dialogs over their parent)."""
    QApplication.processEvents()
    geo = window.frameGeometry()
    x = min(max(geo.x(), 0), max(0, WIDTH - geo.width()))
    y = min(max(geo.y(), TITLE_BAR), max(TITLE_BAR, HEIGHT - geo.height()))
    window.move(x, y)
    QApplication.processEvents()


def _in_scroll_area(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(window: QWidget) -> list[str]:
    """Where ``window`` (shown and placed) does not fit the available area."""
    out: list[str] = []
    name = type(window).__name__
    geo = window.frameGeometry()
    if geo.width() > WIDTH or geo.height() + TITLE_BAR > HEIGHT:
        out.append(f"{name} is {geo.width()}×{geo.height()} (+{TITLE_BAR} title bar)")
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    if hint.width() > WIDTH or hint.height() + TITLE_BAR > HEIGHT:
        out.append(f"{name} cannot shrink below {hint.width()}×{hint.height()}")
    screen = AVAILABLE.adjusted(0, TITLE_BAR, 0, 0)
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or _in_scroll_area(button, window):
            continue
        rect = QRect(button.mapToGlobal(QPoint(0, 0)), button.size())
        inside_window = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
        if not screen.contains(rect) or not inside_window.contains(rect):
            text = button.text() or button.toolTip() or button.objectName()
            out.append(f"{name}: button {text!r} at {rect.getRect()} is off the screen")
    return out
