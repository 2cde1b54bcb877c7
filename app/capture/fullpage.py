"""Full-page capture: the whole scroll height of the page in one picture.

The view is made as tall as the page and grabbed whole (no scroll-and-stitch,
which repeats fixed headers). Chromium renders nothing beyond about 86,000 px, so pages
taller than ``max_part_px`` are captured in parts, each a viewport of that height scrolled
down the page; the entry lists each part's offset. Before grabbing, the action waits until
the page has settled at its new size — scripts have seen the new viewport (lazy images
start loading then), images, fonts and the document are loaded, the page has made no new
request for ``QUIET_S`` — and until three animation frames have run after that, so the
settled page has been rasterised and drawn, and then grabs until two grabs in a row are
identical (bounded by ``LOAD_WAIT_MS``, ``DRAW_WAIT_S`` and ``STABLE_TRIES``; the entry
records each wait, and whether it ran out). A picture that is one flat colour below what was
on screen (``flat_below``) looks like a frame grabbed before Chromium drew the tall view: it
is drawn and grabbed once more, and the entry says if it still is.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from PySide6.QtGui import QImage

from app.capture.actions import (
    ENCODER,
    ActionContext,
    CaptureResult,
    encode_png,
    finish_action,
    live_step,
    page_facts,
    qt_browser,
    seal_job,
)
from app.capture.browser import SessionBrowser
from app.capture.sealer import Item
from app.capture.steps import Background, Js, Poll, Sleep, Steps, drive
from app.capture.tasks import Outcome
from forensics.errors import CaptureError
from forensics.ledger import Record

logger = logging.getLogger(__name__)

LOAD_WAIT_MS = 15_000
DRAW_WAIT_S = 15.0
STABLE_GAP_MS = 150
STABLE_TRIES = 6
READY_POLL_MS = 50
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
    png = ENCODER.submit(encode_png, image)
    for _ in range(STABLE_TRIES):
        yield Sleep(STABLE_GAP_MS)
        again = crop(browser.grab_page())
        if again == image:
            return image, True, png
        png.cancel()
        image, png = again, ENCODER.submit(encode_png, again)
    return image, False, png


_FLAT_CHUNK_ROWS = 256


def flat_below(image: QImage, top: int) -> bool:
    """Whether every pixel of ``image`` from row ``top`` down is one and the same colour.

    That is what a frame grabbed before Chromium drew the tall view looks like — the old
    screen on top, the view's background below, whatever the page holds — and no reason to
    trust the picture; a real page is rarely blank all the way down. Every row is compared
    (in chunks, at memory speed: about 10 ms for 24,000 px)."""
    height, width = image.height(), image.width()
    if width < 1 or height - top < 2 or top < 0:
        return False
    if image.depth() != 32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    per_line = image.bytesPerLine()
    data = memoryview(image.constBits()).cast("B")
    start = top * per_line
    row = bytes(data[start : start + 4]) * width + bytes(per_line - width * 4)
    chunk = row * _FLAT_CHUNK_ROWS
    for y in range(top, height, _FLAT_CHUNK_ROWS):
        rows = min(_FLAT_CHUNK_ROWS, height - y)
        if data[y * per_line : (y + rows) * per_line].tobytes() != chunk[: rows * per_line]:
            return False
    return True


def _painted_since(browser: SessionBrowser) -> Callable[[], bool]:
    before = browser.paints.count
    return lambda: browser.paints.count > before


def full_page_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = yield from live_step(ctx, page_facts(ctx))
    browser = qt_browser(ctx)
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
    first_screen = view.height()  # what the officer saw; Chromium drew it before the capture
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

            grabbed, stable, png = yield from _stable_grab(browser, crop)
            flat = flat_below(grabbed, first_screen)
            if flat:
                # Drawn only on screen, or not yet at the new size: wait for frames, grab again.
                logger.warning("full page: flat below the first screen; drawing and grabbing again")
                png.cancel()
                yield from _wait_frames(time.monotonic() + DRAW_WAIT_S)
                yield Sleep(STABLE_GAP_MS)
                grabbed, stable, png = yield from _stable_grab(browser, crop)
                regrabbed, flat = True, flat_below(grabbed, first_screen)
            else:
                regrabbed = False
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
                    # One flat colour below what was on screen even after drawing and
                    # grabbing again: the page may be blank there, or was not drawn.
                    "flat_below_first_screen": flat,
                    "regrabbed": regrabbed,
                }
            )
    finally:
        browser.holder.attach()
    yield Js(f"window.scrollTo({saved_x:.0f}, {saved_y:.0f}); 1")
    facts = replace(
        facts,
        image={"width": width, "height": height, "format": "png", "parts": len(parts)},
        parts=tuple(waits),
        method=(
            "the view was resized to the page's full height and grabbed whole (no stitching)"
            if len(parts) == 1
            else f"the page was captured in {len(parts)} parts of at most {part_px} px"
        ),
        render_ms=int((time.monotonic() - started) * 1000),
    )
    token = uuid.uuid4().hex[:6]

    def files() -> list[Item]:
        items = []
        for i, png in enumerate(pngs, start=1):
            name = "fullpage.png" if len(pngs) == 1 else f"fullpage-{token}-{i:02d}.png"
            items.append(Item(name, "image/png", data=png.result()))
        return items

    def job() -> Record:
        return seal_job(ctx, "capture.fullpage", facts, files)()

    record = yield Background(job)
    return finish_action(ctx, "capture.fullpage", record)


def take_full_page(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(full_page_steps(ctx), qt_browser(ctx).page, on_done)
