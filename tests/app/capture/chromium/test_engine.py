"""The engine with the real browser (Debian's /usr/bin/chromium), headless, as whoever
runs the tests (as root: --no-sandbox), against a loopback web site."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from app.capture.chromium.engine import (
    ChromiumEngine,
    EngineConfig,
    NavigationEvent,
    RequestEvent,
    ScreencastFrame,
)
from forensics.errors import CaptureError
from tests.app.capture.chromium.conftest import (
    CHROMIUM,
    EVIDENCE_TEXT,
    PAGE_HEIGHT,
    needs_chromium,
)

pytestmark = needs_chromium

WINDOW = (1024, 640)
T = 60  # seconds any single step may take


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RequestEvent] = []
        self.navigations: list[NavigationEvent] = []
        self.threads: set[str] = set()

    def request(self, event: RequestEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.requests.append(event)

    def navigation(self, event: NavigationEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.navigations.append(event)


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def engine(
    recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ChromiumEngine]:
    profile = tmp_path_factory.mktemp("profile") / "fresh"
    eng = ChromiumEngine(
        EngineConfig(CHROMIUM, headless=True, window=WINDOW, profile_dir=profile),
        on_request=recorder.request,
        on_navigation=recorder.navigation,
    )
    eng.start().result(T)
    yield eng
    eng.close().result(T)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.size


def test_start_reports_the_browsers_version(engine: ChromiumEngine) -> None:
    version = engine.version().result(T)
    assert version.product.startswith("Chrome/")
    assert version.version.count(".") == 3
    assert "HeadlessChrome" in version.user_agent
    assert engine.profile_dir is not None and engine.profile_dir.name == "fresh"
    # The fresh profile now holds what Chromium wrote, nothing else was there before.
    assert any(engine.profile_dir.iterdir())


def test_navigation_and_network_events(
    engine: ChromiumEngine, site: str, recorder: Recorder
) -> None:
    result = engine.navigate(site + "/").result(T)
    assert result.url == site + "/" and result.status == 200
    state = engine.page_state().result(T)
    assert (state.url, state.title) == (site + "/", "Q17 tall page")
    engine.navigate(site + "/second").result(T)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
        n.url == site + "/second" for n in recorder.navigations
    ):
        time.sleep(0.05)
    urls = [n.url for n in recorder.navigations]
    assert site + "/" in urls and site + "/second" in urls
    by_url = {r.url: r for r in recorder.requests}
    doc = by_url[site + "/"]
    assert (doc.method, doc.resource_type, doc.navigation, doc.main_frame) == (
        "GET", "document", True, True,
    )  # fmt: skip
    assert by_url[site + "/app.js"].resource_type == "script"
    assert by_url[site + "/pixel.gif"].resource_type == "image"
    assert not by_url[site + "/pixel.gif"].navigation
    assert abs(doc.time - time.time()) < 120
    # The callbacks run on the engine's thread, never the caller's.
    assert recorder.threads == {"quzheng-chromium"}


def test_calls_return_futures_at_once(engine: ChromiumEngine, site: str) -> None:
    began = time.monotonic()
    future = engine.navigate(site + "/slow")
    returned = time.monotonic() - began
    assert returned < 0.2 and not future.done()
    assert future.result(T).status == 200
    assert engine.page_state().result(T).title == "slow"


def test_viewport_screenshot_is_a_png_of_the_viewport(engine: ChromiumEngine, site: str) -> None:
    engine.navigate(site + "/").result(T)
    assert png_size(engine.screenshot().result(T)) == WINDOW


def test_full_page_png_is_as_tall_as_the_document(engine: ChromiumEngine, site: str) -> None:
    engine.navigate(site + "/").result(T)
    height = engine.evaluate("document.documentElement.scrollHeight").result(T)
    assert PAGE_HEIGHT <= height < PAGE_HEIGHT + 100  # the page, plus the margins
    data = engine.full_page().result(T)
    assert png_size(data) == (WINDOW[0], height)
    with Image.open(io.BytesIO(data)) as img:
        # The red band at the very bottom was drawn: beyond the viewport, not blank.
        r, g, b = img.convert("RGB").getpixel((WINDOW[0] // 2, height - 50))  # type: ignore[misc]
        assert r > 200 and g < 60 and b < 60


def test_full_page_of_24000_px(engine: ChromiumEngine, site: str) -> None:
    engine.navigate(site + "/h24000").result(T)
    height = engine.evaluate("document.documentElement.scrollHeight").result(T)
    assert 24000 <= height < 24100
    began = time.monotonic()
    data = engine.full_page().result(T)
    took = time.monotonic() - began
    assert png_size(data) == (WINDOW[0], height)
    with Image.open(io.BytesIO(data)) as img:
        r, _g, b = img.convert("RGB").getpixel((10, 23990))  # type: ignore[misc]
        assert b > 200 and r < 60  # the gradient's blue end: drawn down to the bottom
    print(f"full page 1024x24000: {took:.2f} s, {len(data)} bytes")


def test_mhtml_contains_the_page(engine: ChromiumEngine, site: str) -> None:
    engine.navigate(site + "/").result(T)
    mhtml = engine.mhtml().result(T)
    assert mhtml.startswith(b"From: <Saved by Blink>")
    assert b"Snapshot-Content-Location: " + (site + "/").encode() in mhtml
    # The text is quoted-printable in the HTML part: decode that part.
    import email

    message = email.message_from_bytes(mhtml)
    html = next(
        part.get_payload(decode=True)
        for part in message.walk()
        if part.get_content_type() == "text/html"
    )
    assert isinstance(html, bytes)
    assert EVIDENCE_TEXT in html.decode("utf-8")


def test_debians_chromium_plays_h264_and_aac(engine: ChromiumEngine) -> None:
    caps = engine.probe_media().result(T)
    for name in ("h264_aac", "h264", "aac"):
        assert caps[name]["mse"] is True, caps[name]
        assert caps[name]["element"] == "probably", caps[name]
    assert caps["vp9"]["mse"] is True
    assert set(caps["hevc"]) == {"type", "mse", "element"}
    # The probe ran in a page of its own, closed again: the capture page is untouched.
    assert engine.page_state().result(T).url.startswith("http://127.0.0.1:")


def test_screencast_delivers_jpeg_frames(engine: ChromiumEngine, site: str) -> None:
    engine.navigate(site + "/").result(T)
    frames: list[ScreencastFrame] = []
    enough = threading.Event()

    def on_frame(frame: ScreencastFrame) -> None:
        frames.append(frame)
        if len(frames) >= 10:
            enough.set()

    engine.start_screencast(on_frame, quality=70).result(T)
    try:
        assert enough.wait(20), f"only {len(frames)} frames"
    finally:
        engine.stop_screencast().result(T)
    count = len(frames)
    assert count >= 3
    for frame in frames[:3]:
        assert frame.data.startswith(b"\xff\xd8")
        with Image.open(io.BytesIO(frame.data)) as img:
            assert img.format == "JPEG"
            assert img.size == WINDOW
    stamps = [f.timestamp for f in frames]
    assert all(s is not None for s in stamps)
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    assert frames[0].metadata["deviceWidth"] == WINDOW[0]
    # Stopped: no more frames (one in flight may still land).
    time.sleep(0.5)
    settled = len(frames)
    time.sleep(0.5)
    assert len(frames) == settled
    # A second screencast can start after the first stopped.
    again: list[ScreencastFrame] = []
    engine.start_screencast(again.append).result(T)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not again:
        time.sleep(0.05)
    engine.stop_screencast().result(T)
    assert again


def test_errors_come_back_through_the_future(engine: ChromiumEngine) -> None:
    with pytest.raises(CaptureError) as caught:
        engine.navigate("http://127.0.0.1:9/", timeout_s=10).result(T)
    assert "navigate" in caught.value.message_en
    assert caught.value.__cause__ is not None
    # The engine still works afterwards.
    assert engine.evaluate("1 + 1").result(T) == 2
