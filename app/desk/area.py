"""The area screenshot (the engine's actions cover the viewport and the full page).

The officer drags a rectangle over the page; it is sealed like every other capture
(``app.capture.actions``): the page facts, the live-stream facts, the server behind the
page, one ``capture.screenshot`` entry whose data also says which area of the viewport it
shows (``area``, in the viewport's CSS pixels) and the picture's size (``image``).

- Qt WebEngine (the fallback): the rectangle, in the view's coordinates, is grabbed from
  the view at once (on the GUI thread, what is on screen now), then sealed through the
  engine's own steps (``take_area``).
- Chromium over CDP: the officer drags over the workspace's preview of the page, which
  shows the browser's newest screencast picture scaled; the window hands over the
  rectangle in that picture's pixels and the picture's size. Off the GUI thread the page's
  facts are read, the rectangle is converted to the viewport's CSS pixels (picture pixels
  per CSS pixel: the picture's width over the viewport's, i.e. the device pixel ratio) and
  the browser captures that area of the viewport (``ChromiumEngine.screenshot_area``;
  Playwright's ``clip`` is relative to the viewport: it adds the scroll position itself)
  (``take_chromium_area``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QRect, QRectF, QSize

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
from app.capture.chromium import actions as chromium_actions
from app.capture.chromium.browser import ChromiumBrowser
from app.capture.sealer import Item
from app.capture.steps import Background, Steps, drive
from app.capture.tasks import Outcome
from forensics.errors import InputError
from forensics.ledger import Record

MIN_SIDE = 8


def _too_small() -> InputError:
    return InputError("the selected area is too small", "所选区域过小")


# -- Qt WebEngine (fallback) -----------------------------------------------------------------


def area_steps(ctx: ActionContext, area: QRect) -> Steps:
    facts = page_facts(ctx)
    image = qt_browser(ctx).view.grab(area).toImage()
    facts = replace(
        facts,
        area={"x": area.x(), "y": area.y(), "width": area.width(), "height": area.height()},
        image={"width": image.width(), "height": image.height(), "format": "png"},
    )
    facts = yield from live_step(ctx, facts)
    png = ENCODER.submit(encode_png, image)

    def files() -> list[Item]:
        return [Item("area.png", "image/png", data=png.result())]

    record = yield Background(seal_job(ctx, "capture.screenshot", facts, files))
    return finish_action(ctx, "capture.screenshot", record)


def take_area(
    ctx: ActionContext, area: QRect, on_done: Callable[[Outcome[CaptureResult]], None]
) -> None:
    """Grab ``area`` (view coordinates) now; seal it in the background."""
    ctx.check_alive()
    browser = qt_browser(ctx)
    area = area.normalized().intersected(browser.view.rect())
    if area.width() < MIN_SIDE or area.height() < MIN_SIDE:
        raise _too_small()
    drive(area_steps(ctx, area), browser.page, on_done)


# -- Chromium over CDP -------------------------------------------------------------------------


def css_area(
    area: QRectF, frame: QSize, viewport: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """``area`` in a screencast picture of ``frame``'s size → the same area in the viewport's
    CSS pixels (``viewport``: its width and height), clipped to the viewport; ``None`` when
    nothing of it is left. Pure."""
    vw, vh = viewport
    if frame.width() <= 0 or frame.height() <= 0 or vw <= 0 or vh <= 0:
        return None
    sx, sy = vw / frame.width(), vh / frame.height()
    r = area.normalized()
    left = max(0, min(vw, round(r.left() * sx)))
    top = max(0, min(vh, round(r.top() * sy)))
    right = max(0, min(vw, round((r.left() + r.width()) * sx)))
    bottom = max(0, min(vh, round((r.top() + r.height()) * sy)))
    if right - left <= 0 or bottom - top <= 0:
        return None
    return left, top, right - left, bottom - top


def chromium_area_job(
    ctx: ActionContext, browser: ChromiumBrowser, area: QRectF, frame: QSize
) -> Record:
    """Off the GUI thread: the page's facts, the area in CSS pixels, its picture, sealed."""
    facts, _height = chromium_actions.page_facts(ctx, browser)
    viewport = (int(facts.viewport["width"]), facts.viewport_height)
    css = css_area(area, frame, viewport)
    if css is None or css[2] < 1 or css[3] < 1:
        raise _too_small()
    x, y, width, height = css
    png = browser.engine.screenshot_area(x, y, width, height).result(chromium_actions.JOB_TIMEOUT_S)
    image_w, image_h = chromium_actions.png_size(png)
    facts = replace(
        facts,
        area={"x": x, "y": y, "width": width, "height": height},
        image={"width": image_w, "height": image_h, "format": "png"},
    )

    def files() -> list[Item]:
        return [Item("area.png", "image/png", data=png)]

    return seal_job(ctx, "capture.screenshot", facts, files)()


def take_chromium_area(
    ctx: ActionContext,
    area: QRectF,
    frame: QSize,
    on_done: Callable[[Outcome[CaptureResult]], None],
) -> None:
    """Capture ``area`` (pixels of a screencast picture of size ``frame``) of the Chromium
    browser's viewport and seal it, in the background; ``on_done`` on the GUI thread."""
    r = area.normalized()
    if r.width() < MIN_SIDE or r.height() < MIN_SIDE:
        raise _too_small()
    chromium_actions.start_action(
        ctx,
        lambda browser: chromium_area_job(ctx, browser, r, frame),
        "capture.screenshot",
        on_done,
    )
