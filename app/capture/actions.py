"""The officer's capture actions: viewport screenshot and page snapshot, and what every
action shares (the page's facts, sealing); the full page is in ``app.capture.fullpage``.

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
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from PySide6.QtGui import QImage
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest

from app.capture.browser import SessionBrowser
from app.capture.engines import CaptureBrowser
from app.capture.live import PLAYERS_JS, live_facts, parse_players
from app.capture.png import encode_rgb
from app.capture.sealer import Item, Sealer
from app.capture.steps import Background, Js, Poll, Step, Steps, drive
from app.capture.tasks import Outcome
from forensics.canonical import format_time, utc_now
from forensics.entries import Item as LedgerItem
from forensics.entry_data import PageData
from forensics.errors import CaptureError
from forensics.ledger import Record

MAX_PART_PX = 80_000
SETTLE_TIMEOUT_MS = 150
# Encodes PNGs off the GUI thread (a full page encodes each grab while it confirms it).
ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png-grab")

_DOM_JS = """(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')
  + document.documentElement.outerHTML"""


@dataclass
class ActionContext:
    """What an action needs from its session."""

    browser: CaptureBrowser
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
    # Whether the screen is being recorded now (a live stream captured without a running
    # recording is sealed with a warning).
    recording: Callable[[], bool] = lambda: False


@dataclass(frozen=True)
class CaptureResult:
    kind: str
    record: Record
    items: tuple[LedgerItem, ...] = ()

    def summary(self, lang: str = "en") -> str:
        names = ", ".join(i.path for i in self.items)
        label = {
            "capture.screenshot": ("screenshot", "截图"),
            "capture.fullpage": ("full page", "整页截图"),
            "capture.snapshot": ("page snapshot", "网页快照"),
        }.get(self.kind, (self.kind, self.kind))
        page = PageData.from_json(self.record.data)
        flat = page.flat_below_first_screen
        warning: dict[str, Any] = page.warning or {}
        warned = bool(warning)
        if lang.startswith("zh"):
            note = "（首屏以下为单一颜色：请核对网页是否确为空白）" if flat else ""
            if warned:
                note += f"（警告：{warning.get('zh', '')}）"
            return f"#{self.record.seq} {label[1]}：{names}{note}"
        note = " (one flat colour below the first screen: check the page is blank there)"
        extra = f" (warning: {warning.get('en', '')})" if warned else ""
        return f"#{self.record.seq} {label[0]}: {names}{note if flat else ''}{extra}"


def qt_browser(ctx: ActionContext) -> SessionBrowser:
    """The Qt WebEngine fallback browser of an action that only it runs."""
    browser = ctx.browser
    if not isinstance(browser, SessionBrowser):
        raise CaptureError("This action needs the built-in browser.", "此操作需要内置浏览器。")
    return browser


def encode_png(image: QImage) -> bytes:
    """PNG bytes of ``image`` (safe off the GUI thread: QImage, not QPixmap), deflated on
    every core (``app.capture.png``). Opaque RGB: a web page has no transparency, and
    dropping alpha keeps the files small."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    if rgb.isNull() or rgb.width() == 0 or rgb.height() == 0:
        raise CaptureError("The picture is empty.", "图片为空。")
    return encode_rgb(rgb.constBits(), rgb.width(), rgb.height(), rgb.bytesPerLine())


def page_facts(ctx: ActionContext) -> PageData:
    page = qt_browser(ctx).page
    view = qt_browser(ctx).view
    url = page.url().toString()
    if not url.startswith(("http://", "https://")):
        raise CaptureError(
            f"There is no web page to capture (the view shows {url or 'nothing'}).",
            f"当前没有可取证的网页（视图显示 {url or '空白'}）。",
        )
    return PageData(
        url=url,
        requested_url=page.requestedUrl().toString(),
        title=page.title(),
        captured_at=format_time(ctx.now()),
        viewport={"width": view.width(), "height": view.height()},
        zoom_percent=round(page.zoomFactor() * 100),
        navigation=tuple(ctx.browser.navlog.steps_copy()),
        logged_in_account=ctx.logged_in_account(),
    )


def live_step(ctx: ActionContext, facts: PageData) -> Generator[Step, Any, PageData]:
    """``facts`` with the ``live`` block (platform, room, anchor, stream URLs, players)
    when the page plays or the session requested a stream (``app.capture.live``); the
    generator's return value."""
    players = parse_players((yield Js(PLAYERS_JS)))
    streams = ctx.browser.navlog.streams.urls()
    return with_live(ctx, facts, live_facts(ctx.live_target, facts.url, streams, players))


LIVE_UNRECORDED: Final = {
    "code": "live-without-recording",
    "en": "the page plays a live stream and the screen is not being recorded: a still "
    "does not show what the anchor says; record the screen (REQUIREMENTS §A4)",
    "zh": "页面正在播放直播流而未在录像：截图不能反映主播的口播内容，请开始录像（要求 §A4）",
}


def with_live(ctx: ActionContext, facts: PageData, live: dict[str, Any] | None) -> PageData:
    """``facts`` with the page's ``live`` block (None: no stream seen, ``facts`` as they
    are). A capture of a page that plays a stream while nothing is recorded is sealed with
    a warning (the entry says so; the officer reads it in the action's summary)."""
    if live is None:
        return facts
    return replace(facts, live=live, warning=unrecorded_warning(ctx, live))


def unrecorded_warning(ctx: ActionContext, live: Mapping[str, Any]) -> dict[str, str] | None:
    """The warning for a capture of a page whose ``live`` block shows a stream playing or
    requested while the screen is not recorded; None otherwise."""
    if ctx.recording():
        return None
    playing = any(p.get("playing") for p in live.get("players") or [] if isinstance(p, dict))
    return dict(LIVE_UNRECORDED) if playing or live.get("stream_urls") else None


def finish_action(ctx: ActionContext, kind: str, record: Record) -> CaptureResult:
    ctx.on_sealed(record)
    return CaptureResult(kind, record, record.items)


def seal_job(
    ctx: ActionContext, kind: str, facts: PageData, items: Callable[[], list[Item]]
) -> Callable[[], Record]:
    """The background half of every action: look up the server (the traffic behind the
    picture is sealed first), then make the files (``items``: PNGs may still be encoding
    meanwhile) and seal."""

    def job() -> Record:
        data = replace(facts, server=ctx.server_info(facts.url))
        return ctx.sealer.seal_items(kind, data.to_json(), items()).result()

    return job


# -- viewport screenshot ------------------------------------------------------------------


def screenshot_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = page_facts(ctx)
    image = qt_browser(ctx).grab_page()  # what is on screen, now
    facts = replace(
        facts, image={"width": image.width(), "height": image.height(), "format": "png"}
    )
    facts = yield from live_step(ctx, facts)

    png = ENCODER.submit(encode_png, image)

    def files() -> list[Item]:
        return [Item("screenshot.png", "image/png", data=png.result())]

    def job() -> Record:
        return seal_job(ctx, "capture.screenshot", facts, files)()

    record = yield Background(job)
    return finish_action(ctx, "capture.screenshot", record)


def take_screenshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(screenshot_steps(ctx), qt_browser(ctx).page, on_done)


# -- page snapshot ------------------------------------------------------------------------


def snapshot_steps(ctx: ActionContext) -> Steps:
    ctx.check_alive()
    facts = page_facts(ctx)
    browser = qt_browser(ctx)
    html = yield Js(_DOM_JS)
    facts = yield from live_step(ctx, facts)
    if not isinstance(html, str):
        raise CaptureError("The page's DOM could not be read.", "无法读取网页 DOM。")
    try:
        ctx.work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
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
    facts = replace(
        facts,
        dom_chars=len(html),
        formats={
            "mhtml": "the page and its resources as the engine holds them (MIME multipart/related)",
            "dom": "the rendered DOM (document.documentElement.outerHTML) at capture time",
        },
    )
    dom = html.encode("utf-8")

    def job() -> Record:
        try:
            items = [
                Item("snapshot.mhtml", "multipart/related", path=target),
                Item("dom.html", "text/html; charset=utf-8", data=dom),
            ]
            return seal_job(ctx, "capture.snapshot", facts, lambda: items)()
        finally:
            target.unlink(missing_ok=True)

    record = yield Background(job)
    return finish_action(ctx, "capture.snapshot", record)


def take_snapshot(ctx: ActionContext, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
    drive(snapshot_steps(ctx), qt_browser(ctx).page, on_done)
