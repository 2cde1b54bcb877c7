"""The area screenshot (the engine's actions cover the viewport and the full page).

The officer drags a rectangle over the page; the rectangle is grabbed from the view at
once (on the GUI thread, what is on screen now), then sealed through the engine's own
steps like every other capture (``app.capture.actions``): the page facts, the live-stream
facts, the server behind the page, one ``capture.screenshot`` entry whose data also says
which area of the viewport it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect

from app.capture.actions import (
    ENCODER,
    ActionContext,
    CaptureResult,
    encode_png,
    finish_action,
    live_step,
    page_facts,
    seal_job,
)
from app.capture.sealer import Item
from app.capture.steps import Background, Steps, drive
from app.capture.tasks import Outcome
from forensics.errors import InputError

MIN_SIDE = 8


def area_steps(ctx: ActionContext, area: QRect) -> Steps:
    facts = page_facts(ctx)
    image = ctx.browser.view.grab(area).toImage()
    facts["area"] = {"x": area.x(), "y": area.y(), "width": area.width(), "height": area.height()}
    facts["image"] = {"width": image.width(), "height": image.height(), "format": "png"}
    yield from live_step(ctx, facts)
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
    area = area.normalized().intersected(ctx.browser.view.rect())
    if area.width() < MIN_SIDE or area.height() < MIN_SIDE:
        raise InputError("the selected area is too small", "所选区域过小")
    drive(area_steps(ctx, area), ctx.browser.page, on_done)
