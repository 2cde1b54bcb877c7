"""The workspace's view of a Chromium-family capture browser (``ChromiumBrowser``).

The officer works in the browser's own window (its address bar, tabs and menus); the
workspace keeps an address line (Enter opens the address in the capture browser) and a live
preview of the page: the browser's newest screencast picture (``grab_frame``), scaled to
fit and refreshed about five times a second. When the browser runs headless (no display)
the preview is the only view of the page. The area screenshot is chosen over the preview
(``FrameView.frame_area`` maps a rectangle on it to the picture's pixels).

There is no URL-changed signal from the browser: the preview reads ``page_url()`` on each
refresh and says when it changed (``url_changed``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from app.capture.chromium.browser import ChromiumBrowser
from forensics.errors import InputError, QuzhengError
from ui.util import named

logger = logging.getLogger(__name__)

REFRESH_MS = 200  # ~5 pictures a second


class FrameView(QWidget):
    """The newest picture of the page, scaled to fit (aspect kept, centred at the top)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pagePreview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self._pixmap = QPixmap()
        self._frame = QSize()
        self.closed = False

    def set_image(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self._frame = image.size()
        self.update()

    def pixmap(self) -> QPixmap:
        """What the preview shows now (null before the first picture)."""
        return self._pixmap

    def frame_size(self) -> QSize:
        """The size of the picture shown, in its own pixels (the browser's device pixels)."""
        return QSize(self._frame)

    def frame_rect(self) -> QRect:
        """Where the picture is drawn in this widget (empty before the first picture)."""
        if self._frame.isEmpty():
            return QRect()
        scaled = self._frame.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRect((self.width() - scaled.width()) // 2, 0, scaled.width(), scaled.height())

    def frame_area(self, area: QRect) -> QRectF:
        """A rectangle in this widget's coordinates → the same area in the picture's pixels
        (clipped to the picture). Raises ``InputError`` when there is no picture yet or the
        rectangle is outside it."""
        shown = self.frame_rect()
        if shown.isEmpty():
            raise InputError(
                "there is no picture of the page yet; wait for the preview",
                "尚无网页画面，请等待预览显示",
            )
        inside = area.normalized().intersected(shown)
        if inside.isEmpty():
            raise InputError("the selected area is outside the page", "所选区域不在网页范围内")
        scale = self._frame.width() / shown.width()
        return QRectF(
            (inside.x() - shown.x()) * scale,
            (inside.y() - shown.y()) * scale,
            inside.width() * scale,
            inside.height() * scale,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#2b2b2b"))
        shown = self.frame_rect()
        if not self._pixmap.isNull() and not shown.isEmpty():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(shown, self._pixmap)
        text = ""
        if self.closed:
            painter.fillRect(self.rect(), QColor(0, 0, 0, 140))
            text = self.tr("The capture browser is closed.")
        elif self._pixmap.isNull():
            text = self.tr("Waiting for the first picture of the page…")
        if text:
            painter.setPen(QColor("#ffffff"))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), text)
        painter.end()


class BrowserPreview(QWidget):
    """Address line, a hint where to work, and the live preview (see the module)."""

    url_changed = Signal(str)

    def __init__(self, browser: ChromiumBrowser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("browserPreview")
        self.browser = browser
        self.address = named(QLineEdit(), "address")
        self.address.setPlaceholderText(
            self.tr("Web address (URL): Enter opens it in the capture browser")
        )
        self.address.returnPressed.connect(self._address_entered)
        self.hint = named(QLabel(), "previewHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555")
        if browser.headless:
            self.hint.setText(
                self.tr("No browser window (headless): this preview is the page's only view.")
            )
        else:
            self.hint.setText(
                self.tr("Work in the browser window; this is a live preview of its page.")
            )
        self.view = FrameView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.address)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        self._image: QImage | None = None
        self._url = ""
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        browser.loaded.connect(lambda _ok: self.refresh())

    def start(self) -> None:
        """Start the browser's screencast (the recorder takes its pictures too) and the
        refresh. A screencast that cannot start is said in the preview, not raised: the
        recording's own start reports it."""
        try:
            self.browser.start_frames()
        except Exception as exc:  # CaptureError, a timeout, the driver's own errors
            logger.warning("the browser's screencast did not start: %s", exc)
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        """Show the newest picture and the page's address (GUI thread)."""
        browser = self.browser
        if browser.shut_down:
            self._timer.stop()
            self.address.setEnabled(False)
            if not self.view.closed:
                self.view.closed = True
                self.view.update()
            return
        image = browser.grab_frame()
        if image is not None and image is not self._image:
            self._image = image
            self.view.set_image(image)
        url = browser.page_url()
        if url != self._url:
            self._url = url
            if not (self.address.hasFocus() and self.address.isModified()):
                self.address.setText(url)  # not while the officer is typing another
            self.url_changed.emit(url)

    def _address_entered(self) -> None:
        try:
            self.browser.navigate(self.address.text())
        except QuzhengError as exc:
            self.browser.refused.emit(f"{exc.message_zh} / {exc.message_en}")
            return
        self.address.setModified(False)
