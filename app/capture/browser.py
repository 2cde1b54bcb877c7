"""The session browser: Qt WebEngine behind the recording proxy, in a fresh profile.

Order of start-up (why the proxy comes first)
---------------------------------------------
Chromium reads its command line once per process, when Qt WebEngine starts, which is tied
to the ``QApplication``: the proxy address and the one certificate to trust are
process-wide and cannot change afterwards. So a capture process does, in this order:

1. start the recording proxy (``CaptureSession.start()``): now its port and its CA's SPKI
   hash are known;
2. ``configure_chromium(BrowserConfig(...))`` — sets ``QTWEBENGINE_CHROMIUM_FLAGS``
   (``--proxy-server``, ``--proxy-bypass-list=<-loopback>`` so loopback goes through the
   proxy too, ``--ignore-certificate-errors-spki-list`` with the proxy CA's SPKI,
   ``--disable-checker-imaging`` so frames never show a photo's placeholder, and
   ``--disable-gpu``) and, when running as root, disables Chromium's sandbox;
3. ``ensure_application()`` — only now the ``QApplication``;
4. ``SessionBrowser(...)`` — the workspace with a fresh profile.

``configure_chromium`` refuses to run once a ``QCoreApplication`` exists, because the flags
would silently not apply and the browser would go around the proxy. One capture session
per process therefore: the GUI runs a capture session in a process of its own (the same
path as ``quzheng capture``), or starts the proxy before its ``QApplication`` and keeps it.

Proxy credentials: the proxy admits only clients that know its per-session secret
(``forensics.capture.clientauth``). Chromium cannot take credentials on its command line,
and they must not be there (command lines are world-readable); instead every page of the
session's profile answers Qt WebEngine's ``proxyAuthenticationRequired`` with them —
only for our proxy's host, and only so often (a wrong secret must not loop). Chromium
then keeps them for the profile and sends them with each new connection. Before the
workspace page exists, ``prime_proxy_auth`` loads the proxy's own priming address once, so
the one challenge Chromium needs is met there and not on the officer's first page (where
it would look like another program knocking).

Trust: the proxy CA is trusted only through the SPKI pin on Chromium's command line; it is
never installed in the system or NSS store. Upstream certificates are checked by the proxy
(which records the verdict) — the browser only ever talks to the proxy.

Profile: every session gets a new, empty storage folder (named in the session record, so
the clean-environment check can show that it was empty); the HTTP cache lives in memory
and cookies are never persisted. Nothing from an earlier session can leak in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QPoint,
    QSize,
    Qt,
    QTimer,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtNetwork import QAuthenticator
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineProfileBuilder,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.capture.navlog import NavigationLog
from forensics.canonical import utc_now
from forensics.capture.clientauth import PRIME_HOST
from forensics.childenv import scrub_environ
from forensics.errors import CaptureError

logger = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
# Flags of ours: any earlier value of these is dropped, so nothing can point the browser
# elsewhere or widen what it trusts.
_OWNED_PREFIXES = (
    "--proxy-server",
    "--proxy-bypass-list",
    "--proxy-pac-url",
    "--no-proxy-server",
    "--proxy-auto-detect",
    "--ignore-certificate-errors",
    "--ignore-certificate-errors-spki-list",
    "--user-data-dir",
)
# Chromium asks again after wrong credentials: answer a page's challenges only so often.
MAX_PROXY_AUTH_ANSWERS = 50
PRIME_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class BrowserConfig:
    """What Chromium must know: where the proxy is, whose CA to trust, and (answered when
    the proxy asks, never on the command line) the session's proxy credentials."""

    proxy_url: str
    ca_spki_sha256_b64: str
    disable_gpu: bool = True
    proxy_user: str = ""
    proxy_secret: str = field(default="", repr=False)

    @classmethod
    def from_disclosure(
        cls,
        proxy_url: str,
        disclosure: Mapping[str, object],
        credentials: tuple[str, str] = ("", ""),
    ) -> BrowserConfig:
        spki = disclosure.get("ca_spki_sha256_b64")
        if not isinstance(spki, str) or not spki:
            raise CaptureError(
                "The recording proxy did not disclose its CA; the browser cannot trust it.",
                "取证代理未披露其根证书，浏览器无法信任该代理。",
            )
        return cls(proxy_url, spki, proxy_user=credentials[0], proxy_secret=credentials[1])


