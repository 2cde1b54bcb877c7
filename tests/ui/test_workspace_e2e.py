"""The capture workspace end to end with real parts — the recording proxy, the practice
range over TLS, the capture browser (a Chromium-family browser over CDP, headless since Qt
draws offscreen; once more the Qt WebEngine fallback), the built-in TSA — driven in a child
pytest run (``workspace_child.py``). Here the case is checked: it verifies, and every capture, the
mark, the pause reason, the transcript and both officers' signatures are in it. Then the
main window and the case timeline are rendered (docs/screenshots)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app import settings
from app.installation import Installation
from forensics.case import Case
from forensics.entry_data import PAGE_KINDS
from forensics.ledger import Record
from forensics.ledger_checks import VerificationReport, verify_case_dir
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World
from tests.forensics.package.test_entry_data import read_back
from tests.ui.conftest import ROOT, SCREENSHOTS, save_screenshot
from tests.ui.screen_fit import screen_env
from ui.main_window import MainWindow
from ui.models.timeline import ROW_ROLE

CHILD_TIMEOUT_S = 300


def new_case(world: World) -> Case:
    return Case.create(
        world.home,
        world.lead,
        title="某直播间销售假冒“示例”品牌商品案",
        number="示市监案〔2026〕18号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        target={"platform": "练习靶场", "shop": "示例旗舰店", "room": "直播间"},
        location="示例市市场监督管理局 电子数据取证室",
        purpose="固定网店及直播间销售假冒商品的电子数据",
        officers=[world.second.officer],
        agency="示例市市场监督管理局",
    )


def run_child(
    world: World,
    case_id: str,
    scenario: str,
    tmp_path: Path,
    tsa_url: str,
    browser: str = "chromium",
) -> dict[str, Any]:
    """Run ``workspace_child.py::test_<scenario>`` with the capture browser ``browser``
    (setting ``browser.engine``) and return what it saw."""
    home = world.home
    # No internet in tests: the clock and egress checks fail fast (and warn, as they should).
    settings.set_value(home, "ntp.servers", "127.0.0.1")
    settings.set_value(home, "env.echo_urls", "http://127.0.0.1:9/")
    settings.set_value(home, "video.segment_seconds", "6")
    settings.set_value(home, "tsa.urls", tsa_url)
    settings.set_value(home, "browser.engine", browser)
    result = tmp_path / f"{scenario}.json"
    config = tmp_path / f"{scenario}-config.json"
    config.write_text(
        json.dumps(
            {
                "home": str(home),
                "case_id": case_id,
                "passphrase": PASSPHRASE,
                "badges": ["31000001", "31000002"],
                "result": str(result),
                # docs/screenshots show the workspace as officers have it (Chromium).
                "screenshots": str(SCREENSHOTS) if browser == "chromium" else "",
            }
        ),
        encoding="utf-8",
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        screen_env(tmp_path),  # offscreen, on the 1366×768 office laptop's screen
        QUZHENG_HOME=str(home),
        QUZHENG_UI_CONFIG=str(config),
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         f"tests/ui/workspace_child.py::test_{scenario}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
    )  # fmt: skip
    log = tmp_path / f"{scenario}-child.log"
    log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, f"child failed, see {log}\n" + proc.stdout[-3000:]
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return data


def verify(case: Case, world: World, tsa: TsaServer) -> VerificationReport:
    lines = [line for _, _, line in case.store.ledger_rows()]
    return verify_case_dir(
        case.store.dir,
        lines,
        TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()]),
    )


def of(case: Case, kind: str) -> list[Record]:
    return [r for r in case.ledger.records() if r.kind == kind]


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


@pytest.mark.parametrize(
    ("env", "platform", "headless"),
    [
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({}, "linux", True),  # a server or a container without a display
        ({"DISPLAY": ""}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen:fontengine=freetype"}, "win32", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),  # xcb without DISPLAY: nothing to show
        ({"QT_QPA_PLATFORM": "windows"}, "win32", False),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_browser_window_only_where_a_display_is(
    env: dict[str, str], platform: str, headless: bool
) -> None:
    """The officer works in the capture browser's window; headless only without a screen."""
    from app.desk.workspace_options import needs_headless

    assert needs_headless(env, platform) is headless


def test_capture_options_take_the_browser_settings(world: World) -> None:
    from app.desk.workspace_options import capture_options, needs_headless
    from app.desk.workspace_protocol import WorkspaceConfig

    settings.set_value(world.home, "browser.engine", "qtwebengine")
    settings.set_value(world.home, "browser.path", "/opt/chromium/chrome")
    config = WorkspaceConfig("case", "31000001", "", None, "zh_CN")
    options = capture_options(Installation(world.home), config, env_check=lambda *_a, **_k: None)
    assert (options.browser, options.browser_path) == ("qtwebengine", "/opt/chromium/chrome")
    assert options.headless is needs_headless()


