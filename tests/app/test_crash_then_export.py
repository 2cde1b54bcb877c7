"""A capture killed mid-run, then export (issue #16): what the crash left in ``work/`` is
sealed by the next command that acts as an officer, export refuses while a session is open
and names it by the id ``session end`` accepts, and the package then holds the recovered
traffic and video."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.capture.leftovers import pending
from forensics.case import Case
from forensics.package import PackageReader, verify_package
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


def written(paths: list[Path]) -> list[Path]:
    """Those of ``paths`` that hold bytes (a file sealed meanwhile is gone: left out)."""
    out = []
    for p in paths:
        try:
            if p.stat().st_size > 0:
                out.append(p)
        except FileNotFoundError:
            continue
    return out


def kill_mid_capture(case: Case, env: dict[str, str], url: str, port: int) -> None:
    """Start a real capture (proxy, browser, screen recording) and SIGKILL all of it once
    traffic and video are being written."""
    work = case.store.dir / "work"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.entry", "capture", url, "--case", case.case_id,
         "--officer", "31000001", "--officer", "31000002", "--video", "120",
         "--range-port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the capture ended before it could be killed"
            # The proxy's open segment and the recorder's open segment, both unsealed and
            # both holding bytes already (a file just created may hold none when the kill
            # lands, and an empty file is nothing to recover).
            traffic = written(list((work / "proxy").glob("traffic-*.open")))
            video = written(list(work.glob("session-*/video/*.mp4*")))
            if traffic and video:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the capture never wrote traffic and video")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_crash_then_export(world: World, tsa: TsaServer) -> None:
    from forensics.range import SHOP_HOST, RangeServer

    case = Case.create(
        world.home,
        world.lead,
        title="直播间销售假冒商品案",
        number="示市监案〔2026〕16号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        location="示例市市场监督管理局 取证室",
        purpose="固定网店销售假冒商品的电子数据",
        officers=[world.second.officer],
    )

    world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    env = {
        **os.environ,
        "QUZHENG_LANG": "en",
        "QUZHENG_OFFICER": "31000001",
        "QUZHENG_TSA_URLS": tsa.url,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    work = case.store.dir / "work"
    with RangeServer(world.home / "range", seed=2026) as server:
        kill_mid_capture(case, env, server.manifest.url(SHOP_HOST, "/"), server.port)
    left = pending(work)
    assert left, "the crash left nothing behind"
    before = {r.seq for r in case.ledger.records()}

    # A read-only command seals nothing but says what waits.
    shown = cli("case", "show", case.case_id, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "interrupted capture" in shown.stderr
    session = next(
        line.split(": ", 1)[1]
        for line in shown.stdout.splitlines()
        if line.startswith("Session not closed: ")
    )
    assert pending(work) == left

    # Export acts as an officer: the leftovers are sealed first, then it refuses, naming
    # the open session by its whole id.
    out = case.store.dir.parent / "crashed.qzp"
    refused = cli("export", "--case", case.case_id, "--out", str(out), env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert session in refused.stderr and "session end" in refused.stderr
    assert not out.exists()
    assert pending(work) == []
    recovered = [r for r in case.ledger.records() if r.kind == "capture.recovered"]
    assert {r.seq for r in recovered}.isdisjoint(before)
    kinds = {r.entry["data"]["kind"] for r in recovered}
    assert kinds == {"traffic", "video"}, kinds

    # The id export printed is accepted by 'session end'; then the export goes through.
    ended = cli(
        "session", "end", "--case", case.case_id, "--session", session,
        "--officer", "31000001", "--officer", "31000002", env=env,
    )  # fmt: skip
    assert ended.returncode == 0, ended.stderr
    done = cli("export", "--case", case.case_id, "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    with PackageReader(out) as reader:
        names = set(reader.names)
        ledger = [json.loads(x) for x in reader.read_control("custody/ledger.jsonl").splitlines()]
    for rec in recovered:
        for item in rec.items:
            assert item.path in names, item.path
    assert any(e["entry"]["kind"] == "capture.recovered" for e in ledger)
    report = verify_package(
        out, TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()])
    )
    assert report.bottom_line, [(f.code, f.message_en) for f in report.errors]
    case.close()