class ProxyAuthAnswer:
    """Slot for ``QWebEnginePage.proxyAuthenticationRequired``: the session's credentials,
    for our proxy only. Left unanswered, Qt WebEngine cancels the request."""

    def __init__(self, config: BrowserConfig) -> None:
        self._config = config
        self._host = urlsplit(config.proxy_url).hostname or ""
        self.answered = 0

    def __call__(self, _url: QUrl, authenticator: QAuthenticator, proxy_host: str) -> None:
        host = proxy_host.strip("[]")
        if not self._config.proxy_user or host != self._host:
            logger.warning("proxy credentials asked for by %r: not answered", proxy_host)
            return
        if self.answered >= MAX_PROXY_AUTH_ANSWERS:
            logger.warning("the recording proxy keeps refusing the session's credentials")
            return
        self.answered += 1
        authenticator.setUser(self._config.proxy_user)
        authenticator.setPassword(self._config.proxy_secret)


def answer_proxy_auth(page: QWebEnginePage, config: BrowserConfig) -> ProxyAuthAnswer:
    """Make ``page`` answer the recording proxy's challenge (keep the returned slot)."""
    answer = ProxyAuthAnswer(config)
    page.proxyAuthenticationRequired.connect(answer)
    return answer


def prime_proxy_auth(
    profile: QWebEngineProfile, config: BrowserConfig, timeout_s: float = PRIME_TIMEOUT_S
) -> bool:
    """Authenticate ``profile`` with the proxy on its priming address before any capture
    (runs the event loop until then). True when the proxy accepted the credentials."""
    page = QWebEnginePage(profile)
    answer = answer_proxy_auth(page, config)
    loop = QEventLoop()
    finished: list[bool] = []
    body: list[str] = []

    def text(plain: str) -> None:
        body.append(plain)
        loop.quit()

    def loaded(ok: bool) -> None:
        finished.append(ok)
        page.toPlainText(text)

    page.loadFinished.connect(loaded)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    page.load(QUrl(f"http://{PRIME_HOST}/"))
    loop.exec()
    ok = bool(finished and finished[-1] and answer.answered and body and body[0].strip() == "ok")
    page.triggerAction(QWebEnginePage.WebAction.Stop)
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return ok


def chromium_flags(config: BrowserConfig, *, root: bool | None = None) -> list[str]:
    if not config.proxy_url.startswith("http://127.0.0.1:"):
        raise CaptureError(
            f"The recording proxy must listen on loopback, not {config.proxy_url}.",
            f"取证代理必须监听本机回环地址，而不是 {config.proxy_url}。",
        )
    flags = [
        f"--proxy-server={config.proxy_url}",
        # Chromium sends loopback addresses around any proxy unless told otherwise.
        "--proxy-bypass-list=<-loopback>",
        f"--ignore-certificate-errors-spki-list={config.ca_spki_sha256_b64}",
        # Decode images while rasterising, not afterwards: otherwise a frame can show a
        # placeholder where a photo is (checker-imaging), and a capture would keep it.
        "--disable-checker-imaging",
        # Chromium's own log (D-Bus, GPU fallbacks: noise on a workstation without them);
        # QUZHENG_CHROMIUM_LOG=1 keeps it for diagnosis.
        *([] if os.environ.get("QUZHENG_CHROMIUM_LOG") else ["--log-level=3"]),
    ]
    if config.disable_gpu:
        flags.append("--disable-gpu")
    if _is_root() if root is None else root:
        flags.append("--no-sandbox")  # Chromium refuses to run sandboxed as root
    return flags


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def configure_chromium(
    config: BrowserConfig, environ: MutableMapping[str, str] | None = None
) -> list[str]:
    """Set Chromium's process-wide flags (returns them). Must run before the
    ``QApplication`` exists; raises ``CaptureError`` otherwise."""
    if QCoreApplication.instance() is not None:
        raise CaptureError(
            "The browser must be configured before the Qt application starts (its proxy "
            "settings are fixed when Qt WebEngine starts). Run the capture in a new process.",
            "必须在 Qt 应用启动前配置浏览器（代理设置在 Qt WebEngine 启动时固定）。请在新进程中取证。",
        )
    env = os.environ if environ is None else environ
    updates = chromium_environment(config, env.get(FLAGS_ENV, ""))
    env.update(updates)
    return shlex.split(updates[FLAGS_ENV])