def test_area_in_the_preview_is_sealed_in_css_pixels() -> None:
    """A rectangle in a screencast picture → the viewport's CSS pixels (device pixel ratio
    2: the picture is twice the viewport), clipped to the viewport."""
    from PySide6.QtCore import QRectF, QSize

    from app.desk.area import css_area

    frame, viewport = QSize(2560, 1600), (1280, 800)
    assert css_area(QRectF(80, 120, 960, 640), frame, viewport) == (40, 60, 480, 320)
    assert css_area(QRectF(2400, 1500, 400, 400), frame, viewport) == (1200, 750, 80, 50)
    assert css_area(QRectF(-50, -50, 40, 40), frame, viewport) is None
    assert css_area(QRectF(0, 0, 10, 10), QSize(), viewport) is None


@pytest.mark.slow
@pytest.mark.parametrize("browser", ["chromium", "qtwebengine"])
def test_capture_session_in_the_workspace(
    world: World, tsa: TsaServer, tmp_path: Path, qtbot: QtBot, zh: str, browser: str
) -> None:
    """The whole session in the workspace: on the Chromium-family browser (headless here,
    previewed in the workspace), and once on the Qt WebEngine fallback (embedded)."""
    world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    with new_case(world) as case:
        case_id = case.case_id
    run = run_child(world, case_id, "full", tmp_path, tsa.url, browser)

    # What the officer saw (in Chinese: nothing left untranslated).
    assert run["untranslated"] == []
    assert run["fit"] == []  # window, buttons, time-stamp column, mark field, status bar
    assert "已封存为账本第" in run["env_summary"] and "告警" in run["env_summary"]
    assert "告警及其含义" in run["env_dialog"]
    assert "127.0.0.1" in run["proxy_strip"]
    assert "shop.range.test" in run["tls_strip"]
    # Every capture action has a shortcut, listed in its menu.
    shortcuts = {k: [s for _, s in v] for k, v in run["menus"].items()}
    assert shortcuts == {
        "取证(&C)": ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"],
        "录像(&R)": ["Ctrl+M", "Ctrl+P", "Ctrl+T"],
        "会话(&S)": ["Ctrl+N", "Ctrl+Shift+Q"],
    }
    assert run["summary_error"] is None and run["pending"] == 0
    assert run["sealed_state"] == {
        "proxy": "代理：已停止", "close_action": False, "close_button": False,
    }  # fmt: skip
    assert [e["event"] for e in run["reported"]].count("closed") == 1
    assert run["engine"] == browser
    assert run["scroll_y"] > 0  # the area below is chosen on a scrolled page
    area = run["area"]
    if browser == "chromium":
        # The page runs in Chromium (headless: Qt draws offscreen); the workspace shows it.
        width, height = run["preview"]["pixmap"]
        assert width > 0 and height > 0
        assert "/item/" in run["preview"]["address"] and "预览" in run["preview"]["hint"]
        # The browser's clip is relative to the viewport, not to the top of the page.
        assert run["clip"] == {"scroll_y": run["scroll_y"], "size": [480, 320], "same": True}
        # Chosen over the preview, sealed in the viewport's CSS pixels (the preview is
        # scaled: a pixel or two either way).
        for key, want in {"x": 40, "y": 60, "width": 480, "height": 320}.items():
            assert abs(area[key] - want) <= 2, area
    else:
        assert "preview" not in run
        assert area == {"x": 40, "y": 60, "width": 480, "height": 320}
    assert run["area_image"] == [area["width"], area["height"]]

    with Case.open(world.home, case_id) as case:
        report = verify(case, world, tsa)
        assert report.bottom_line, [f.text("en") for f in report.errors]
        (start,) = of(case, "session.start")
        engine = start.entry["data"]["browser"]["engine"]
        assert engine == {"chromium": "chromium-cdp", "qtwebengine": "qtwebengine"}[browser]
        assert "timestamps-complete" in {f.code for f in report.findings}
        assert len(of(case, "capture.screenshot")) == 2
        assert of(case, "capture.screenshot")[1].entry["items"][0]["path"].endswith("area.png")
        # The area is sealed through the engine's steps: every fact a screenshot records.
        shot, area_shot = (r.entry["data"] for r in of(case, "capture.screenshot"))
        assert set(shot) <= set(area_shot) and "area" in area_shot
        for kind in ("capture.fullpage", "capture.snapshot", "capture.traffic", "capture.video"):
            assert of(case, kind), kind
        # Every entry each engine's producers wrote reads back through its type unchanged.
        assert {*PAGE_KINDS, "capture.traffic", "mark"} <= read_back(case.ledger.records())
        (mark,) = of(case, "mark")
        assert mark.entry["data"]["note"] == "主播口播“全场正品，假一赔十”"
        assert mark.entry["data"]["at_us"] > 0
        notes = [r.entry["data"] for r in of(case, "note")]
        assert any(
            n.get("event") == "recording.pause" and n["text"] == "主播离开直播间，等待返回"
            for n in notes
        )
        assert any(n.get("event") == "recording.resume" for n in notes)
        (derive,) = of(case, "derive")
        parent = derive.entry["data"]["parent"]
        videos = {r.entry["items"][0]["sha256"] for r in of(case, "capture.video")}
        assert parent["sha256"] in videos and derive.entry["data"]["lines"][1]["text"] == "全部正品"
        # Ten seconds and more in the live room: the recording covers it, in segments.
        duration = sum(r.entry["data"]["duration_us"] for r in of(case, "capture.video"))
        assert duration >= 10_000_000 and len(videos) >= 2
        phases = [r.entry["data"]["phase"] for r in of(case, "env.check")]
        assert phases == ["before", "after"]
        (end,) = of(case, "session.end")
        assert end.entry["data"]["completed"] is True and len(end.entry["data"]["signers"]) == 2

    # The main window and the case's timeline, in Chinese, as officers see them (with two
    # more cases in the list, as an office has).
    others = [
        Case.create(world.home, world.lead, title="某网店销售假冒运动鞋案", number="示市监案〔2026〕9号",
                    cause="涉嫌销售假冒注册商标的商品", target={"platform": "某电商平台", "shop": "凯岚潮品折扣店"},
                    officers=[world.second.officer]),
        Case.create(world.home, world.lead, title="直播带货取证练习", training=True,
                    number="训练〔2026〕3号", target={"platform": "练习靶场"}),
    ]  # fmt: skip
    for other in others:
        other.note(world.lead, "线索：权利人投诉")
        other.close()
    window = MainWindow(Installation(world.home), zh)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    window._refresh_now()
    assert window.cases.rowCount() == 3
    window.table.selectRow(window.cases.row_of(case_id))
    assert window.summary.details is not None and window.summary.details.case_id == case_id
    save_screenshot(window, "main_window.png")
    window.open_case(case_id)
    view = window.case_view
    rows = [view.model.data(view.model.index(r, 0), ROW_ROLE) for r in range(view.model.rowCount())]
    shot = next(n for n, r in enumerate(rows) if r.kind == "capture.screenshot")
    view.table.selectRow(shot)
    assert view.image_viewer.item.pixmap().width() > 0
    save_screenshot(window, "case_timeline.png")
    window.close()


