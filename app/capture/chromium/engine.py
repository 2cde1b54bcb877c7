"""``ChromiumEngine``: a Chromium-family browser driven over CDP by Playwright, in a thread
of its own.

Playwright's sync API may only be used from the thread that started it, and its calls
block. The engine therefore owns one dedicated thread: ``sync_playwright()`` starts there,
the browser is launched there, and every public method only puts a job on that thread's
queue and returns a ``concurrent.futures.Future`` — a Qt GUI thread never waits on the
browser (connect the future's done callback to a queued signal, or poll it).

Between jobs the thread keeps Playwright's event dispatch running (``wait_for_timeout`` in
short slices), so requests, navigations and screencast frames arrive while nothing else is
asked. The callbacks (``on_request``, ``on_navigation``, a screencast's ``on_frame``) run
on the engine thread: they must be quick and thread-safe (emit a Qt signal, append to a
queue). An exception in a callback is logged and does not stop the engine.

What the engine uses is what Playwright and CDP give: ``launch_persistent_context`` with
``executable_path`` (the browser found by ``discover``, never a downloaded one), page
screenshots (``full_page=True``: CDP's capture beyond the viewport), and a CDP session of
the page for ``Page.captureSnapshot`` (MHTML), ``Page.startScreencast`` and
``Browser.getVersion``.

``close()`` always ends the browser and the thread (idempotent): it closes the context
(which ends the browser), stops Playwright (its driver), then ends any process of the
browser's that is still there.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import psutil

from app.capture.chromium.flags import DEFAULT_WINDOW, ProxyConfig, launch_options
from forensics.atomic import make_private_dir
from forensics.childenv import child_environment
from forensics.errors import CaptureError

if TYPE_CHECKING:
    from playwright.sync_api import (
        BrowserContext,
        CDPSession,
        Frame,
        Page,
        Playwright,
        Request,
    )

logger = logging.getLogger(__name__)

T = TypeVar("T")
WaitUntil = Literal["commit", "domcontentloaded", "load", "networkidle"]

PUMP_MS = 20
"""While idle, the engine thread lets Playwright dispatch events in slices this long."""
CLOSE_TIMEOUT_S = 30.0

MEDIA_TYPES: dict[str, str] = {
    "h264_aac": 'video/mp4; codecs="avc1.640028, mp4a.40.2"',
    "h264": 'video/mp4; codecs="avc1.42E01E"',
    "aac": 'audio/mp4; codecs="mp4a.40.2"',
    "hevc": 'video/mp4; codecs="hvc1.1.6.L93.B0"',
    "vp9": 'video/webm; codecs="vp9"',
    "av1": 'video/mp4; codecs="av01.0.05M.08"',
    "opus": 'audio/webm; codecs="opus"',
    "mp3": "audio/mpeg",
    "hls": "application/vnd.apple.mpegurl",
}
"""What ``probe_media`` asks about: name → MIME type with codecs."""

_PROBE_JS = """(types) => {
  const out = {};
  const video = document.createElement('video');
  for (const [name, type] of Object.entries(types)) {
    out[name] = {
      type,
      mse: typeof MediaSource !== 'undefined' ? MediaSource.isTypeSupported(type) : null,
      element: video.canPlayType(type),
    };
  }
  return out;
}"""


MAX_TALL_VIEWPORT = 100_000
"""A full-page capture lays the page out on a viewport at most this tall."""
_VIEW_JS = """(() => { const d = document.documentElement, b = document.body;
  return { width: window.innerWidth, x: window.scrollX, y: window.scrollY,
    page_height: Math.max(d ? d.scrollHeight : 0, b ? b.scrollHeight : 0,
                          d ? d.offsetHeight : 0, window.innerHeight) }; })()"""
_PENDING_IMAGES_JS = "Array.from(document.images).filter((i) => !i.complete).length"
_TWO_FRAMES_JS = """new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""


