"""The area screenshot (the engine's actions cover the viewport and the full page).

The officer drags a rectangle over the page; the rectangle is grabbed from the view at
once (on the GUI thread, what is on screen now), then encoded, matched to the sealed
traffic and sealed off it, as one ``capture.screenshot`` entry whose data says which area
of the viewport it shows. It uses only ``app.capture``'s public pieces (``ActionContext``,
``encode_png``, the session's sealer and traffic lookup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRect

from app.capture.actions import ActionContext, CaptureResult, encode_png
from app.capture.sealer import Item
from app.capture.tasks import Outcome, run_task
from forensics.canonical import format_time
from forensics.errors import CaptureError, InputError
from forensics.ledger import Record

MIN_SIDE = 8


def page_facts(ctx: ActionContext) -> dict[str, Any]:
    page, view = ctx.browser.page, ctx.browser.view
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


def take_area(
    ctx: ActionContext, area: QRect, on_done: Callable[[Outcome[CaptureResult]], None]
) -> None:
    """Grab ``area`` (view coordinates) now; seal it in the background."""
    ctx.check_alive()
    view = ctx.browser.view
    area = area.normalized().intersected(view.rect())
    if area.width() < MIN_SIDE or area.height() < MIN_SIDE:
        raise InputError("the selected area is too small", "所选区域过小")
    facts = page_facts(ctx)
    image = view.grab(area).toImage()
    facts["area"] = {"x": area.x(), "y": area.y(), "width": area.width(), "height": area.height()}
    facts["image"] = {"width": image.width(), "height": image.height(), "format": "png"}

    def job() -> CaptureResult:
        png = encode_png(image)
        data = dict(facts)
        data["server"] = ctx.server_info(str(facts["url"]))
        record: Record = ctx.sealer.seal_items(
            "capture.screenshot", data, [Item("area.png", "image/png", data=png)]
        ).result()
        ctx.on_sealed(record)
        return CaptureResult("capture.screenshot", record, list(record.entry["items"]))

    run_task(job, on_done)
