"""The capture actions on the Chromium engine: viewport screenshot, full page, snapshot.

Same ledger entries, same data and the same one-entry-or-nothing sealing as the Qt WebEngine
actions (``app.capture.actions``, whose ``seal_job`` and ``finish_action`` they use); what
differs is where the picture comes from:

- screenshot: CDP ``Page.captureScreenshot`` of the viewport, right after the page's facts
  were read (one job after the other on the engine thread: nothing runs between them);
- full page: CDP capture beyond the viewport — the browser draws the whole page in one
  picture, no scrolling and no stitching — then the same whole-picture check as before (one
  flat colour below the first screen means "drawn only on screen": wait, capture again, and
  say so in the entry);
- snapshot: CDP ``Page.captureSnapshot`` (MHTML) and the rendered DOM.

The page's facts are read in an isolated world (``ChromiumEngine.evaluate_isolated``): the
page's scripts cannot change what the tool reads. Everything runs off the GUI thread
(``run_task``); ``on_done`` gets the ``Outcome`` on the GUI thread.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PIL import Image

from app.capture.actions import (
    ActionContext,
    CaptureResult,
    finish_action,
    seal_job,
    with_live,
)
from app.capture.chromium.browser import ChromiumBrowser
from app.capture.live import PLAYERS_JS, live_facts, parse_players
from app.capture.sealer import Item
from app.capture.tasks import Outcome, run_task
from forensics.canonical import format_time
from forensics.entry_data import PageData
from forensics.errors import CaptureError
from forensics.ledger import Record

JOB_TIMEOUT_S = 120.0
REGRAB_WAIT_S = 0.6

logger = logging.getLogger(__name__)

_FACTS_JS = (
    """(() => { const d = document.documentElement, b = document.body;
  return { url: location.href, title: document.title,
    width: window.innerWidth, height: window.innerHeight, dpr: window.devicePixelRatio,
    page_height: Math.max(d ? d.scrollHeight : 0, b ? b.scrollHeight : 0, d ? d.offsetHeight : 0),
    players: """
    + PLAYERS_JS
    + """ }; })()"""
)
_DOM_JS = """(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')
  + document.documentElement.outerHTML"""


def _browser(ctx: ActionContext) -> ChromiumBrowser:
    ctx.check_alive()
    browser = ctx.browser
    if not isinstance(browser, ChromiumBrowser) or browser.shut_down:
        raise CaptureError("The browser is not running.", "浏览器未在运行。")
    return browser


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def page_facts(ctx: ActionContext, browser: ChromiumBrowser) -> tuple[PageData, int]:
    """The page's facts now (off the GUI thread), and its full height in CSS pixels."""
    raw = browser.engine.evaluate_isolated(_FACTS_JS).result(JOB_TIMEOUT_S)
    if not isinstance(raw, dict):
        raise CaptureError("The page's facts could not be read.", "无法读取网页信息。")
    url = str(raw.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise CaptureError(
            f"There is no web page to capture (the browser shows {url or 'nothing'}).",
            f"当前没有可取证的网页（浏览器显示 {url or '空白'}）。",
        )
    _note_transition(browser)
    dpr = raw.get("dpr")
    facts = PageData(
        url=url,
        requested_url=browser.requested_url(),
        title=str(raw.get("title") or ""),
        captured_at=format_time(ctx.now()),
        viewport={"width": _int(raw.get("width")), "height": _int(raw.get("height"))},
        # Chromium's page zoom shows as the device pixel ratio (at 100 % on a 1× screen: 1).
        zoom_percent=round(float(dpr) * 100) if isinstance(dpr, int | float) else 100,
        navigation=tuple(browser.navlog.steps_copy()),
        logged_in_account=ctx.logged_in_account(),
        browser={"engine": "chromium-cdp", "version": browser.version.version},
    )
    live = live_facts(
        ctx.live_target, url, browser.navlog.streams.urls(), parse_players(raw.get("players"))
    )
    return with_live(ctx, facts, live), _int(raw.get("page_height"))


def _note_transition(browser: ChromiumBrowser) -> None:
    """How the officer reached the page (the history entry's transition: link, typed, …),
    asked now: the answer the navigation itself asked for reaches the log through the GUI
    thread, which may not have run yet when a capture follows the load within moments."""
    try:
        entry = browser.engine.navigation_entry().result(JOB_TIMEOUT_S)
    except Exception:  # the step keeps what the log knows; the capture goes on
        logger.info("the history entry could not be read", exc_info=True)
        return
    how, url = entry.get("transitionType"), entry.get("url")
    if isinstance(how, str) and isinstance(url, str):
        browser.navlog.note_how(url, how)


def flat_below_png(png: bytes, top: int) -> bool:
    """``fullpage.flat_below`` for a PNG, with Pillow (off the GUI thread, no Qt object):
    every pixel from row ``top`` down is one and the same colour."""
    with Image.open(io.BytesIO(png)) as picture:
        rgb = picture.convert("RGB")
    width, height = rgb.size
    if width < 1 or height - top < 2 or top < 0:
        return False
    below = rgb.crop((0, top, width, height))
    lowest, highest = zip(*below.getextrema(), strict=True)
    return lowest == highest


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        raise CaptureError("The browser returned no picture.", "浏览器未返回图片。")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def start_action(
    ctx: ActionContext,
    job: Callable[[ChromiumBrowser], Record],
    kind: str,
    on_done: Callable[..., None],
) -> None:
    """GUI thread: check that the session can capture, then run ``job`` off it; a refusal
    is reported through ``on_done`` like every other failure of an action."""
    try:
        browser = _browser(ctx)
    except Exception as exc:
        on_done(Outcome(error=exc))
        return
    _run(ctx, lambda: job(browser), kind, on_done)


def _run(
    ctx: ActionContext, job: Callable[[], Record], kind: str, on_done: Callable[..., None]
) -> None:
    def done(outcome: Outcome[Record]) -> None:
        if outcome.error is not None:
            on_done(Outcome(error=outcome.error))
        else:
            on_done(Outcome(value=finish_action(ctx, kind, outcome.unwrap())))

    run_task(job, done)


def take_screenshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    def job(browser: ChromiumBrowser) -> Record:
        facts, _height = page_facts(ctx, browser)
        png = browser.engine.screenshot().result(JOB_TIMEOUT_S)
        width, height = png_size(png)
        facts = replace(facts, image={"width": width, "height": height, "format": "png"})

        def files() -> list[Item]:
            return [Item("screenshot.png", "image/png", data=png)]

        return seal_job(ctx, "capture.screenshot", facts, files)()

    start_action(ctx, job, "capture.screenshot", on_done)


def take_full_page(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    def job(browser: ChromiumBrowser) -> Record:
        facts, _height = page_facts(ctx, browser)
        first_screen = facts.viewport_height
        started = time.monotonic()
        png, info = browser.engine.full_page_loaded().result(JOB_TIMEOUT_S)
        grab_ms = int((time.monotonic() - started) * 1000) - int(info["wait_ms"])
        flat = flat_below_png(png, first_screen)
        regrabbed = False
        if flat:
            # Drawn only on screen so far: let the browser draw, capture again, say so.
            time.sleep(REGRAB_WAIT_S)
            png, info = browser.engine.full_page_loaded().result(JOB_TIMEOUT_S)
            regrabbed, flat = True, flat_below_png(png, first_screen)
        width, height = png_size(png)
        part: dict[str, Any] = {
            "offset_y": 0,
            "height": height,
            "wait_ms": int(info["wait_ms"]),
            "grab_ms": max(0, grab_ms),
            # Pictures still loading when the wait ended (shown as the page had them).
            "not_loaded": int(info["not_loaded"]),
            # One flat colour below what was on screen even after capturing again:
            # the page may be blank there, or was not drawn.
            "flat_below_first_screen": flat,
            "regrabbed": regrabbed,
        }
        facts = replace(
            facts,
            image={"width": width, "height": height, "format": "png", "parts": 1},
            parts=(part,),
            method=(
                "the viewport was made as tall as the page and its pictures waited for, then "
                "the browser drew the whole page in one picture (CDP Page.captureScreenshot, "
                "captureBeyondViewport; no scrolling, no stitching)"
            ),
            render_ms=int((time.monotonic() - started) * 1000),
        )

        def files() -> list[Item]:
            return [Item("fullpage.png", "image/png", data=png)]

        return seal_job(ctx, "capture.fullpage", facts, files)()

    start_action(ctx, job, "capture.fullpage", on_done)


def take_snapshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    def job(browser: ChromiumBrowser) -> Record:
        facts, _height = page_facts(ctx, browser)
        mhtml = browser.engine.mhtml().result(JOB_TIMEOUT_S)
        html = browser.engine.evaluate_isolated(_DOM_JS).result(JOB_TIMEOUT_S)
        if not isinstance(html, str):
            raise CaptureError("The page's DOM could not be read.", "无法读取网页 DOM。")
        facts = replace(
            facts,
            dom_chars=len(html),
            formats={
                "mhtml": "the page and its resources as the browser holds them (MIME "
                "multipart/related, CDP Page.captureSnapshot)",
                "dom": "the rendered DOM (document.documentElement.outerHTML) at capture time",
            },
        )
        dom = html.encode("utf-8")

        def files() -> list[Item]:
            return [
                Item("snapshot.mhtml", "multipart/related", data=mhtml),
                Item("dom.html", "text/html; charset=utf-8", data=dom),
            ]

        return seal_job(ctx, "capture.snapshot", facts, files)()

    start_action(ctx, job, "capture.snapshot", on_done)
