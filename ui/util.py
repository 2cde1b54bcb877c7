"""Small helpers shared by the widgets."""

from __future__ import annotations

from PySide6.QtCore import QObject


def named[W: QObject](obj: W, name: str) -> W:
    """``obj`` with its object name set (tests and style sheets find widgets by it)."""
    obj.setObjectName(name)
    return obj
