"""Live-stream facts: which requests name a stream, what an entry's ``live`` block holds,
and the target the officers declared read back from the case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.capture.live import (
    MAX_STREAM_URLS,
    StreamLog,
    live_facts,
    parse_players,
    stream_kind,
)
from forensics.case import Case
from tests.conftest import World


def test_stream_kinds() -> None:
    assert stream_kind("https://live.example/hls/live.m3u8?token=1") == "manifest"
    assert stream_kind("https://cdn.example/a/b/index.MPD") == "manifest"
    assert stream_kind("https://pull.example/live/room.flv") == "manifest"
    assert stream_kind("https://cdn.example/seg/00012.ts") == "segment"
    assert stream_kind("https://live.range.test/webm/3.webm") == "segment"
    assert stream_kind("https://cdn.example/anything", "Media") == "segment"
    assert stream_kind("https://shop.example/item/1.html") is None
    assert stream_kind("https://img.example/p/1.jpg", "Image") is None


def test_stream_log_prefers_manifests_and_folds_segments() -> None:
    log = StreamLog()
    log.saw("https://live.example/webm/1.webm")
    log.saw("https://live.example/webm/2.webm")
    log.saw("https://shop.example/")
    assert log.urls() == ["https://live.example/webm/"]
    log.saw("https://live.example/hls/live.m3u8#x")
    log.saw("https://live.example/hls/live.m3u8")
    assert log.urls() == ["https://live.example/hls/live.m3u8"]
    for n in range(500):  # a playlist fetched with a fresh token each time stays bounded
        log.saw(f"https://live.example/hls/live.m3u8?token={n}")
    urls = log.urls()
    assert len(urls) == MAX_STREAM_URLS and urls[0] == "https://live.example/hls/live.m3u8"
    assert len(log._manifests) == MAX_STREAM_URLS


def test_live_block_only_when_a_stream_was_seen(world: World) -> None:
    with Case.create(
        world.home,
        world.lead,
        title="直播间",
        number="测试〔2026〕9号",
        cause="直播销售假冒商品",
        officers=[world.second.officer],
        target={"platform": "某直播平台", "room": "880123", "account": "anchor_li", "shop": ""},
    ) as case:
        target = case.target()
    assert target == {"platform": "某直播平台", "room": "880123", "account": "anchor_li"}
    page = "https://live.example/room/880123"
    assert live_facts(target, page, [], []) is None
    assert live_facts(target, page, [], [{"src": "", "playing": False}]) is None
    players = parse_players('[{"src": "blob:https://live.example/1", "playing": true}, 3]')
    block = live_facts(target, page, ["https://live.example/hls/live.m3u8"], players)
    assert block is not None
    assert (block["platform"], block["room_id"], block["anchor_account"]) == (
        "某直播平台",
        "880123",
        "anchor_li",
    )
    assert block["declared"] == {
        "platform": "某直播平台",
        "room_id": "880123",
        "anchor_account": "anchor_li",
    }
    assert block["players"] == [{"src": "blob:https://live.example/1", "playing": True}]
    assert block["stream_urls"] == ["https://live.example/hls/live.m3u8"]
    # Nothing declared: the platform is the page's host, and the block says nothing was.
    bare = live_facts({}, page, ["https://live.example/hls/live.m3u8"])
    assert bare is not None and bare["platform"] == "live.example" and bare["declared"] == {}
    assert "players" not in bare
    assert parse_players("not json") == [] and parse_players(None) == []
    # Page values are checked: no floats (canonical JSON has none), no stray keys or types.
    odd = parse_players(
        '[{"src": "x", "playing": 1, "width": 640.0, "height": 360.5, "position_ms": 12, "e": 1}]'
    )
    assert odd == [{"src": "x", "width": 640, "position_ms": 12}]


def test_a_live_page_captured_without_recording_carries_a_warning(tmp_path: Path) -> None:
    from app.capture.actions import LIVE_UNRECORDED, ActionContext, with_live
    from forensics.entry_data import PageData

    recording = [False]
    ctx = ActionContext(
        browser=None,  # type: ignore[arg-type]  # the check reads only ``recording``
        sealer=None,  # type: ignore[arg-type]
        work_dir=tmp_path,
        server_info=lambda url: {},
        check_alive=lambda: None,
        recording=lambda: recording[0],
    )
    page = PageData(
        url="https://live.example/room/1",
        requested_url="https://live.example/room/1",
        title="room",
        captured_at="2026-12-07T00:00:00Z",
        viewport={"width": 800, "height": 600},
        zoom_percent=100,
        navigation=(),
        logged_in_account=None,
    )
    playing: dict[str, Any] = {"players": [{"playing": True}], "stream_urls": []}
    facts = with_live(ctx, page, playing).to_json()
    assert facts["live"] == playing
    assert facts["warning"]["code"] == LIVE_UNRECORDED["code"] and "录像" in facts["warning"]["zh"]
    recording[0] = True
    facts = with_live(ctx, page, playing).to_json()
    assert facts["live"] == playing and "warning" not in facts
    recording[0] = False
    quiet: dict[str, Any] = {"players": [{"playing": False}], "stream_urls": []}
    assert "warning" not in with_live(ctx, page, quiet).to_json()
    assert with_live(ctx, page, None) == page
