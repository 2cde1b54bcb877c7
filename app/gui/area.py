"""The area screenshot (the engine's actions cover the viewport and the full page).

The officer drags a rectangle over the page; the rectangle is grabbed from the view at
once (on the GUI thread, what is on screen now), then encoded, matched to the sealed
traffic and sealed off it, as one ``capture.screenshot`` entry whose data says which area
of the viewport it shows. It uses only ``app.capture``'s public pieces (``ActionContext``,
``encode_png``, the session's sealer and traffic lookup).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect

from app.capture.actions import ActionContext, CaptureResult, encode_png, page_facts
from app.capture.sealer import Item
from app.capture.tasks import Outcome, run_task
from forensics.errors import InputError
from forensics.ledger import Record

MIN_SIDE = 8


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
        return CaptureResult("capture.screenshot", record, list(record.entry["items"]))

    def finish(outcome: Outcome[CaptureResult]) -> None:
        # On the GUI thread, right before on_done, as the engine's actions do: whoever
        # sees the sealed row also sees the action finished (ready for the next one).
        if outcome.error is None:
            ctx.on_sealed(outcome.unwrap().record)
        on_done(outcome)

    run_task(job, finish)