@dataclass(frozen=True)
class EngineConfig:
    """How to start the capture browser."""

    executable_path: str
    headless: bool = True
    window: tuple[int, int] = DEFAULT_WINDOW
    profile_dir: Path | None = None
    """A new or empty folder for the browser profile; None: a temporary one, removed on
    close. A given folder is kept (the session record names it)."""
    proxy: ProxyConfig | None = None
    ca_spki_sha256_b64: str | None = None
    prime_url: str | None = None
    """Loaded once after launch (the proxy's priming address, ``PRIME_HOST``): the proxy's
    first challenge is met there, not on the first captured page."""
    root: bool | None = None
    disable_gpu: bool = False
    extra_flags: tuple[str, ...] = ()
    launch_timeout_s: float = 60.0
    sound_env: tuple[tuple[str, str], ...] = ()
    """Where the browser plays its sound (``app.capture.sound``: a private sink the
    recorder captures); empty: the browser's sound is not captured (muted when headless)."""


@dataclass(frozen=True)
class RequestEvent:
    url: str
    method: str
    resource_type: str  # Playwright's: document, script, image, media, xhr, fetch...
    time: float  # wall clock (time.time()) when the engine saw it
    navigation: bool  # a navigation request (document)
    main_frame: bool  # issued by the page's main frame


@dataclass(frozen=True)
class NavigationEvent:
    url: str
    time: float  # wall clock when the main frame committed the navigation


@dataclass(frozen=True)
class NavigationResult:
    url: str  # where the page is now (after redirects)
    status: int | None  # the main resource's HTTP status, None without a response
    title: str = ""


@dataclass(frozen=True)
class PageState:
    url: str
    title: str


@dataclass(frozen=True)
class BrowserVersion:
    product: str  # "Chrome/156.0.8078.129" ("HeadlessChrome/…" when headless)
    protocol: str
    user_agent: str
    js_version: str

    @property
    def version(self) -> str:
        return self.product.partition("/")[2]


@dataclass(frozen=True)
class ScreencastFrame:
    data: bytes  # one JPEG
    timestamp: float | None  # CDP metadata.timestamp (seconds since the epoch), if given
    received: float  # time.time() when the engine got it
    metadata: dict[str, Any] = field(default_factory=dict)


RequestCallback = Callable[[RequestEvent], None]
NavigationCallback = Callable[[NavigationEvent], None]
FrameCallback = Callable[[ScreencastFrame], None]


@dataclass
class _Job:
    name: str
    run: Callable[[], Any]
    future: Future[Any]


_STOP = object()