def chromium_environment(
    config: BrowserConfig, current_flags: str = "", *, root: bool | None = None
) -> dict[str, str]:
    """The environment variables ``configure_chromium`` sets. Flags already present are
    kept, except any that would choose another proxy or widen what is trusted."""
    kept = [
        f
        for f in shlex.split(current_flags)
        if not any(f == p or f.startswith(p + "=") for p in _OWNED_PREFIXES)
    ]
    flags = chromium_flags(config, root=root)
    out = {FLAGS_ENV: shlex.join([*kept, *flags])}
    if "--no-sandbox" in flags:
        out["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return out


def _qt_to_logging(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    level = (
        logging.ERROR
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        else logging.DEBUG  # the offscreen platform's and the GL fallback's warnings
    )
    qt_log.log(level, "%s", message)


def quiet_qt_messages() -> None:
    """Headless runs (demo, ``quzheng capture``): Qt's own messages go to the ``qt`` logger
    instead of the officer's terminal; errors still show. Chromium's are kept down by
    ``--log-level`` (see ``chromium_flags``)."""
    qInstallMessageHandler(_qt_to_logging)


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """The process's ``QApplication``, created now if there is none (after the flags)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if app is not None:
        raise CaptureError(
            "A non-GUI Qt application is already running.", "已有非图形界面的 Qt 应用在运行。"
        )
    # Chromium's processes inherit our environment: no secret may be in it (issue #16).
    scrub_environ()
    # Qt WebEngine needs shared GL contexts set before the application exists.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    return QApplication(argv or ["quzheng"])


# -- what the browser asked for -------------------------------------------------------------


class RequestRecorder(QWebEngineUrlRequestInterceptor):
    """Feeds Qt WebEngine's requests into the engine-neutral ``NavigationLog``.

    Called on the GUI thread by Qt WebEngine 6 for each request; it only records (the
    request is never changed or blocked: the proxy, not the browser, is the recorder).
    """

    def __init__(self, log: NavigationLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log = log

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        resource = info.resourceType()
        self.log.record(
            info.requestUrl().toString(),
            bytes(info.requestMethod().data()).decode("ascii", "replace"),
            resource.name.removeprefix("ResourceType"),
            info.navigationType().name.removeprefix("NavigationType"),
            info.firstPartyUrl().toString(),
            main_frame=resource == QWebEngineUrlRequestInfo.ResourceType.ResourceTypeMainFrame,
        )


# -- the page and the workspace -----------------------------------------------------------


class _Page(QWebEnginePage):
    """Opens links meant for new windows in the same view, so the recording sees them."""

    def createWindow(self, type: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        return self

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        lineNumber: int,
        sourceID: str,
    ) -> None:
        logger.debug("page console (%s) %s:%s: %s", level.name, sourceID, lineNumber, message)


class PaintCounter(QObject):
    """Counts repaints of the view's render widget: a new frame from Chromium arrived."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class _PageHolder(QWidget):
    """Holds the view without a layout, so a full-page capture can make the view as tall
    as the page while the workspace (and the screen recording) keeps its size."""

    def __init__(self, view: QWebEngineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        view.setParent(self)
        view.move(0, 0)
        self.detached = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        if not self.detached:
            self.view.resize(event.size())
        super().resizeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(1280, 720)

    def attach(self) -> None:
        self.detached = False
        self.view.resize(self.size())


def make_profile(storage_dir: Path, name: str, parent: QObject | None = None) -> QWebEngineProfile:
    """A profile in a new, empty folder: memory cache, cookies never written to disk."""
    try:
        storage_dir.mkdir(parents=True, exist_ok=False, mode=0o700)
    except FileExistsError:
        if any(storage_dir.iterdir()):
            raise CaptureError(
                f"The browser profile folder {storage_dir} is not empty; a session needs a "
                "fresh profile.",
                f"浏览器配置目录 {storage_dir} 不为空；取证会话需要全新的配置。",
            ) from None
    except OSError as exc:
        raise CaptureError(
            f"Cannot create the browser profile folder {storage_dir}: {exc}",
            f"无法创建浏览器配置目录 {storage_dir}：{exc}",
        ) from exc
    builder = QWebEngineProfileBuilder()
    builder.setPersistentStoragePath(str(storage_dir))
    builder.setCachePath(str(storage_dir / "cache"))
    builder.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    builder.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    builder.setPersistentPermissionsPolicy(
        QWebEngineProfile.PersistentPermissionsPolicy.StoreInMemory
    )
    return builder.createProfile(name, parent)


class SessionBrowser(QWidget):
    """The workspace: a thin chrome (back, forward, reload, address) above the page.

    The screen recorder films this whole widget, so the address is always in the picture.
    Widgets are deliberately plain; the GUI restyles them.
    """

    loaded = Signal(bool)
    refused = Signal(str)  # an address the browser will not open, with the reason (zh / en)

    def __init__(
        self,
        profile_dir: Path,
        *,
        profile_name: str = "quzheng-session",
        now: Callable[[], datetime] = utc_now,
        config: BrowserConfig | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile_dir = profile_dir
        self.setWindowTitle("Quzheng 取证浏览器")
        self.profile = make_profile(profile_dir, profile_name)
        # Before the request log: the priming request is the proxy's, not a page's.
        self.proxy_primed = (
            prime_proxy_auth(self.profile, config)
            if config is not None and config.proxy_user
            else False
        )
        self.navlog = NavigationLog(now)
        self._requests = RequestRecorder(self.navlog, self.profile)
        self.profile.setUrlRequestInterceptor(self._requests)
        self.view = QWebEngineView()
        self.page = _Page(self.profile, self.view)
        self._proxy_auth = answer_proxy_auth(self.page, config) if config is not None else None
        self.view.setPage(self.page)
        self.holder = _PageHolder(self.view)
        self.paints = PaintCounter(self)

        self.back = self._button("←", "后退 Back")
        self.forward = self._button("→", "前进 Forward")
        self.reload = self._button("⟳", "刷新 Reload")
        self.address = QLineEdit(placeholderText="网址 URL")
        self.back.clicked.connect(self.view.back)
        self.forward.clicked.connect(self.view.forward)
        self.reload.clicked.connect(self.view.reload)
        self.address.returnPressed.connect(self._address_entered)
        self.page.urlChanged.connect(self._url_changed)
        self.page.loadFinished.connect(self._load_finished)
        self.page.loadStarted.connect(self._load_started)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 4)
        bar.setSpacing(4)
        for w in (self.back, self.forward, self.reload):
            bar.addWidget(w)
        bar.addWidget(self.address, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.holder, 1)
        self._loading = False
        self.shut_down = False
        self._update_buttons()

    @staticmethod
    def _button(text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        return button

    # -- navigation -----------------------------------------------------------------------

    def navigate(self, text: str) -> None:
        url = QUrl.fromUserInput(text.strip())
        if url.scheme() not in ("http", "https"):
            raise CaptureError(
                f"Only http and https addresses can be captured, not {text!r}.",
                f"只能对 http 和 https 网址取证，而不是 {text!r}。",
            )
        self.view.load(url)

    def _address_entered(self) -> None:
        try:
            self.navigate(self.address.text())
        except CaptureError as exc:
            self.refused.emit(f"{exc.message_zh} / {exc.message_en}")

    def page_url(self) -> str:
        return self.page.url().toString()

    def page_title(self) -> str:
        return self.page.title()

    @property
    def loading(self) -> bool:
        return self._loading

    def _load_started(self) -> None:
        self._loading = True

    def _url_changed(self, url: QUrl) -> None:
        self.address.setText(url.toString())
        self.navlog.note_url(url.toString())
        self._update_buttons()

    def _load_finished(self, ok: bool) -> None:
        self._loading = False
        self.navlog.note_loaded(self.page.url().toString(), self.page.title(), ok)
        self._update_buttons()
        self.loaded.emit(ok)

    def _update_buttons(self) -> None:
        history = self.page.history()
        self.back.setEnabled(history.canGoBack())
        self.forward.setEnabled(history.canGoForward())

    def watch_paints(self) -> None:
        """Count repaints of the view's render widget (full-page capture waits for one)."""
        for child in self.view.findChildren(QWidget):
            child.removeEventFilter(self.paints)
            child.installEventFilter(self.paints)

    def grab_page(self) -> QImage:
        """The page as the renderer last drew it, at the view's size.

        ``QWidget.grab()`` paints the render widget's last *painted* picture, which can lag
        a frame behind what Chromium has already delivered. ``grabFramebuffer()`` first
        renders the render widget's scene, taking in the newest delivered frame.
        """
        render = self.view.findChild(QQuickWidget)
        if render is not None and render.size() == self.view.size():
            image = render.grabFramebuffer()
            if not image.isNull():
                return image
        return self.view.grab().toImage()

    def page_offset(self) -> QPoint:
        """Where the page's top-left corner is inside this workspace widget."""
        return self.view.mapTo(self, QPoint(0, 0))

    def set_enabled_for_capture(self, enabled: bool) -> None:
        """After the proxy died nothing may be loaded any more (it would go unrecorded)."""
        for w in (self.back, self.forward, self.reload, self.address):
            w.setEnabled(enabled)
        if not enabled:
            self.page.triggerAction(QWebEnginePage.WebAction.Stop)
            self.page.setUrl(QUrl("about:blank"))

    # -- teardown -------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Delete the page before its profile (Qt WebEngine requires that order)."""
        if self.shut_down:
            return
        self.shut_down = True
        self.page.triggerAction(QWebEnginePage.WebAction.Stop)
        self.profile.setUrlRequestInterceptor(None)  # type: ignore[arg-type]
        self.view.deleteLater()  # and with it the page, its child
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.profile.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        with contextlib.suppress(RuntimeError):
            self.close()
