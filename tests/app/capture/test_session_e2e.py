"""A whole capture session against the practice range, with real parts: the recording proxy,
the range over TLS, Qt WebEngine offscreen, the case store and the built-in TSA.

The browser runs in a child process (see ``conftest``); the checks run here, on the case
the child wrote into: it verifies with every seal point stamped, the pictures have the
right sizes, the recording decodes with the right number of frames and shows the range's
on-screen claim at its time, and every response the browser received is in the sealed
WARC traffic. Killing the proxy mid-session stops capture and leaves the case verifying.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import av
import pytest
from PIL import Image

from app.capture.traffic import normalize_url
from forensics.case import Case
from forensics.entry_data import PAGE_KINDS
from forensics.ledger import Record
from forensics.range import build_content, read_marker
from forensics.range.video import claim_tone_hz
from forensics.timestamp import TsaServer
from tests.app.capture.conftest import Scenario, verify
from tests.conftest import World
from tests.forensics.package.test_entry_data import read_back
from tests.forensics.range.flvread import decoded_audio, goertzel_power


def records(case: Case, kind: str) -> list[Record]:
    return [r for r in case.ledger.records() if r.kind == kind]


def blob(case: Case, record: Record, n: int = 0) -> bytes:
    return case.store.blob_path(record.entry["items"][n]["sha256"]).read_bytes()


def warc_records(data: bytes) -> Iterator[Any]:
    from warcio.archiveiterator import ArchiveIterator

    yield from ArchiveIterator(io.BytesIO(data))


def sealed_responses(case: Case) -> dict[str, int]:
    """Normalised URL → HTTP status of every response record in the sealed traffic."""
    out: dict[str, int] = {}
    for record in records(case, "capture.traffic") + records(case, "capture.recovered"):
        if record.entry["items"][0]["media_type"] != "application/warc":
            continue
        for rec in warc_records(blob(case, record)):
            if rec.rec_type == "response":
                uri = rec.rec_headers.get_header("WARC-Target-URI")
                out[normalize_url(uri)] = int(rec.http_headers.get_statuscode())
    return out


@pytest.fixture
def full_run(case: Case, scenario: Scenario) -> dict[str, Any]:
    return scenario("full", case_id=case.case_id)


def test_full_session_on_the_range(
    full_run: dict[str, Any], case: Case, world: World, tsa: TsaServer
) -> None:
    run = full_run
    assert run["error"] is None and run["pending"] == 0
    report = verify(case, world, tsa)
    assert report.bottom_line, [f.text("en") for f in report.errors]
    assert "timestamps-complete" in {f.code for f in report.findings}
    # Every entry the session's producers wrote reads back through its type unchanged.
    assert {*PAGE_KINDS, "capture.traffic", "capture.video", "mark", "session.end"} <= read_back(
        case.ledger.records()
    )

    # session.start carries the tool qualification and the proxy disclosure (§A8).
    (start,) = [r for r in records(case, "session.start") if r.entry["session"] == run["session"]]
    tool = start.entry["data"]["tool"]
    assert len(tool["build_sha256"]) == 64 and tool["mitmproxy"] and tool["chromium"]
    # The capture browser is the machine's Chromium over CDP: program, version and build.
    browser = start.entry["data"]["browser"]
    assert run["engine"] == "chromium" and browser["engine"] == "chromium-cdp"
    assert browser["version"] and len(browser["program_sha256"]) == 64
    sound = start.entry["data"]["sound"]
    assert sound["captured"] is True and sound["backend"] == "pulseaudio-private-sink"
    assert start.entry["data"]["proxy"]["addon_sha256"] == tool["proxy_addon_sha256"]
    envs = [r.entry["data"]["phase"] for r in records(case, "env.check")]
    assert envs == ["before", "after"]
    (end,) = records(case, "session.end")
    assert len(end.entry["data"]["signers"]) == 2 and len(end.cosig) == 1
    assert end.entry["data"]["completed"] is True

    # The viewport screenshot is the size of the view and names its page and server.
    shot = case.ledger.records()[run["screenshot"]]
    assert shot.kind == "capture.screenshot"
    image = Image.open(io.BytesIO(blob(case, shot)))
    assert list(image.size) == run["viewport"]
    data = shot.entry["data"]
    assert normalize_url(data["url"]) == normalize_url(run["product_url"])
    assert [s["how"] for s in data["navigation"]][:2] == ["typed", "link"]
    server = data["server"]
    assert server["ip"] == "127.0.0.1" and server["traffic_segments"]
    assert server["tls"]["verified"] is True and server["tls"]["host"] == "shop.range.test"
    assert server["tls"]["leaf"]["subject"] and server["tls"]["chain_sha256"]
    assert data["logged_in_account"] is None
    stamped_while_running(case, shot)

    # The full page is as tall as the page (the range's long page is over 20,000 px).
    full = case.ledger.records()[run["full_page"]]
    assert full.kind == "capture.fullpage" and len(full.entry["items"]) == 1
    page = Image.open(io.BytesIO(blob(case, full)))
    assert page.size == (run["viewport"][0], run["long_height"]) and page.height >= 20_000
    # Rendered down to the end, lazy product photos included (placeholders are grey).
    assert _colourful(page.crop((0, page.height - 3000, page.width, page.height)))
    assert [p["flat_below_first_screen"] for p in full.entry["data"]["parts"]] == [False]

    # One picture drawn beyond the viewport by the browser: no stitching.
    assert "captureBeyondViewport" in full.entry["data"]["method"]

    # The snapshot holds the MHTML and the rendered DOM of the same page.
    snap = case.ledger.records()[run["snapshot"]]
    assert snap.entry["data"]["logged_in_account"] == "kailan_test（测试账号）"
    assert [i["media_type"] for i in snap.entry["items"]] == [
        "multipart/related",
        "text/html; charset=utf-8",
    ]
    assert b"Content-Type: multipart/related" in blob(case, snap, 0)[:4096]
    dom = blob(case, snap, 1).decode("utf-8")
    last_id = build_content(2026).products[-1].product_id
    assert dom.startswith("<!DOCTYPE html>") and last_id in dom

    # Every response the browser received is in the sealed WARC traffic.
    sealed = sealed_responses(case)
    for name, entries in run["pages"].items():
        for entry in entries:
            if entry["url"].startswith(("http://", "https://")):
                assert normalize_url(entry["url"]) in sealed, (name, entry["url"])
    for request in run["requests"]:
        if request["resource"] == "MainFrame":
            assert normalize_url(request["url"]) in sealed

    # The mark sits inside the recording.
    mark = case.ledger.records()[run["mark"]]
    assert mark.kind == "mark" and mark.entry["data"]["at_us"] >= 4_000_000
    assert "/room/" in mark.entry["data"]["page"]["url"]
    check_video(case, run, mark)

    # Live-stream facts (REQUIREMENTS §A3): the stream URL the player asked for, the player,
    # the platform (the page's host: this case declared no target); shop stills have none.
    live = case.ledger.records()[run["live_shot"]].entry["data"]["live"]
    assert live["platform"] == "live.range.test" and live["declared"] == {}
    # The room's player reads the endless HTTP-FLV stream, as real platforms serve it.
    assert any(u.endswith("/flv/live.flv") and "live.range.test" in u for u in live["stream_urls"])
    assert any(p["playing"] and p["width"] > 0 for p in live["players"])
    assert "/room/" in live["page_url"]
    assert mark.entry["data"]["live"]["stream_urls"] == live["stream_urls"]
    videos = [r for r in records(case, "capture.video") if r.entry["session"] == run["session"]]
    assert videos[-1].entry["data"]["live"]["stream_urls"] == live["stream_urls"]
    assert "live" not in shot.entry["data"] and "live" not in snap.entry["data"]


def check_video(case: Case, run: dict[str, Any], mark: Record) -> None:
    videos = [r for r in records(case, "capture.video") if r.entry["session"] == run["session"]]
    assert len(videos) >= 2  # 4-second segments over about 9 seconds
    rec_id = mark.entry["data"]["recording"]
    assert {v.entry["data"]["recording"] for v in videos} == {rec_id}
    frames_total = dropped = duration = 0
    rect = run["video_rect"]
    ox, oy = run["page_offset"]
    box = (
        round(ox + rect["x"]),
        round(oy + rect["y"]),
        round(ox + rect["x"] + rect["width"]),
        round(oy + rect["y"] + rect["height"]),
    )
    stream = run["stream"]
    claim = run["claim"]
    content = build_content(2026)
    seen_claims: set[int] = set()
    markers = 0
    heard: list[bool] = []  # per marker frame: the sound's pitch is that frame's claim's
    tones = {c.claim_id: claim_tone_hz(c) for c in content.stream.claims}
    tones[0] = claim_tone_hz(None)
    for video in videos:
        data = video.entry["data"]
        assert (data["width"], data["height"]) == tuple(x & ~1 for x in run["workspace"])
        assert any("/room/" in u for u in data["urls_shown"])
        with av.open(io.BytesIO(blob(case, video))) as container:
            frames = list(container.decode(video=0))
        assert len(frames) == data["frames"]
        # The browser's own sound is in the recording (a private sink on Linux).
        assert data["audio"]["captured"] is True and data["audio"]["codec"] == "aac"
        rate, start_s, sound = decoded_audio(io.BytesIO(blob(case, video)))
        # It runs to the segment's end (the first may start late: the sound server's
        # first chunk arrives a moment after the first picture).
        end_s = start_s + len(sound) / rate
        assert rate == 48_000 and end_s >= 0.9 * data["duration_us"] / 1e6, (start_s, end_s)
        frames_total += data["frames"]
        dropped += data["dropped_frames"]
        duration += data["duration_us"]
        started = data["started"]
        for frame in frames[::5]:
            marker = read_marker(frame.to_image().crop(box))
            if marker is None:
                continue
            markers += 1
            stream_s = marker.frame / stream["fps"]
            on_screen = content.stream.claim_at(stream_s)
            # The marker's claim is the one the range schedules at that stream time.
            assert marker.claim_id == (on_screen.claim_id if on_screen else 0)
            seen_claims.add(marker.claim_id)
            # The drone heard while this frame was shown is its claim's pitch.
            at = float(frame.pts * frame.time_base) - start_s
            window = sound[max(0, int((at - 0.4) * rate)) : int(at * rate)]
            if len(window) > 0.3 * rate:
                loudest = max(tones, key=lambda c: goertzel_power(window, rate, tones[c]))
                heard.append(loudest == marker.claim_id)
            # …and the stream time shown is the live time of the recorded frame, less the
            # player's buffer (it starts a few segments behind the live edge).
            wall = _epoch(started) + float(frame.pts * frame.time_base)
            live_s = wall + stream["shift"] - stream["origin"] + stream["preroll_s"]
            assert live_s - 15 <= stream_s <= live_s + 1, (stream_s, live_s)
    expected = duration / 1_000_000 * 10
    assert abs(frames_total + dropped - expected) <= 0.1 * expected + 2
    assert frames_total >= 0.6 * expected
    assert markers >= 5, "the live picture was not found in the recording"
    # What the anchor "said" (the range's tone per claim) is in the sound, in step with the
    # picture; a window may straddle a claim's start or end, so most, not all, agree.
    assert len(heard) >= 3 and sum(heard) >= 0.7 * len(heard), heard
    assert claim["id"] in seen_claims


def _colourful(image: Image.Image) -> bool:
    small = image.convert("RGB").resize((128, 300))
    pixels = [small.getpixel((x, y)) for x in range(128) for y in range(300)]
    vivid = sum(1 for p in pixels if max(p) - min(p) > 60)  # type: ignore[arg-type]
    return vivid > 0.02 * len(pixels)


def _epoch(text: str) -> float:
    from forensics.canonical import parse_time

    return parse_time(text).timestamp()


def test_proxy_death_stops_capture(
    case: Case, world: World, tsa: TsaServer, scenario: Scenario
) -> None:
    run = scenario("kill_proxy", case_id=case.case_id)
    assert run["noticed"], run["_stderr"][-3000:]
    assert "recording proxy stopped unexpectedly" in run["told"][0]
    assert run["summary_error"] == run["told"][0]
    assert run["recorder_state"] == "stopped" and run["address_enabled"] is False
    assert run["screenshot_error"] and run["mark_refused"] is True
    assert run["abort_on_gui_thread"] == [True]
    report = verify(case, world, tsa)
    assert report.bottom_line, [f.text("en") for f in report.errors]
    (end,) = records(case, "session.end")
    assert end.entry["data"]["completed"] is False
    assert "stopped unexpectedly" in end.entry["data"]["stopped_because"]["en"]
    # What the dead proxy had open (the shop page) was repaired and sealed, and the
    # recording up to the moment of the failure was sealed too.
    recovered = records(case, "capture.recovered")
    assert recovered and recovered[0].entry["data"]["state"] == "repaired-open-segment"
    urls = set(sealed_responses(case))
    assert any(u.startswith("https://shop.range.test") for u in urls)
    assert records(case, "capture.video")
    assert not records(case, "capture.screenshot")


def test_headless_run_capture(case: Case, world: World, tsa: TsaServer, scenario: Scenario) -> None:
    run = scenario("headless", case_id=case.case_id, lang="zh")
    assert run["code"] == 0, run
    text = "\n".join(run["lines"])
    assert "已封存" in text and "capture.screenshot" in text and "capture.video" in text
    assert "时间戳：已获取" in text
    kinds = [r.kind for r in case.ledger.records()]
    for kind in ("capture.screenshot", "capture.fullpage", "capture.snapshot", "mark"):
        assert kinds.count(kind) == 1, kind
    assert kinds.count("capture.video") >= 1 and kinds.count("capture.traffic") >= 1
    report = verify(case, world, tsa)
    assert report.bottom_line and "timestamps-complete" in {f.code for f in report.findings}
    shot = records(case, "capture.screenshot")[0]
    assert shot.entry["data"]["title"].startswith("营业执照")
    assert normalize_url(shot.entry["data"]["url"]) == normalize_url(run["url"])
    stamped_while_running(case, shot)


def stamped_while_running(case: Case, shot: Record) -> None:
    """Each seal point is stamped as it is sealed, not when the session closes: the
    screenshot's token is in the chain before session.end, obtained at once."""
    (end,) = records(case, "session.end")
    tokens = {r.entry["data"]["stamped_seq"]: r for r in records(case, "timestamp")}
    assert tokens[shot.seq].seq < end.seq, (tokens[shot.seq].seq, end.seq)
    assert tokens[shot.seq].entry["data"]["queued"] is False
