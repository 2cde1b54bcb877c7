"""The live room on the real clock: the endless HTTP-FLV response over the range's own TLS
server, and the room page played by Debian's Chromium (headless, Playwright)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from forensics.range import LIVE_HOST, RangeServer, read_marker
from forensics.range.client import RangeConnection, client_context, fetch
from tests.forensics.range.conftest import SEED
from tests.forensics.range.flvread import decoded_audio, nal_units_of_avc_tag, read_flv, ts_packets

READ_S = 3.0


@pytest.fixture(scope="module")
def live(range_data: Path) -> Iterator[RangeServer]:
    """A range on the real clock: the FLV stream is paced by it."""
    with RangeServer(range_data, seed=SEED, now=time.time) as running:
        yield running


def _wait_for(check: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


def test_endless_flv_over_http11(live: RangeServer, tmp_path: Path) -> None:
    """Read /flv/live.flv for a few seconds, then hang up: the response is chunked and never
    ends, grows with the clock, starts on a key frame with the GOP cache at once, stays
    near the live edge, is a valid FLV that FFmpeg plays (picture and sound), carries the
    TS segments' own packets, and the server forgets the viewer when it goes."""
    assert live.timeline is not None
    baseline_tasks = live.task_count()
    connection = RangeConnection(LIVE_HOST, live.port, client_context(live.ca_cert_path))
    connection.request("GET", "/flv/live.flv")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("content-type") == "video/x-flv"
    assert response.getheader("transfer-encoding") == "chunked"
    assert response.getheader("content-length") is None
    data = bytearray()
    lag: list[float] = []  # stream clock minus the newest tag's time, as bytes arrive
    sizes: list[int] = []
    started = time.monotonic()
    while time.monotonic() - started < READ_S:
        chunk = response.read1(65536)
        assert chunk, "the live response must not end"
        data += chunk
        sizes.append(len(data))
        tags, _ = read_flv(bytes(data))
        media = [t for t in tags if t.kind in (8, 9)]
        if media and time.monotonic() - started > 0.5:
            lag.append(live.timeline.stream_seconds() - media[-1].timestamp / 1000)
    assert live.flv_viewers == 1
    connection.close()
    assert _wait_for(lambda: live.flv_viewers == 0), "the server still streams to no one"
    assert _wait_for(lambda: live.task_count() <= baseline_tasks), "a task was left behind"

    tags, used = read_flv(bytes(data))
    assert sizes == sorted(sizes) and len(sizes) > 10  # many small writes, not one burst
    assert [t.kind for t in tags[:3]] == [18, 9, 8]
    assert tags[1].body[:2] == b"\x17\x00" and tags[2].body[:2] == b"\xaf\x00"
    media = tags[3:]
    video = [t for t in media if t.kind == 9]
    assert video[0].body[0] >> 4 == 1  # the GOP cache starts on a key frame
    stamps = [t.timestamp for t in video]
    assert stamps == list(range(stamps[0], stamps[-1] + 1, 100))  # 10 fps, none missing
    # Paced by the clock: ~3 s read gives the GOP cache (up to 4 s) plus ~3 s of new frames,
    # and the newest tag is never far behind the stream clock.
    span = (stamps[-1] - stamps[0]) / 1000
    assert READ_S - 0.5 <= span <= READ_S + 2 * 2 + 0.5
    assert lag and max(lag) < 0.6, lag
    print(f"FLV lag behind the stream clock: max {max(lag):.3f} s, {len(data)} bytes")

    # The segments complete in the prefix carry the TS segments' own packets.
    flv_video = {t.timestamp: nal_units_of_avc_tag(t.body) for t in video}
    complete = [
        n
        for n in sorted({ms // 2000 for ms in flv_video})
        if all(n * 2000 + i * 100 in flv_video for i in range(20))
    ]
    assert complete
    flv_audio = {t.body[2:] for t in media if t.kind == 8}
    context = client_context(live.ca_cert_path)
    segments = RangeConnection(LIVE_HOST, live.port, context)
    try:
        for n in complete:
            reply = fetch(segments, f"/hls/seg/{n}.ts")
            assert reply.status == 200
            packets = ts_packets(reply.body)
            for ms, units in packets.video:
                assert flv_video[ms] == units
            assert {frame for _, frame in packets.audio[1:]} <= flv_audio
    finally:
        segments.close()

    prefix = tmp_path / "prefix.flv"
    prefix.write_bytes(bytes(data[:used]))
    with av.open(str(prefix)) as container:
        markers = [read_marker(f.to_image()) for f in container.decode(video=0)]
    frames = [m.frame for m in markers if m is not None]
    assert len(frames) == len(stamps) - 1 or len(frames) == len(stamps)
    assert frames == list(range(frames[0], frames[0] + len(frames)))
    rate, _, samples = decoded_audio(str(prefix))
    assert len(samples) > 0.8 * span * rate


def test_flv_stream_ends_when_the_range_stops(range_data: Path) -> None:
    with RangeServer(range_data, seed=SEED, now=time.time) as server:
        connection = RangeConnection(LIVE_HOST, server.port, client_context(server.ca_cert_path))
        connection.request("GET", "/flv/live.flv")
        response = connection.getresponse()
        assert response.read1(65536)[:3] == b"FLV"
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5  # a viewer does not hold the range up
        assert server.flv_viewers == 0
        # The response ends (cleanly, or cut with the connection): it does not hang.
        with contextlib.suppress(http.client.HTTPException, OSError):
            while response.read1(65536):
                assert time.monotonic() - started < 10
        connection.close()


# -- the room page in Chromium -----------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_STATE_JS = """() => {
  const v = document.getElementById('player');
  const q = v.getVideoPlaybackQuality();
  const box = document.getElementById('player-error');
  return {time: v.currentTime, frames: q.totalVideoFrames, paused: v.paused, muted: v.muted,
          error: v.dataset.playerError || null, errorText: box.hidden ? '' : box.textContent,
          mode: document.getElementById('player-mode').textContent,
          width: v.videoWidth, height: v.videoHeight, mime: v.dataset.mime || null};
}"""
# The picture the <video> shows now, as a PNG data URL (to read the frame marker).
_GRAB_JS = """() => {
  const v = document.getElementById('player');
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  c.getContext('2d').drawImage(v, 0, 0);
  return c.toDataURL('image/png');
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    args = [
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--autoplay-policy=no-user-gesture-required",
        "--host-resolver-rules=MAP *.range.test 127.0.0.1",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield launched
        finally:
            launched.close()


def _open_room(browser: Any, live: RangeServer, query: str, init_script: str = "") -> Any:
    context = browser.new_context(ignore_https_errors=True)  # the range's own CA
    page = context.new_page()
    if init_script:
        page.add_init_script(init_script)
    room = live.url(LIVE_HOST, f"/room/{live.content.stream.room_id}{query}")
    page.goto(room)
    return context, page


@pytest.mark.parametrize(("query", "mode"), [("", "HTTP-FLV"), ("?stream=hls", "HLS")])
def test_chromium_plays_the_live_room(
    browser: Any, live: RangeServer, query: str, mode: str, tmp_path: Path
) -> None:
    context, page = _open_room(browser, live, query)
    try:
        page.wait_for_function(
            "() => document.getElementById('player').currentTime > 0", timeout=15_000
        )
        before = page.evaluate(_STATE_JS)
        time.sleep(4)
        after = page.evaluate(_STATE_JS)
        assert after["error"] is None and after["errorText"] == ""
        assert after["mode"] == mode
        assert not after["paused"] and not after["muted"]  # autoplay with sound
        assert (after["width"], after["height"]) == (640, 360)
        assert after["time"] - before["time"] >= 2.0, (before, after)
        assert after["frames"] > before["frames"], (before, after)
        if mode == "HTTP-FLV":
            assert after["mime"].startswith('video/mp4; codecs="avc1.')
            assert live.flv_viewers >= 1
        # The picture on screen is the stream's own, near the live edge.
        assert live.timeline is not None
        png = page.evaluate(_GRAB_JS)
        now = live.timeline.stream_seconds()
        marker = read_marker(Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1]))))
        assert marker is not None
        latency = now - marker.frame / live.content.stream.fps
        print(f"{mode}: {latency:.2f} s behind the stream clock")
        assert 0 <= latency < (4.0 if mode == "HTTP-FLV" else 12.0)
    finally:
        context.close()
    if mode == "HTTP-FLV":
        assert _wait_for(lambda: live.flv_viewers == 0), "the closed page's stream lives on"


@pytest.mark.parametrize(
    ("query", "patch", "code"),
    [
        ("", "MediaSource.isTypeSupported = () => false;", "codecs"),
        ("?stream=hls", "HTMLMediaElement.prototype.canPlayType = () => '';", "hls"),
    ],
)
def test_a_browser_without_the_codecs_shows_an_error(
    browser: Any, live: RangeServer, query: str, patch: str, code: str
) -> None:
    """As a real site does in a browser without H.264/AAC (or native HLS): a visible error,
    and ``data-player-error`` on the video for the capture tool."""
    context, page = _open_room(browser, live, query, init_script=patch)
    try:
        page.wait_for_selector("video[data-player-error]", timeout=15_000)
        state = page.evaluate(_STATE_JS)
        assert state["error"] == code
        assert page.locator("#player-error").is_visible()
        if code == "codecs":
            assert "此浏览器无法播放 H.264/AAC" in state["errorText"]
        else:
            assert "HLS" in state["errorText"]
    finally:
        context.close()
