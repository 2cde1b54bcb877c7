"""Windows that fit the screen they open on (the common office laptop is 1366×768 with a
taskbar): a size wish clamped to the available area less the window manager's frame, and a
scroll area for content that may be taller than the screen."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# What a window manager's frame takes around the client area (title bar, borders).
FRAME = QSize(16, 48)


def available(window: QWidget) -> QSize:
    """The room a window's client area has on its screen (or the primary screen)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size() - FRAME
    return QSize(max(room.width(), 320), max(room.height(), 240))


def fit_to_screen(window: QWidget, wish: QSize) -> None:
    """Resize ``window`` to ``wish``, or smaller where the screen is smaller."""
    window.resize(wish.boundedTo(available(window)).expandedTo(window.minimumSizeHint()))


class _Scroll(QScrollArea):
    """A scroll area that asks for its content's whole size (the window then decides, with
    ``fit_to_screen``, how much of it the screen has room for)."""

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        extra = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return content.sizeHint() + QSize(extra, 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 120)


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless vertical scroll area that grows with the window."""
    area = _Scroll()
    area.setObjectName("scroll")
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
