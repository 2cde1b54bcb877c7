"""``MediaWatch``: CDP Media domain events → findings, with recorded events and with the
real browser (Debian's /usr/bin/chromium, headless) playing media it can and cannot play;
and ``CaptureSession.attach``'s side (a sealed note, a warning, the officer told)."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import av
import pytest
from PIL import Image
from PySide6.QtCore import QObject

from app.capture.chromium.browser import ChromiumBrowser
from app.capture.chromium.engine import ChromiumEngine, EngineConfig
from app.capture.chromium.media_watch import MAX_FINDINGS, MediaWatch, describe_finding
from app.capture.navlog import NavigationLog
from app.capture.session import CaptureSession
from forensics.canonical import canonical_bytes
from tests.app.capture.chromium.conftest import CHROMIUM, needs_chromium, serve

T = 60
FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SITE = "http://127.0.0.1:8000"

# -- recorded events (Chromium 156, Debian) ------------------------------------------------


def _events(pid: str, url: str) -> dict[str, Any]:
    return {
        "playerId": pid,
        "events": [
            {"timestamp": 1.5, "value": '{"event":"kWebMediaPlayerCreated","origin_url":"x"}'},
            {"timestamp": 1.6, "value": f'{{"event":"kLoad","url":"{url}"}}'},
            {"timestamp": 1.7, "value": '{"event":"kPipelineStateChange","pipeline_state":"kStopped"}'},
        ],
    }  # fmt: skip


def _props(pid: str, frame: str, *extra: dict[str, str]) -> dict[str, Any]:
    return {
        "playerId": pid,
        "properties": [
            {"name": "kRendererName", "value": "RendererImpl"},
            {"name": "kFrameUrl", "value": frame},
            *extra,
        ],
    }


HEVC_MESSAGES = {
    "playerId": "P1",
    "messages": [
        {
            "level": "debug",
            "message": "Warning, FFmpegDemuxer failed to create a valid/supported video decoder "
            "configuration from muxed stream, config:codec: hevc, profile: hevc main, level: not "
            "available, encryption scheme: Unencrypted",
        },
        {"level": "info", "message": "FFmpegDemuxer: skipping invalid or unsupported video track"},
        {"level": "error", "message": "FFmpegDemuxer: no supported streams"},
    ],
}
HEVC_ERRORS = {
    "playerId": "P1",
    "errors": [
        {
            "errorType": "PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS",
            "code": 14,
            "stack": [{"file": "media/filters/ffmpeg_demuxer.cc", "line": 1582}],
            "cause": [],
            "data": {},
        }
    ],
}
H264_TRACKS = {
    "name": "kVideoTracks",
    "value": '[{"codec":"h264","encryption scheme":"Unencrypted","profile":"h264 high"}]',
}
H264_MESSAGES = {
    "playerId": "P2",
    "messages": [
        {"level": "info", "message": "FFmpegDemuxer: created video stream, config codec: h264"},
        {
            "level": "info",
            "message": "Cannot select DecryptingVideoDecoder for video decoding. "
            "status=DecoderStatus::Codes::kUnsupportedEncryptionMode",
        },
        {"level": "info", "message": "Selected FFmpegVideoDecoder for video decoding"},
    ],
}
CENC_TRACKS = {
    "name": "kVideoTracks",
    "value": '[{"codec":"h264","encryption scheme":"CENC","profile":"h264 high"}]',
}


def feed(watch: MediaWatch, *events: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, params in events:
        out.extend(watch.handle(name, params))
    return out


def hevc_failure(pid: str = "P1") -> list[tuple[str, dict[str, Any]]]:
    return [
        ("Media.playerEventsAdded", _events(pid, f"{SITE}/hevc-{pid}.mp4")),
        ("Media.playerPropertiesChanged", _props(pid, f"{SITE}/page")),
        ("Media.playerMessagesLogged", {**HEVC_MESSAGES, "playerId": pid}),
        ("Media.playerErrorsRaised", {**HEVC_ERRORS, "playerId": pid}),
    ]


def new_watch(**kw: Any) -> tuple[MediaWatch, list[dict[str, Any]]]:
    given: list[dict[str, Any]] = []
    watch = MediaWatch(given.append, page_url=lambda: SITE + "/page", now=lambda: FIXED, **kw)
    return watch, given


# -- the mapping ---------------------------------------------------------------------------


def test_an_unsupported_codec_is_one_finding() -> None:
    watch, given = new_watch()
    found = feed(watch, *hevc_failure())
    assert found == given and len(given) == 1
    f = given[0]
    assert f["kind"] == "error" and f["drm"] is False
    assert f["player_id"] == "P1"
    assert f["player_url"] == SITE + "/hevc-P1.mp4"
    assert f["frame_url"] == f["page_url"] == SITE + "/page"
    assert f["media"] == {
        "video_codec": "hevc",
        "audio_codec": None,
        "unsupported": ["video: hevc"],
        "encryption": [],
    }
    assert f["error"] == {
        "type": "PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS",
        "code": 14,
        "causes": [],
        "messages": ["FFmpegDemuxer: no supported streams"],
    }
    assert f["time"] == "2026-01-02T03:04:05.000000Z"
    assert "video: hevc" in f["en"] and "DEMUXER_ERROR_NO_SUPPORTED_STREAMS" in f["en"]
    assert "浏览器无法播放" in f["zh"] and SITE + "/hevc-P1.mp4" in f["zh"]
    assert (f["en"], f["zh"]) == describe_finding(f)
    canonical_bytes(f)  # sealable as it is: no floats
    # The error held back no message of its own: nothing more later.
    assert watch.flush() == [] and len(given) == 1


def test_the_same_failure_again_is_not_a_new_finding() -> None:
    watch, given = new_watch()
    feed(watch, *hevc_failure(), *hevc_failure())
    assert len(given) == 1
    # Another kind of error of the same player is a finding of its own.
    decode = {"playerId": "P1", "errors": [{"errorType": "PipelineStatus::PIPELINE_ERROR_DECODE",
              "code": 3, "cause": [{"errorType": "DecoderStatus::1", "code": 1}],
              "data": {"ratio": 0.5}}]}  # fmt: skip
    (f,) = feed(watch, ("Media.playerErrorsRaised", decode))
    assert f["error"]["causes"] == ["DecoderStatus::1"]
    assert f["error"]["data"] == {"ratio": "0.5"}  # no floats in a sealed entry
    canonical_bytes(f)


def test_findings_are_bounded() -> None:
    watch, given = new_watch()
    for n in range(MAX_FINDINGS + 5):
        feed(watch, *hevc_failure(f"P{n}"))
    assert len(given) == MAX_FINDINGS and watch.dropped == 5
    assert len({f["player_id"] for f in given}) == MAX_FINDINGS


def test_media_that_plays_gives_nothing() -> None:
    watch, given = new_watch()
    feed(
        watch,
        ("Media.playerEventsAdded", _events("P2", SITE + "/h264.mp4")),
        ("Media.playerPropertiesChanged", _props("P2", SITE + "/page", H264_TRACKS,
         {"name": "kIsVideoDecryptingDemuxerStream", "value": "false"})),
        ("Media.playerMessagesLogged", H264_MESSAGES),
    )  # fmt: skip
    assert given == [] and watch.flush() == []


def test_an_encrypted_stream_is_reported_once() -> None:
    watch, given = new_watch()
    props = _props("P3", SITE + "/page", CENC_TRACKS)
    feed(
        watch,
        ("Media.playerEventsAdded", _events("P3", "blob:" + SITE + "/0b1c")),
        ("Media.playerPropertiesChanged", props),
        ("Media.playerPropertiesChanged", props),
    )
    (f,) = given
    assert f["kind"] == "encrypted" and f["drm"] is True
    assert f["media"]["encryption"] == ["video: CENC"]
    assert f["media"]["video_codec"] == "h264"
    assert f["player_url"] == "blob:" + SITE + "/0b1c"
    assert "DRM" in f["en"] and "CENC" in f["en"] and "加密" in f["zh"]
    # A decrypting demuxer stream says the same (older builds give no track list).
    watch2, given2 = new_watch()
    feed(watch2, ("Media.playerPropertiesChanged", _props("P4", SITE,
         {"name": "kIsAudioDecryptingDemuxerStream", "value": "true"})))  # fmt: skip
    assert given2[0]["media"]["encryption"] == ["audio: encrypted"]


def test_an_error_message_alone_is_held_then_given() -> None:
    watch, given = new_watch(grace_s=60)  # given by flush(), not the timer
    cdm = {"playerId": "P5", "messages": [
        {"level": "error", "message": "CDM: failed to create session for key system"}]}  # fmt: skip
    assert feed(watch, ("Media.playerMessagesLogged", cdm)) == []
    (f,) = watch.flush()
    assert f["kind"] == "error" and f["drm"] is True
    assert f["error"]["type"] == "error message"
    assert f["error"]["messages"] == ["CDM: failed to create session for key system"]
    assert "DRM" in f["en"]
    assert given == [f] and watch.flush() == []


def test_a_held_message_goes_with_the_players_error() -> None:
    watch, given = new_watch(grace_s=0.2)
    feed(watch, ("Media.playerMessagesLogged", HEVC_MESSAGES))
    assert given == []
    feed(watch, ("Media.playerErrorsRaised", HEVC_ERRORS))
    time.sleep(0.5)  # past the grace timer: it finds nothing left
    assert len(given) == 1 and given[0]["error"]["type"].endswith("NO_SUPPORTED_STREAMS")


def test_the_grace_timer_gives_a_lone_message() -> None:
    watch, given = new_watch(grace_s=0.1)
    feed(watch, ("Media.playerMessagesLogged", {"playerId": "P6", "messages": [
        {"level": "error", "message": "Stream parsing failed"}]}))  # fmt: skip
    deadline = time.monotonic() + 5
    while not given and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [f["error"]["messages"] for f in given] == [["Stream parsing failed"]]


def test_odd_events_are_ignored_and_a_failing_callback_is_contained() -> None:
    def boom(_finding: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    watch = MediaWatch(boom)
    for params in ({}, {"playerId": 3}, {"playerId": "X", "events": "no"},
                   {"playerId": "X", "events": [{"value": "{not json"}, 7]},
                   {"playerId": "X", "properties": [{"name": "kVideoTracks", "value": "[["}]},
                   {"playerId": "X", "messages": [None, {"level": "error"}]},
                   {"playerId": "X", "errors": [None, "x"]}):  # fmt: skip
        for name in ("Media.playerEventsAdded", "Media.playerPropertiesChanged",
                     "Media.playerMessagesLogged", "Media.playerErrorsRaised"):  # fmt: skip
            watch.handle(name, params)
    assert watch.findings == []
    feed(watch, *hevc_failure())  # the callback raises: logged, the finding is still kept
    assert len(watch.findings) == 1


# -- the real browser ----------------------------------------------------------------------


def _frames() -> Iterator[av.VideoFrame]:
    for i in range(30):
        yield av.VideoFrame.from_image(Image.new("RGB", (64, 48), (i * 8 % 255, 80, 160)))


def make_mp4(codec: str, *, tag: str | None = None, options: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4", options=options or {}) as out:
        stream = out.add_stream(codec, rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        if codec == "libx265":
            stream.options = {"x265-params": "log-level=none"}
        if tag:
            stream.codec_tag = tag
        for frame in _frames():
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def video_page(src: str) -> bytes:
    return f"<!doctype html><title>v</title><video src='{src}' muted autoplay></video>".encode()


# An encrypted (CENC) fragmented MP4 given to Media Source Extensions, with no MediaKeys:
# the player reads the encrypted track and waits for a key that never comes.
MSE_PAGE = b"""<!doctype html><title>mse</title><video muted autoplay></video><script>
const v = document.querySelector('video'), ms = new MediaSource();
v.src = URL.createObjectURL(ms);
ms.addEventListener('sourceopen', async () => {
  const sb = ms.addSourceBuffer('video/mp4; codecs="avc1.64000a"');
  sb.appendBuffer(await (await fetch('/cenc.mp4')).arrayBuffer());
});</script>"""
CENC = {
    "encryption_scheme": "cenc-aes-ctr",
    "encryption_key": "00112233445566778899aabbccddeeff",
    "encryption_kid": "a7e61c373e219033c21091fa607bf3b8",
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
}


@pytest.fixture(scope="module")
def media_site() -> Iterator[str]:
    html = "text/html; charset=utf-8"
    routes = {
        "/h264.mp4": ("video/mp4", make_mp4("libx264")),
        "/hevc.mp4": ("video/mp4", make_mp4("libx265", tag="hvc1")),
        "/junk.mp4": ("video/mp4", b"these bytes are no video at all. " * 100),
        "/cenc.mp4": ("video/mp4", make_mp4("libx264", options=CENC)),
        "/h264": (html, video_page("/h264.mp4")),
        "/hevc": (html, video_page("/hevc.mp4")),
        "/junk": (html, video_page("/junk.mp4")),
        "/missing": (html, video_page("/missing.mp4")),
        "/mse": (html, MSE_PAGE),
    }
    with serve(routes) as url:
        yield url


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromiumEngine]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing")
    profile = tmp_path_factory.mktemp("media-profile") / "fresh"
    eng = ChromiumEngine(EngineConfig(CHROMIUM, headless=True, profile_dir=profile))
    eng.start().result(T)
    yield eng
    eng.close().result(T)


class Collected:
    def __init__(self) -> None:
        self.findings: list[dict[str, Any]] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, finding: dict[str, Any]) -> None:
        with self._lock:
            self.threads.add(threading.current_thread().name)
            self.findings.append(finding)

    def wait(self, n: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.findings) >= n:
                    break
            time.sleep(0.05)
        with self._lock:
            return list(self.findings)


def watch_page(engine: ChromiumEngine, url: str) -> tuple[MediaWatch, Collected]:
    engine.navigate("about:blank").result(T)  # no player of an earlier test is replayed
    got = Collected()
    watch = MediaWatch(got, page_url=lambda: url)
    watch.start(engine).result(T)
    engine.navigate(url).result(T)
    return watch, got


@needs_chromium
def test_real_unsupported_codec(engine: ChromiumEngine, media_site: str) -> None:
    probe = engine.probe_media().result(T)
    if probe["hevc"]["element"]:
        pytest.skip("this browser plays HEVC")
    _watch, got = watch_page(engine, media_site + "/hevc")
    (f,) = got.wait()
    assert f["kind"] == "error"
    assert f["player_url"] == media_site + "/hevc.mp4"
    assert f["frame_url"] == f["page_url"] == media_site + "/hevc"
    assert f["error"]["type"] == "PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS"
    assert isinstance(f["error"]["code"], int)
    assert f["media"]["video_codec"] == "hevc" and f["media"]["unsupported"] == ["video: hevc"]
    assert got.threads == {"quzheng-chromium"}  # the engine's thread
    canonical_bytes(f)


@needs_chromium
def test_real_bytes_that_are_no_media(engine: ChromiumEngine, media_site: str) -> None:
    _watch, got = watch_page(engine, media_site + "/junk")
    (f,) = got.wait()
    assert f["player_url"] == media_site + "/junk.mp4"
    assert f["error"]["type"] == "PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN"
    assert f["error"]["messages"]  # "FFmpegDemuxer: open context failed"


@needs_chromium
def test_real_h264_plays_without_a_finding(engine: ChromiumEngine, media_site: str) -> None:
    watch, got = watch_page(engine, media_site + "/h264")
    deadline = time.monotonic() + 15
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = engine.evaluate_isolated(
            "(() => { const v = document.querySelector('video');"
            " return {error: v.error && v.error.code, played: v.currentTime > 0 || v.ended}; })()"
        ).result(T)
        if state["played"] or state["error"]:
            break
        time.sleep(0.1)
    assert state == {"error": None, "played": True}
    time.sleep(1.0)
    assert got.wait(timeout=0) == [] and watch.flush() == []


@needs_chromium
def test_real_encrypted_media_is_reported(engine: ChromiumEngine, media_site: str) -> None:
    _watch, got = watch_page(engine, media_site + "/mse")
    (f,) = got.wait()
    assert f["kind"] == "encrypted" and f["drm"] is True
    assert f["media"]["encryption"] == ["video: CENC"]
    assert f["player_url"].startswith("blob:" + media_site)


@needs_chromium
def test_real_missing_media_gives_no_media_event(engine: ChromiumEngine, media_site: str) -> None:
    """A 404 for the media: the Media domain only says ``kLoad`` (the network error reaches
    the element, not the media log). Recorded here so a change in Chromium shows up."""
    watch, got = watch_page(engine, media_site + "/missing")
    time.sleep(2.0)
    assert got.wait(timeout=0) == [] and watch.flush() == []


# -- the session's side --------------------------------------------------------------------


class _Browser(ChromiumBrowser):
    """A ``ChromiumBrowser`` around the test's engine (no proxy, no second browser)."""

    def __init__(self, engine: ChromiumEngine, url: str) -> None:
        QObject.__init__(self)
        self.engine = engine
        self.navlog = NavigationLog(lambda: FIXED)
        self._url = url


@needs_chromium
def test_session_attach_seals_warns_and_tells(engine: ChromiumEngine, media_site: str) -> None:
    sealed: list[tuple[str, dict[str, Any]]] = []
    said: list[str] = []
    session: Any = SimpleNamespace(
        case=SimpleNamespace(target=lambda: {}),
        error=None,
        _abort=lambda _err: None,
        sealer=SimpleNamespace(append=lambda kind, data: sealed.append((kind, data))),
        warnings=[],
        _say=said.append,
    )
    engine.navigate("about:blank").result(T)
    CaptureSession.attach(session, _Browser(engine, media_site + "/junk"))
    engine.navigate(media_site + "/junk").result(T)
    deadline = time.monotonic() + 15
    while not sealed and time.monotonic() < deadline:
        time.sleep(0.05)
    ((kind, data),) = sealed
    assert kind == "note" and data["event"] == "media-unplayable"
    finding = data["media"]
    assert finding["player_url"] == media_site + "/junk.mp4"
    assert finding["page_url"] == media_site + "/junk"
    assert data["text"] == f"{finding['zh']} / {finding['en']}"
    assert session.warnings == [finding["en"]]
    assert said == [data["text"]]
    canonical_bytes(data)