class ChromiumEngine:
    """The capture browser. Every method but ``close`` returns a Future; ``close`` too
    returns one (it resolves when the browser and the thread are gone)."""

    def __init__(
        self,
        config: EngineConfig,
        *,
        on_request: RequestCallback | None = None,
        on_navigation: NavigationCallback | None = None,
    ) -> None:
        self.config = config
        self._on_request = on_request
        self._on_navigation = on_navigation
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed: Future[None] | None = None
        self._started = False
        # Touched only on the engine thread:
        self._pw: Playwright | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._cdp: CDPSession | None = None
        self._screencast: Callable[[Any], None] | None = None
        self._screencast_params: dict[str, Any] = {}
        self._profile: Path | None = None
        self._own_profile = False
        self._browser_pid: int | None = None

    # ------------------------------------------------------------------ public API

    @property
    def profile_dir(self) -> Path | None:
        """The profile folder in use (set once ``start`` ran)."""
        return self._profile

    @property
    def browser_pid(self) -> int | None:
        """The browser's main process (once started), as far as it could be found."""
        return self._browser_pid

    def start(self) -> Future[BrowserVersion]:
        """Launch the browser (once); resolves to its version."""
        with self._lock:
            if self._started or self._closed is not None:
                return _failed(CaptureError("The browser was started already.", "浏览器已启动过。"))
            self._started = True
            self._thread = threading.Thread(target=self._main, name="quzheng-chromium", daemon=True)
            future = self._submit_locked("start", self._do_start)
            self._thread.start()
            return future

    def navigate(
        self, url: str, *, wait_until: WaitUntil = "load", timeout_s: float = 60.0
    ) -> Future[NavigationResult]:
        def run() -> NavigationResult:
            page = self._need_page()
            response = page.goto(url, wait_until=wait_until, timeout=timeout_s * 1000)
            return NavigationResult(page.url, response.status if response else None, page.title())

        return self._submit("navigate", run)

    def page_state(self) -> Future[PageState]:
        def run() -> PageState:
            page = self._need_page()
            return PageState(page.url, page.title())

        return self._submit("page state", run)

    def evaluate(self, expression: str, arg: Any = None) -> Future[Any]:
        """``page.evaluate`` in the page (the page's own world: its scripts can interfere)."""
        return self._submit("evaluate", lambda: self._need_page().evaluate(expression, arg))

    def navigation_entry(self) -> Future[dict[str, Any]]:
        """The main frame's current history entry (CDP ``Page.getNavigationHistory``): its
        ``url`` and ``transitionType`` — how the officer got there ("typed", "link",
        "form_submit", "reload", "auto_bookmark", …)."""

        def run() -> dict[str, Any]:
            history = self._need_cdp().send("Page.getNavigationHistory")
            entries = history.get("entries") or []
            index = int(history.get("currentIndex", -1))
            return dict(entries[index]) if 0 <= index < len(entries) else {}

        return self._submit("navigation history", run)

    def evaluate_isolated(self, expression: str) -> Future[Any]:
        """Evaluate ``expression`` (a JavaScript expression; objects come back by value) in
        an isolated world of the main frame (CDP ``Page.createIsolatedWorld``): it sees
        the page's DOM, but the page's scripts never see its variables, and it sees none
        of theirs — a page cannot change what the tool reads by redefining functions."""

        def run() -> Any:
            cdp = self._need_cdp()
            tree = cdp.send("Page.getFrameTree")
            frame_id = tree["frameTree"]["frame"]["id"]
            world = cdp.send(
                "Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "quzheng"}
            )
            result = cdp.send(
                "Runtime.evaluate",
                {
                    "expression": expression,
                    "contextId": world["executionContextId"],
                    "returnByValue": True,
                    "awaitPromise": True,
                },
            )
            if "exceptionDetails" in result:
                detail = result["exceptionDetails"]
                text = str(detail.get("exception", {}).get("description") or detail.get("text"))
                raise CaptureError(
                    f"A script in the page failed: {text[:300]}",
                    f"页面中的脚本执行失败：{text[:300]}",
                )
            return result.get("result", {}).get("value")

        return self._submit("evaluate", run)

    def screenshot(self, *, timeout_s: float = 30.0) -> Future[bytes]:
        """PNG of the viewport."""
        return self._submit(
            "screenshot",
            lambda: self._need_page().screenshot(type="png", timeout=timeout_s * 1000),
        )

    def full_page(self, *, timeout_s: float = 120.0) -> Future[bytes]:
        """PNG of the whole page (Playwright's ``full_page``: CDP capture beyond the
        viewport)."""
        return self._submit(
            "full-page screenshot",
            lambda: self._need_page().screenshot(
                type="png", full_page=True, timeout=timeout_s * 1000
            ),
        )

    def screenshot_area(
        self, x: float, y: float, width: float, height: float, *, timeout_s: float = 30.0
    ) -> Future[bytes]:
        """PNG of an area of the viewport (CSS pixels from its top-left corner)."""
        clip: Any = {"x": x, "y": y, "width": width, "height": height}
        return self._submit(
            "area screenshot",
            lambda: self._need_page().screenshot(type="png", clip=clip, timeout=timeout_s * 1000),
        )

    def full_page_loaded(self, *, load_wait_s: float = 8.0) -> Future[tuple[bytes, dict[str, Any]]]:
        """PNG of the whole page as it is when everything in it has loaded.

        Pages load pictures only near the viewport (``loading="lazy"``, scripts watching
        the scroll position), and a capture beyond the viewport does not scroll: so the
        viewport is first made as tall as the page (CDP ``Emulation.
        setDeviceMetricsOverride``; the page lays out as on a very tall screen, as the Qt
        engine's resized view did), the pictures are waited for (until every ``<img>`` is
        complete, or ``load_wait_s``), the height is measured again (it may grow as
        pictures arrive), then the page is captured beyond the viewport and the viewport
        and scroll position are put back. Returns the PNG and what was waited for.
        """

        def run() -> tuple[bytes, dict[str, Any]]:
            page, cdp = self._need_page(), self._need_cdp()
            original = page.viewport_size
            before = page.evaluate(_VIEW_JS)
            width = int(before["width"])
            started = time.monotonic()
            deadline = started + load_wait_s
            height = int(before["page_height"])
            pending = 0
            rounds = 0
            # The screencast pauses meanwhile: frames of a page laid out 24,000 px tall are
            # not a screen, and encoding them would slow the capture down.
            paused = self._screencast is not None
            if paused:
                cdp.send("Page.stopScreencast")
            try:
                while rounds < 4:
                    rounds += 1
                    tall = max(1, min(height, MAX_TALL_VIEWPORT))
                    # An override of this CDP session's own (at once; Playwright's own
                    # viewport call waits for the resize to settle, about a second here).
                    cdp.send(
                        "Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": tall, "deviceScaleFactor": 0, "mobile": False},
                    )
                    pending = self._wait_images(page, deadline)
                    grown = int(page.evaluate(_VIEW_JS)["page_height"])
                    if grown == height:
                        break
                    height = grown
                waited_ms = int((time.monotonic() - started) * 1000)
                # The viewport is the page now: one CDP capture of it, beyond the viewport
                # should the page have grown since.
                shot = cdp.send(
                    "Page.captureScreenshot",
                    {
                        "format": "png",
                        # Lossless still; encoded for speed rather than size.
                        "optimizeForSpeed": True,
                        "captureBeyondViewport": True,
                        "fromSurface": True,
                        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                    },
                )
                png = base64.b64decode(shot["data"])
            finally:
                with contextlib.suppress(Exception):
                    if original is not None:  # back to Playwright's viewport (headless)
                        cdp.send(
                            "Emulation.setDeviceMetricsOverride",
                            {"width": original["width"], "height": original["height"],
                             "deviceScaleFactor": 0, "mobile": False},
                        )  # fmt: skip
                    else:  # a headed window sizes its own page again
                        cdp.send("Emulation.clearDeviceMetricsOverride")
                    page.evaluate("([x, y]) => window.scrollTo(x, y)", [before["x"], before["y"]])
                if paused and self._screencast is not None:
                    with contextlib.suppress(Exception):
                        cdp.send("Page.startScreencast", self._screencast_params)
            return png, {
                "height": height,
                "not_loaded": pending,
                "wait_ms": waited_ms,
                "rounds": rounds,
            }

        return self._submit("full-page screenshot", run)

    def _wait_images(self, page: Page, deadline: float) -> int:
        """Wait (letting the browser run) until every picture of the page has loaded or
        ``deadline``; then two animation frames. Returns how many were still loading."""
        pending = 0
        # First let the page lay out at its new size: scripts that load pictures as they
        # come into view (IntersectionObserver, scroll handlers) set their sources only then,
        # and a picture without a source yet counts as complete.
        page.evaluate(_TWO_FRAMES_JS)
        while True:
            pending = int(page.evaluate(_PENDING_IMAGES_JS))
            if pending == 0 or time.monotonic() >= deadline:
                break
            page.wait_for_timeout(50)
        page.evaluate(_TWO_FRAMES_JS)
        return pending

    def mhtml(self) -> Future[bytes]:
        """The page as one MHTML document (CDP ``Page.captureSnapshot``)."""

        def run() -> bytes:
            result = self._need_cdp().send("Page.captureSnapshot", {"format": "mhtml"})
            return str(result["data"]).encode("utf-8")

        return self._submit("MHTML snapshot", run)

    def probe_media(self) -> Future[dict[str, dict[str, Any]]]:
        """What the browser can play: for each of ``MEDIA_TYPES``, ``mse``
        (``MediaSource.isTypeSupported``) and ``element`` (``canPlayType``: "", "maybe"
        or "probably"). Asked in a blank page of its own, where no site's script can
        change the answer."""

        def run() -> dict[str, dict[str, Any]]:
            context = self._need_context()
            page = context.new_page()
            try:
                result: dict[str, dict[str, Any]] = page.evaluate(_PROBE_JS, MEDIA_TYPES)
                return result
            finally:
                page.close()

        return self._submit("media probe", run)

    def version(self) -> Future[BrowserVersion]:
        return self._submit("version", self._version)

    def start_screencast(
        self,
        on_frame: FrameCallback,
        *,
        quality: int = 80,
        max_size: tuple[int, int] | None = None,
        every_nth_frame: int = 1,
    ) -> Future[None]:
        """Deliver each JPEG frame Chromium paints (CDP ``Page.startScreencast``) to
        ``on_frame``, on the engine thread; every frame is acknowledged, or Chromium would
        stop sending. Chromium sends a frame when the page's pixels change, not at a
        fixed rate."""

        def run() -> None:
            cdp = self._need_cdp()
            if self._screencast is not None:
                raise CaptureError("A screencast is running already.", "录屏已在进行中。")

            def frame(params: Any) -> None:
                received = time.time()
                with contextlib.suppress(Exception):  # the session may be gone at close
                    cdp.send("Page.screencastFrameAck", {"sessionId": params["sessionId"]})
                meta = dict(params.get("metadata") or {})
                stamp = meta.get("timestamp")
                shot = ScreencastFrame(
                    base64.b64decode(params["data"]),
                    float(stamp) if isinstance(stamp, int | float) else None,
                    received,
                    meta,
                )
                _call(on_frame, shot)

            cdp.on("Page.screencastFrame", frame)
            self._screencast = frame
            params: dict[str, Any] = {
                "format": "jpeg",
                "quality": quality,
                "everyNthFrame": every_nth_frame,
            }
            if max_size is not None:
                params["maxWidth"], params["maxHeight"] = max_size
            self._screencast_params = params
            try:
                cdp.send("Page.startScreencast", params)
            except BaseException:
                cdp.remove_listener("Page.screencastFrame", frame)
                self._screencast = None
                raise

        return self._submit("start screencast", run)

    def stop_screencast(self) -> Future[None]:
        return self._submit("stop screencast", self._stop_screencast)

    def subscribe(
        self, event: str, callback: Callable[[dict[str, Any]], None], *, enable: str = ""
    ) -> Future[None]:
        """Call ``callback(params)`` (on the engine thread) for each CDP ``event`` of the
        page's session (e.g. ``"Media.playerErrorsRaised"``); ``enable`` names a domain
        method to call first (e.g. ``"Media.enable"``). Passive: nothing in the page
        changes."""

        def run() -> None:
            cdp = self._need_cdp()
            cdp.on(event, lambda params: _call(callback, dict(params or {})))
            if enable:
                cdp.send(enable)

        return self._submit(f"subscribe {event}", run)

    def close(self) -> Future[None]:
        """End the browser and the engine thread (idempotent; never blocks)."""
        with self._lock:
            if self._closed is not None:
                return self._closed
            self._closed = Future()
            self._closed.set_running_or_notify_cancel()
            if self._thread is None:
                self._closed.set_result(None)
            else:
                self._jobs.put(_STOP)
            return self._closed

    # ------------------------------------------------------------------ plumbing

    def _submit(self, name: str, run: Callable[[], T]) -> Future[T]:
        with self._lock:
            if not self._started or self._closed is not None:
                return _failed(
                    CaptureError(
                        f"The browser is not running ({name}).", f"浏览器未在运行（{name}）。"
                    )
                )
            return self._submit_locked(name, run)

    def _submit_locked(self, name: str, run: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put(_Job(name, run, future))
        return future

    def _main(self) -> None:
        try:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
        except BaseException as exc:
            logger.exception("Playwright did not start")
            self._drain(exc)
            self._finish()
            return
        try:
            while True:
                job = self._next_job()
                if job is _STOP:
                    break
                assert isinstance(job, _Job)
                self._run(job)
        finally:
            self._shutdown()
            self._drain(None)
            self._finish()

    def _next_job(self) -> _Job | object:
        if self._page is None:
            return self._jobs.get()
        while True:
            with contextlib.suppress(queue.Empty):
                return self._jobs.get_nowait()
            try:
                # Lets Playwright dispatch what the browser sent meanwhile.
                self._page.wait_for_timeout(PUMP_MS)
            except Exception:  # the page is gone (a crash, the window closed)
                time.sleep(PUMP_MS / 1000)

    def _run(self, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            result = job.run()
        except CaptureError as exc:
            job.future.set_exception(exc)
        except Exception as exc:
            error = CaptureError(
                f"The browser could not do this ({job.name}): {exc}",
                f"浏览器未能完成操作（{job.name}）：{exc}",
            )
            error.__cause__ = exc
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    def _drain(self, exc: BaseException | None) -> None:
        """Fail every job still queued (the engine is gone)."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(job, _Job) and job.future.set_running_or_notify_cancel():
                error = CaptureError(
                    f"The browser was closed ({job.name}).", f"浏览器已关闭（{job.name}）。"
                )
                if exc is not None:
                    error.__cause__ = exc
                job.future.set_exception(error)

    def _finish(self) -> None:
        with self._lock:
            if self._closed is None:  # the thread ended without close() (start failed)
                self._closed = Future()
                self._closed.set_running_or_notify_cancel()
            closed = self._closed
        if not closed.done():
            closed.set_result(None)

    def _need_context(self) -> BrowserContext:
        if self._context is None:
            raise CaptureError("The browser is not running.", "浏览器未在运行。")
        return self._context

    def _need_page(self) -> Page:
        if self._page is None or self._page.is_closed():
            raise CaptureError("The browser has no page open.", "浏览器没有打开的页面。")
        return self._page

    def _need_cdp(self) -> CDPSession:
        if self._cdp is None:
            raise CaptureError("The browser is not running.", "浏览器未在运行。")
        return self._cdp

    # ------------------------------------------------------------------ on the thread

    def _do_start(self) -> BrowserVersion:
        assert self._pw is not None
        cfg = self.config
        self._profile = self._prepare_profile(cfg.profile_dir)
        options = launch_options(
            executable_path=cfg.executable_path,
            headless=cfg.headless,
            window=cfg.window,
            proxy=cfg.proxy,
            ca_spki_sha256_b64=cfg.ca_spki_sha256_b64,
            root=cfg.root,
            disable_gpu=cfg.disable_gpu,
            extra=cfg.extra_flags,
            timeout_ms=cfg.launch_timeout_s * 1000,
            sound=bool(cfg.sound_env),
        )
        # The browser's processes render hostile pages: no secret of ours in their
        # environment.
        env = {**child_environment(), **dict(cfg.sound_env)}
        # Chromium puts its single-instance socket in TMPDIR; a Unix socket's path is at most
        # 107 bytes, so a long TMPDIR stops the browser from starting at all.
        if os.name == "posix" and len(env.get("TMPDIR") or tempfile.gettempdir()) > 60:
            env["TMPDIR"] = "/tmp"
        options["env"] = env
        try:
            context = self._pw.chromium.launch_persistent_context(str(self._profile), **options)
        except Exception as exc:
            raise CaptureError(
                f"The browser {cfg.executable_path} did not start: {exc}",
                f"浏览器 {cfg.executable_path} 未能启动：{exc}",
            ) from exc
        self._context = context
        self._browser_pid = self._find_browser_pid()
        context.on("request", self._request)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("framenavigated", self._frame_navigated)
        self._page = page
        self._cdp = context.new_cdp_session(page)
        if cfg.prime_url:
            self._prime(page, cfg.prime_url)
        return self._version()

    def _prepare_profile(self, wanted: Path | None) -> Path:
        if wanted is None:
            self._own_profile = True
            return Path(tempfile.mkdtemp(prefix="quzheng-browser-profile-"))
        make_private_dir(wanted)
        if any(wanted.iterdir()):
            raise CaptureError(
                f"The browser profile folder {wanted} is not empty; every session needs a "
                "new, empty profile.",
                f"浏览器配置文件夹 {wanted} 不是空的；每次取证都需要一个新的空配置文件夹。",
            )
        return wanted

    def _prime(self, page: Page, url: str) -> None:
        response = page.goto(url, wait_until="load", timeout=20_000)
        body = response.text().strip() if response is not None else ""
        if response is None or response.status != 200 or body != "ok":
            raise CaptureError(
                "The recording proxy did not accept the browser's credentials.",
                "取证代理未接受浏览器的凭据。",
            )
        page.goto("about:blank")

    def _version(self) -> BrowserVersion:
        v = self._need_cdp().send("Browser.getVersion")
        return BrowserVersion(
            str(v.get("product", "")),
            str(v.get("protocolVersion", "")),
            str(v.get("userAgent", "")),
            str(v.get("jsVersion", "")),
        )

    def _stop_screencast(self) -> None:
        frame, self._screencast = self._screencast, None
        if frame is None or self._cdp is None:
            return
        try:
            self._cdp.send("Page.stopScreencast")
        finally:
            self._cdp.remove_listener("Page.screencastFrame", frame)

    def _request(self, request: Request) -> None:
        if self._on_request is None:
            return
        main = False
        page = self._page
        with contextlib.suppress(Exception):  # service-worker requests have no frame
            main = page is not None and request.frame == page.main_frame
        event = RequestEvent(
            request.url,
            request.method,
            request.resource_type,
            time.time(),
            request.is_navigation_request(),
            main,
        )
        _call(self._on_request, event)

    def _frame_navigated(self, frame: Frame) -> None:
        if self._on_navigation is None or frame.parent_frame is not None:
            return
        _call(self._on_navigation, NavigationEvent(frame.url, time.time()))

    def _find_browser_pid(self) -> int | None:
        """The browser process: a descendant of ours whose command line names the profile
        (Debian's ``/usr/bin/chromium`` is a shell script that execs the real binary)."""
        marker = f"--user-data-dir={self._profile}"
        with contextlib.suppress(psutil.Error):
            for proc in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if marker in proc.cmdline():
                        return proc.pid
        return None

    def _browser_processes(self) -> list[psutil.Process]:
        if self._browser_pid is None:
            return []
        try:
            main = psutil.Process(self._browser_pid)
            return [main, *main.children(recursive=True)]
        except psutil.Error:
            return []

    def _shutdown(self) -> None:
        leftovers = self._browser_processes()
        if self._screencast is not None:
            with contextlib.suppress(Exception):
                self._stop_screencast()
        if self._context is not None:
            try:
                self._context.close()
            except Exception:
                logger.warning("the browser did not close cleanly", exc_info=True)
        self._context = self._page = self._cdp = None
        if self._pw is not None:
            try:
                self._pw.stop()
            except Exception:
                logger.warning("Playwright did not stop cleanly", exc_info=True)
            self._pw = None
        _end_processes(leftovers)
        if self._own_profile and self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)


def _end_processes(procs: list[psutil.Process], grace_s: float = 3.0) -> None:
    """End what is left of the browser: a moment to go by itself, then SIGTERM, SIGKILL."""
    alive = [p for p in procs if _running(p)]
    if alive:
        _gone, alive = psutil.wait_procs(alive, timeout=grace_s)
        alive = [p for p in alive if _running(p)]
    if not alive:
        return
    logger.warning("ending %d browser process(es) left after close", len(alive))
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _gone, still = psutil.wait_procs(alive, timeout=grace_s)
    for p in still:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(still, timeout=grace_s)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _call[E](callback: Callable[[E], None], event: E) -> None:
    try:
        callback(event)
    except Exception:
        logger.exception("a browser event callback failed")


def _failed(exc: BaseException) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()
    future.set_exception(exc)
    return future