@pytest.mark.slow
def test_proxy_death_stops_capture_and_the_tsa_queue_shows(
    world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    with new_case(world) as case:
        case_id = case.case_id
    run = run_child(world, case_id, "proxy_dies", tmp_path, dead_url())
    assert (
        run["queue_status"].startswith("时间戳排队：") and run["queue_status"] != "时间戳排队：无"
    )
    assert run["actions_enabled"] == [False] * 4 and run["address_enabled"] is False
    assert "取证代理意外停止" in run["told"] or "recording proxy" in run["told"]
    assert run["summary_error"] is not None and run["pending"] > 0
    assert "failed" in [e["event"] for e in run["reported"]]
    with Case.open(world.home, case_id) as case:
        report = verify(case, world, tsa)
        assert report.bottom_line, [f.text("en") for f in report.errors]
        (end,) = of(case, "session.end")
        assert end.entry["data"]["completed"] is False and end.entry["data"]["stopped_because"]
        assert len(end.entry["data"]["signers"]) == 2 and of(case, "capture.screenshot")


@pytest.mark.slow
def test_disk_full_while_recording_stops_capture(
    world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    with new_case(world) as case:
        case_id = case.case_id
    run = run_child(world, case_id, "disk_full", tmp_path, tsa.url)
    assert run["actions_enabled"] == [False] * 4
    assert "No space left on device" in run["told"] or "空间" in run["told"]
    with Case.open(world.home, case_id) as case:
        report = verify(case, world, tsa)
        assert report.bottom_line, [f.text("en") for f in report.errors]
        assert of(case, "capture.video")  # the segment before the failure stays sealed
        (end,) = of(case, "session.end")
        assert end.entry["data"]["completed"] is False
