"""``ChromiumBrowser``: the capture session's browser when it is a Chromium-family browser
installed on the machine (``discover``), driven over CDP (``engine``).

The officer works in the browser's own window (headed) — its address bar, tabs and menus
are the browser's; Quzheng's workspace keeps the controls, the sealed list, the recording
indicator and the clock. ``quzheng capture`` and ``quzheng demo`` run the same browser
headless (``--headless=new``).

What the session needs of a browser, this object gives on the GUI thread (it is a
``QObject`` living there; the engine's callbacks arrive on the engine thread and cross over
through queued signals): ``navlog`` (every request and the navigation steps), ``navigate``,
``loaded``, the page's URL and title, ``grab_frame`` for the screen recorder (the newest
screencast frame, decoded), and fail-closed ``set_enabled_for_capture(False)``, which ends
the browser: a browser window the tool can no longer record must not stay open for
browsing.

Proxy: the session's credentials go to Playwright's proxy setting (answered over CDP when
the proxy asks; never on a command line); the proxy CA is trusted by its SPKI pin only;
the browser first loads the proxy's priming address, so its first challenge is met there.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.capture.chromium.discover import BrowserInstall
from app.capture.chromium.engine import (
    BrowserVersion,
    ChromiumEngine,
    EngineConfig,
    NavigationEvent,
    NavigationResult,
    RequestEvent,
    ScreencastFrame,
)
from app.capture.chromium.flags import ProxyConfig
from app.capture.navlog import NavigationLog
from forensics.canonical import utc_now
from forensics.capture.clientauth import PRIME_HOST
from forensics.errors import CaptureError

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 90.0
MAX_FRAME_SIDE = 4096  # larger screencast pictures are transient layouts, not screens
CLOSE_WAIT_S = 20.0

# Playwright's resource types, named as the navigation log (and ``live.stream_kind``)
# knows them from Qt WebEngine.
_RESOURCE = {
    "document": "MainFrame",
    "stylesheet": "Stylesheet",
    "image": "Image",
    "media": "Media",
    "font": "FontResource",
    "script": "Script",
    "texttrack": "Media",
    "xhr": "Xhr",
    "fetch": "Xhr",
    "eventsource": "Xhr",
    "websocket": "WebSocket",
    "manifest": "Unknown",
    "other": "Unknown",
}


class ChromiumBrowser(QObject):
    """The session's browser over CDP (see the module docstring)."""

    engine_name = "chromium"
    loaded = Signal(bool)
    refused = Signal(str)  # an address the browser will not open, with the reason (zh / en)
    _navigated = Signal(str)
    _load_done = Signal(bool, str, str)
    _transition = Signal(str, str)

    def __init__(
        self,
        profile_dir: Path,
        install: BrowserInstall,
        *,
        proxy_url: str,
        ca_spki_sha256_b64: str,
        proxy_user: str = "",
        proxy_secret: str = "",
        headless: bool = True,
        window: tuple[int, int] = (1280, 800),
        now: Callable[[], datetime] = utc_now,
        sound_env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile_dir = profile_dir
        self.install = install
        self.headless = headless
        self.window = window
        self.navlog = NavigationLog(now)
        self.shut_down = False
        self._url = ""
        self._title = ""
        self._requested = ""
        self._frame_lock = threading.Lock()
        self._frame: QImage | None = None  # GUI thread only
        self._raw: tuple[bytes, int, int] | None = None  # the newest picture, not yet a QImage
        self._frames = 0
        self.frames_skipped = 0
        self._screencast = False
        self._navigated.connect(self._on_navigated)
        self._load_done.connect(self._on_load_done)
        self._transition.connect(self.navlog.note_how)
        self.engine = ChromiumEngine(
            EngineConfig(
                executable_path=install.path,
                headless=headless,
                window=window,
                profile_dir=profile_dir,
                proxy=ProxyConfig(proxy_url, proxy_user, proxy_secret),
                ca_spki_sha256_b64=ca_spki_sha256_b64,
                prime_url=f"http://{PRIME_HOST}/" if proxy_user else None,
                root=(os.geteuid() == 0) if hasattr(os, "geteuid") else False,
                sound_env=tuple(sorted((sound_env or {}).items())),
            ),
            on_request=self._request,
            on_navigation=self._navigation,
        )
        try:
            self.version: BrowserVersion = self.engine.start().result(START_TIMEOUT_S)
        except Exception:
            self.engine.close()
            raise
        self.proxy_primed = bool(proxy_user)

    # -- facts ------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """What the session record and the environment check say about this browser."""
        return {
            "engine": "chromium-cdp",
            "path": self.install.path,
            "product": self.install.product,
            "version": self.version.version or self.install.version,
            "user_agent": self.version.user_agent,
            "protocol": self.version.protocol,
            "js_version": self.version.js_version,
            "headless": self.headless,
            "profile_dir": str(self.profile_dir),
            "extensions": "disabled (--disable-extensions; fresh profile)",
        }

    def page_url(self) -> str:
        return self._url

    def page_title(self) -> str:
        return self._title

    def requested_url(self) -> str:
        return self._requested or self._url

    # -- navigation -------------------------------------------------------------------------

    def navigate(self, text: str) -> None:
        url = text.strip()
        if "://" not in url:
            url = "https://" + url
        if urlsplit(url).scheme not in ("http", "https"):
            raise CaptureError(
                f"Only http and https addresses can be captured, not {text!r}.",
                f"只能对 http 和 https 网址取证，而不是 {text!r}。",
            )
        self._requested = url
        self.engine.navigate(url).add_done_callback(self._navigate_done)

    def _navigate_done(self, future: Future[NavigationResult]) -> None:
        # Engine thread (never wait on the engine here): handed over to the GUI thread.
        exc = future.exception()
        if exc is not None:
            logger.info("navigation failed: %s", exc)
            self._load_done.emit(False, "", "")
            return
        result = future.result()
        self._load_done.emit(True, result.url, result.title)

    def _on_load_done(self, ok: bool, url: str, title: str) -> None:
        if url:
            self._url, self._title = url, title
        self.navlog.note_loaded(self._url, self._title, ok)
        self.loaded.emit(ok)

    def _request(self, event: RequestEvent) -> None:
        # Engine thread; the log is thread-safe. The priming request is the proxy's own.
        if urlsplit(event.url).hostname == PRIME_HOST:
            return
        resource = _RESOURCE.get(event.resource_type, "Unknown")
        if event.navigation and not event.main_frame:
            resource = "SubFrame"
        self.navlog.record(
            event.url,
            event.method,
            resource,
            "navigation" if event.navigation else "",
            self._url,
            main_frame=event.navigation and event.main_frame,
        )

    def _navigation(self, event: NavigationEvent) -> None:
        self._navigated.emit(event.url)

    def _on_navigated(self, url: str) -> None:
        if not url.startswith(("http://", "https://")) or urlsplit(url).hostname == PRIME_HOST:
            return  # the priming page and the blank page after it
        self._url = url
        self.navlog.note_url(url)
        if not self.shut_down:
            self.engine.navigation_entry().add_done_callback(self._entry_done)

    def _entry_done(self, future: Future[dict[str, Any]]) -> None:
        # Engine thread: hand "how the officer got there" over to the GUI thread.
        if future.exception() is None:
            entry = future.result()
            how = entry.get("transitionType")
            if isinstance(how, str) and isinstance(entry.get("url"), str):
                self._transition.emit(entry["url"], how)

    def refresh_state(self) -> None:
        """Ask for the page's URL and title now (the officer may have browsed meanwhile)."""
        state = self.engine.page_state().result(10)
        self._url, self._title = state.url, state.title

    # -- frames for the screen recorder -----------------------------------------------------

    def start_frames(self) -> None:
        if self._screencast:
            return
        self.engine.start_screencast(self._frame_arrived, quality=85).result(30)
        self._screencast = True

    def stop_frames(self) -> None:
        if not self._screencast:
            return
        self._screencast = False
        with contextlib.suppress(Exception):
            self.engine.stop_screencast().result(10)

    def _frame_arrived(self, frame: ScreencastFrame) -> None:
        # Engine thread: decoded with Pillow (it releases the GIL, and no Qt object is
        # made off the GUI thread); the QImage is made on the GUI thread when asked for.
        try:
            with Image.open(io.BytesIO(frame.data)) as picture:
                # The header first: a picture too large to be a screen is not decoded.
                size = picture.size
                rgb = picture.convert("RGB") if max(size) <= MAX_FRAME_SIDE else None
        except (OSError, ValueError):
            return
        if rgb is None:
            # The page laid out on a very tall viewport for a moment (a full-page capture):
            # not a screen; the recording keeps the last picture of the screen meanwhile.
            with self._frame_lock:
                self.frames_skipped += 1
            return
        with self._frame_lock:
            self._raw = (rgb.tobytes(), rgb.width, rgb.height)
            self._frames += 1

    def grab_frame(self) -> QImage | None:
        """GUI thread: the newest picture of the page (None before the first one)."""
        with self._frame_lock:
            raw, self._raw = self._raw, None
        if raw is not None:
            data, width, height = raw
            self._frame = QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
        return self._frame

    @property
    def frames_received(self) -> int:
        with self._frame_lock:
            return self._frames

    # -- the end ----------------------------------------------------------------------------

    def set_enabled_for_capture(self, enabled: bool) -> None:
        """Fail closed: a browser the tool can no longer record is ended, not left open."""
        if not enabled:
            self.shutdown()

    def shutdown(self) -> None:
        if self.shut_down:
            return
        self.shut_down = True
        self._screencast = False
        try:
            self.engine.close().result(CLOSE_WAIT_S)
        except Exception as exc:
            logger.warning("the browser did not close cleanly: %s", exc)

    # Headless sizes are fixed at launch; headed windows are the officer's to size.
    def resize(self, _w: int, _h: int) -> None:
        pass

    def show(self) -> None:
        pass
