"""The officer's capture actions: viewport screenshot, full page, page snapshot.

Each action fixes what is on screen on the GUI thread (a grab, a script result, the MHTML
the engine writes), then does the slow part off it (PNG encoding, asking the traffic index
for the server, hashing and sealing) and reports an ``Outcome[CaptureResult]`` back on the
GUI thread. Every action seals exactly one ledger entry with all of its files, or nothing:
files go durably into the blob store first, then one entry names them all.

Every entry's ``data`` says where the picture came from (REQUIREMENTS §A3): the page URL and
title, when it was captured, the navigation steps of this session up to that moment, the
server IP(s) and TLS certificate of the page's host as the sealed traffic recorded them
(with the WARC segments that hold that response), and the logged-in account if the officer
marked one (``null`` when none was marked).

Full page: the view is made as tall as the page and grabbed whole (no scroll-and-stitch,
which repeats fixed headers). Chromium renders nothing beyond about 86,000 px, so pages
taller than ``max_part_px`` are captured in parts, each a viewport of that height scrolled
down the page; the entry lists each part's offset. Before grabbing, the action waits until
the page has settled at its new size — scripts have seen the new viewport (lazy images
start loading then), images, fonts and the document are loaded, the page has made no new
request for ``QUIET_S`` — and until three animation frames have run after that, so the
settled page has been rasterised and drawn, and then grabs until two grabs in a row are
identical (bounded by ``LOAD_WAIT_MS``, ``DRAW_WAIT_S`` and ``STABLE_TRIES``; the entry
records each wait, and whether it ran out).
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest

from app.capture.browser import SessionBrowser
from app.capture.live import PLAYERS_JS, live_facts, parse_players
from app.capture.png import encode_rgb
from app.capture.sealer import Item, Sealer
from app.capture.steps import Background, Js, Poll, Sleep, Steps, drive
from app.capture.tasks import Outcome
from forensics.canonical import format_time, utc_now
from forensics.errors import CaptureError
from forensics.ledger import Record

MAX_PART_PX = 80_000
SETTLE_TIMEOUT_MS = 150
LOAD_WAIT_MS = 15_000
DRAW_WAIT_S = 15.0
STABLE_GAP_MS = 150
STABLE_TRIES = 6
READY_POLL_MS = 50
# Encodes each full-page grab while the action waits to confirm it (``_stable_grab``).
_ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png-grab")
QUIET_S = 0.5

# What is still loading: images not complete, or complete but not yet decoded (Chromium
# decodes images apart from raster and may draw a frame before a large photo is ready, so
# each loaded image is asked to decode() and counted until it has), fonts, the document.
# Runs in the isolated world: the bookkeeping on the elements is invisible to the page.
_READY_JS = """(() => {
  let pending = 0;
  for (const img of document.images) {
    if (!img.complete) { pending++; continue; }
    if (img.__quzhengDecoded === undefined) {
      if (!img.naturalWidth) { img.__quzhengDecoded = true; continue; }  // broken or empty
      img.__quzhengDecoded = false;
      img.decode().then(() => { img.__quzhengDecoded = true; },
                        () => { img.__quzhengDecoded = true; });
    }
    if (img.__quzhengDecoded === false) pending++;
  }
  if (document.fonts && document.fonts.status !== 'loaded') pending++;
  if (document.readyState !== 'complete') pending++;
  return pending;
})()"""
# Sets a flag after n animation frames. With n = 3 the flag is set only once the first
# frame's layer tree has been rasterised and activated (the third frame begins after the
# second frame's commit, which waits for that activation), so whatever the page showed at
# the first frame has been drawn; two frames would not guarantee it. On a tall page this
# wait is Chromium's software raster (about 2 s for 24,000 px on the reference machine).
_RAF_JS = """((n) => { window.__quzhengFrames = 0;
  const step = (left) => requestAnimationFrame(() => {
    if (left > 1) step(left - 1); else window.__quzhengFrames = 1; });
  step(n); return 1; })(%d)"""
# Objects do not survive runJavaScript's conversion: pass them as JSON text.
_METRICS_JS = """(() => { const d = document.documentElement, b = document.body;
  return JSON.stringify({height: Math.max(d.scrollHeight, b ? b.scrollHeight : 0, d.offsetHeight),
          x: window.scrollX, y: window.scrollY}); })()"""
_DOM_JS = """(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')
  + document.documentElement.outerHTML"""


@dataclass
class ActionContext:
    """What an action needs from its session."""

    browser: SessionBrowser
    sealer: Sealer
    work_dir: Path
    # Blocking (run off the GUI thread): server IPs and certificate of a URL's host.
    server_info: Callable[[str], dict[str, Any]]
    # Raises CaptureError when the session can no longer capture (e.g. the proxy died).
    check_alive: Callable[[], None]
    logged_in_account: Callable[[], str | None] = lambda: None
    now: Callable[[], datetime] = utc_now
    # The case target the officers declared (platform, room, anchor account): see ``live``.
    live_target: Mapping[str, str] = field(default_factory=dict)
    max_part_px: int = MAX_PART_PX
    settle_timeout_ms: int = SETTLE_TIMEOUT_MS
    on_sealed: Callable[[Record], None] = lambda _record: None


@dataclass(frozen=True)
class CaptureResult:
    kind: str
    record: Record
    items: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        names = ", ".join(str(i["path"]) for i in self.items)
        label = {
            "capture.screenshot": ("screenshot", "截图"),
            "capture.fullpage": ("full page", "整页截图"),
            "capture.snapshot": ("page snapshot", "网页快照"),
        }.get(self.kind, (self.kind, self.kind))
        if lang.startswith("zh"):
            return f"#{self.record.seq} {label[1]}：{names}"
        return f"#{self.record.seq} {label[0]}: {names}"


def encode_png(image: QImage) -> bytes:
    """PNG bytes of ``image`` (safe off the GUI thread: QImage, not QPixmap), deflated on
    every core (``app.capture.png``). Opaque RGB: a web page has no transparency, and
    dropping alpha keeps the files small."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    if rgb.isNull() or rgb.width() == 0 or rgb.height() == 0:
        raise CaptureError("The picture is empty.", "图片为空。")
    return encode_rgb(rgb.constBits(), rgb.width(), rgb.height(), rgb.bytesPerLine())


def page_facts(ctx: ActionContext) -> dict[str, Any]:
    page = ctx.browser.page
    view = ctx.browser.view
    url = page.url().toString()
    if not url.startswith(("http://", "https://")):
        raise CaptureError(
            f"There is no web page to capture (the view shows {url or 'nothing'}).",
            f"当前没有可取证的网页（视图显示 {url or '空白'}）。",
        )
    return {
        "url": url,
        "requested_url": page.requestedUrl().toString(),
        "title": page.title(),
        "captured_at": format_time(ctx.now()),
        "viewport": {"width": view.width(), "height": view.height()},
        "zoom_percent": round(page.zoomFactor() * 100),
        "navigation": ctx.browser.navlog.steps_copy(),
        "logged_in_account": ctx.logged_in_account(),
    }


def live_step(ctx: ActionContext, facts: dict[str, Any]) -> Steps:
    """Add the ``live`` block (platform, room, anchor, stream URLs, players) when the page
    plays or the session requested a stream (``app.capture.live``)."""
    players = parse_players((yield Js(PLAYERS_JS)))
    streams = ctx.browser.navlog.streams.urls()
    live = live_facts(ctx.live_target, str(facts["url"]), streams, players)
    if live is not None:
        facts["live"] = live


def _finish(ctx: ActionContext, kind: str, record: Record) -> CaptureResult:
    ctx.on_sealed(record)
    return CaptureResult(kind, record, list(record.entry["items"]))


def _seal(
    ctx: ActionContext, kind: str, facts: dict[str, Any], items: Callable[[], list[Item]]
) -> Callable[[], Record]:
    """The background half of every action: look up the server (the traffic behind the
    picture is sealed first), then make the files (``items``: PNGs may still be encoding
    meanwhile) and seal."""

    def job() -> Record:
        data = dict(facts)
        data["server"] = ctx.server_info(str(facts["url"]))
        return ctx.sealer.seal_items(kind, data, items()).result()

    return job


# -- viewport screenshot ------------------------------------------------------------------


def screenshot_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = page_facts(ctx)
    image = ctx.browser.grab_page()  # what is on screen, now
    facts["image"] = {"width": image.width(), "height": image.height(), "format": "png"}
    yield from live_step(ctx, facts)

    png = _ENCODER.submit(encode_png, image)

    def files() -> list[Item]:
        return [Item("screenshot.png", "image/png", data=png.result())]

    def job() -> Record:
        return _seal(ctx, "capture.screenshot", facts, files)()

    record = yield Background(job)
    return _finish(ctx, "capture.screenshot", record)


def take_screenshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(screenshot_steps(ctx), ctx.browser.page, on_done)


# -- full page ----------------------------------------------------------------------------


def _wait_frames(deadline: float, frames: int = 3) -> Steps:
    """Let ``frames`` animation frames run (see ``_RAF_JS``)."""
    yield Js(_RAF_JS % frames)
    while time.monotonic() < deadline:
        if (yield Js("window.__quzhengFrames === 1")):
            return True
        yield Sleep(20)
    return False


def _wait_viewport(height_css: int, deadline: float) -> Steps:
    """The view's new size reaches the renderer asynchronously: wait until the page itself
    sees a viewport of ``height_css`` CSS pixels (or the deadline passes)."""
    while time.monotonic() < deadline:
        inner = yield Js("window.innerHeight")
        if isinstance(inner, int | float) and inner >= height_css - 1:
            return True
        yield Sleep(20)
    return False


def _wait_ready(ctx: ActionContext, load_deadline: float) -> Steps:
    """Wait until the page has settled at its new size: frames run (so scripts see the new
    viewport and start lazy loads); then, until ``load_deadline``, images loaded and
    decoded, fonts and the document loaded, and no new request for ``QUIET_S`` (counted
    from the resize at the earliest); then frames
    again, so the settled page is rasterised and drawn — with a budget of its own
    (``DRAW_WAIT_S``): a slow load must not cut the drawing short.

    Returns (how many images, fonts or documents were still loading, whether drawn)."""
    resized_at = time.monotonic()
    yield from _wait_frames(resized_at + DRAW_WAIT_S, 2)  # the new size laid out
    pending = 1
    navlog = ctx.browser.navlog
    while time.monotonic() < load_deadline:
        pending = int((yield Js(_READY_JS)) or 0)
        # Quiet counts from the resize too: lazy loaders often wait for the resize or
        # scroll event to settle (a debounce) before they ask for anything.
        quiet = time.monotonic() - max(navlog.last_request, resized_at)
        if pending == 0 and quiet >= QUIET_S:
            break
        yield Sleep(READY_POLL_MS)
    drawn = yield from _wait_frames(time.monotonic() + DRAW_WAIT_S)
    return pending, bool(drawn)


def _stable_grab(browser: SessionBrowser, crop: Callable[[QImage], QImage]) -> Steps:
    """Grab until two grabs ``STABLE_GAP_MS`` apart are identical (at most ``STABLE_TRIES``
    more grabs): parts of a tall page outside the on-screen area may be rasterised after
    the rest. Returns (the last grab cropped, whether it was stable, its PNG being encoded):
    each grab's PNG starts at once on another thread, so the wait for the next grab hides
    the encoding. A page that animates never becomes stable; the entry then says so."""
    image = crop(browser.grab_page())
    png = _ENCODER.submit(encode_png, image)
    for _ in range(STABLE_TRIES):
        yield Sleep(STABLE_GAP_MS)
        again = crop(browser.grab_page())
        if again == image:
            return image, True, png
        png.cancel()
        image, png = again, _ENCODER.submit(encode_png, again)
    return image, False, png


def _painted_since(browser: SessionBrowser) -> Callable[[], bool]:
    before = browser.paints.count
    return lambda: browser.paints.count > before


def full_page_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = page_facts(ctx)
    yield from live_step(ctx, facts)
    browser = ctx.browser
    view = browser.view
    started = time.monotonic()
    try:
        metrics = json.loads((yield Js(_METRICS_JS)) or "null")
    except ValueError:
        metrics = None
    if not isinstance(metrics, dict):
        raise CaptureError("The page's size could not be read.", "无法读取网页尺寸。")
    zoom = browser.page.zoomFactor()
    height = max(1, math.ceil(float(metrics.get("height") or 0) * zoom))
    width = view.width()
    saved_x, saved_y = float(metrics.get("x") or 0), float(metrics.get("y") or 0)
    part_px = max(1000, ctx.max_part_px)
    if height <= part_px:
        parts = [(0, height)]
    else:
        count = math.ceil(height / part_px)
        parts = [(i * part_px, min(part_px, height - i * part_px)) for i in range(count)]
    browser.watch_paints()
    pngs: list[Future[bytes]] = []
    waits: list[dict[str, Any]] = []
    browser.holder.detached = True
    try:
        for offset, part_h in parts:
            view_h = part_px if len(parts) > 1 else part_h
            view.resize(width, view_h)
            # The last part of a segmented page: scroll as far as the page goes, then crop.
            scroll_to = min(offset, max(0, height - view_h))
            ready_at = time.monotonic()
            paints = browser.paints.count
            resized = yield from _wait_viewport(int(view_h / zoom), ready_at + DRAW_WAIT_S)
            yield Js(f"window.scrollTo(0, {scroll_to / zoom:.0f}); 1")
            pending, drawn = yield from _wait_ready(ctx, ready_at + LOAD_WAIT_MS / 1000)
            # The drawn frame reaches the widget through the event loop: let it arrive.
            yield Poll(_painted_since(browser), ctx.settle_timeout_ms, 20)
            waited = time.monotonic() - ready_at
            top = offset - scroll_to

            def crop(image: QImage, top: int = top, part_h: int = part_h) -> QImage:
                if top or image.height() != part_h:
                    return image.copy(0, top, image.width(), part_h)
                return image

            _grabbed, stable, png = yield from _stable_grab(browser, crop)
            pngs.append(png)
            waits.append(
                {
                    "offset_y": offset,
                    "height": part_h,
                    "wait_ms": int(waited * 1000),
                    "grab_ms": int((time.monotonic() - ready_at - waited) * 1000),
                    "not_loaded": pending,
                    "drawn": drawn and resized,
                    "stable": stable,
                    "repaints": browser.paints.count - paints,
                }
            )
    finally:
        browser.holder.attach()
    yield Js(f"window.scrollTo({saved_x:.0f}, {saved_y:.0f}); 1")
    facts["image"] = {"width": width, "height": height, "format": "png", "parts": len(parts)}
    facts["parts"] = waits
    facts["method"] = (
        "the view was resized to the page's full height and grabbed whole (no stitching)"
        if len(parts) == 1
        else f"the page was captured in {len(parts)} parts of at most {part_px} px"
    )
    facts["render_ms"] = int((time.monotonic() - started) * 1000)
    token = uuid.uuid4().hex[:6]

    def files() -> list[Item]:
        items = []
        for i, png in enumerate(pngs, start=1):
            name = "fullpage.png" if len(pngs) == 1 else f"fullpage-{token}-{i:02d}.png"
            items.append(Item(name, "image/png", data=png.result()))
        return items

    def job() -> Record:
        return _seal(ctx, "capture.fullpage", facts, files)()

    record = yield Background(job)
    return _finish(ctx, "capture.fullpage", record)


def take_full_page(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(full_page_steps(ctx), ctx.browser.page, on_done)


# -- page snapshot ------------------------------------------------------------------------


def snapshot_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = page_facts(ctx)
    browser = ctx.browser
    html = yield Js(_DOM_JS)
    yield from live_step(ctx, facts)
    if not isinstance(html, str):
        raise CaptureError("The page's DOM could not be read.", "无法读取网页 DOM。")
    try:
        ctx.work_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaptureError(
            f"Cannot create {ctx.work_dir}: {exc}", f"无法创建 {ctx.work_dir}：{exc}"
        ) from exc
    target = ctx.work_dir / f"snapshot-{uuid.uuid4().hex}.mhtml"
    requests: list[QWebEngineDownloadRequest] = []

    def on_download(request: QWebEngineDownloadRequest) -> None:
        if request.isSavePageDownload() and Path(request.downloadDirectory()) == target.parent:
            requests.append(request)

    browser.profile.downloadRequested.connect(on_download)
    try:
        browser.page.save(str(target), QWebEngineDownloadRequest.SavePageFormat.MimeHtmlSaveFormat)
        done = yield Poll(lambda: bool(requests) and requests[0].isFinished(), 60_000, 25)
    finally:
        browser.profile.downloadRequested.disconnect(on_download)
    if not done or requests[0].state() != QWebEngineDownloadRequest.DownloadState.DownloadCompleted:
        reason = requests[0].interruptReasonString() if requests else "no answer"
        target.unlink(missing_ok=True)
        raise CaptureError(
            f"The page could not be saved as MHTML: {reason}", f"网页无法保存为 MHTML：{reason}"
        )
    facts["dom_chars"] = len(html)
    facts["formats"] = {
        "mhtml": "the page and its resources as the engine holds them (MIME multipart/related)",
        "dom": "the rendered DOM (document.documentElement.outerHTML) at capture time",
    }
    dom = html.encode("utf-8")

    def job() -> Record:
        try:
            items = [
                Item("snapshot.mhtml", "multipart/related", path=target),
                Item("dom.html", "text/html; charset=utf-8", data=dom),
            ]
            return _seal(ctx, "capture.snapshot", facts, lambda: items)()
        finally:
            target.unlink(missing_ok=True)

    record = yield Background(job)
    return _finish(ctx, "capture.snapshot", record)


def take_snapshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(snapshot_steps(ctx), ctx.browser.page, on_done)
