"""The demo, as `make run` starts it without a display: the whole job on the practice range."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from forensics.identity import IdentityStore
from forensics.package import verify_package


@pytest.mark.slow
def test_demo_ends_with_a_package_that_verifies(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {**os.environ, "QUZHENG_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QUZHENG_HOME", None)
    env.pop("QUZHENG_CHROMIUM_LOG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--out", str(out), "--live-seconds", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Verdict: PASS" in proc.stdout
    # Headless: Qt's messages go to the log and Chromium's own log is kept down.
    for noise in ("QRhiGles2", "propagateSizeHints", "dbus", "Traceback"):
        assert noise not in proc.stderr, proc.stderr[-2000:]
    package = out / "case.qzp"
    ids = IdentityStore(out / "home")
    report = verify_package(
        package, trusted_cas=ids.trusted_cas(), trusted_tsas=ids.trusted_tsa_pems()
    )
    assert report.bottom_line, report.errors
    assert "timestamps-complete" in {f.code for f in report.findings}
    with zipfile.ZipFile(package) as zf:
        entries = [json.loads(x)["entry"] for x in zf.read("custody/ledger.jsonl").splitlines()]
        names = zf.namelist()
    kinds = [e["kind"] for e in entries]
    for kind in (
        "env.check", "session.start", "capture.screenshot", "capture.snapshot",
        "capture.fullpage", "capture.video", "mark", "capture.traffic", "session.end",
        "package.export",
    ):  # fmt: skip
        assert kind in kinds, kind
    assert kinds.count("env.check") == 2  # before and after
    assert "report/report.pdf" in names and any(n.startswith("archive/") for n in names)
    # The live room's captures name the declared room and anchor and the stream seen.
    live = [e["data"]["live"] for e in entries if "live" in e.get("data", {})]
    assert {e["kind"] for e in entries if "live" in e.get("data", {})} >= {"capture.video", "mark"}
    room = live[0]
    assert room["room_id"].isdigit() and room["anchor_account"] and room["platform"] == "练习靶场"
    assert any(u.endswith("/hls/live.m3u8") for u in room["stream_urls"])
