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
from forensics.trust import TrustPolicy


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
    # The officer is told which browser captures (the machine's Chromium here) and with what sound.
    assert "Capture browser: Chromium" in proc.stdout and "own sound only" in proc.stdout
    # Headless: Qt's messages go to the log and Chromium's own log is kept down.
    for noise in ("QRhiGles2", "propagateSizeHints", "dbus", "Traceback"):
        assert noise not in proc.stderr, proc.stderr[-2000:]
    package = out / "case.qzp"
    ids = IdentityStore(out / "home")
    report = verify_package(
        package, policy=TrustPolicy.of(ids.trusted_cas(), ids.trusted_tsa_pems())
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
    # Seal points are time-stamped while the session runs, not when it closes.
    shot = next(e["seq"] for e in entries if e["kind"] == "capture.screenshot")
    (end,) = [e["seq"] for e in entries if e["kind"] == "session.end"]
    tokens = {e["data"]["stamped_seq"]: e["seq"] for e in entries if e["kind"] == "timestamp"}
    assert tokens[shot] < end
    assert "report/report.pdf" in names and any(n.startswith("archive/") for n in names)
    # The live room's captures name the declared room and anchor and the stream seen.
    live = [e["data"]["live"] for e in entries if "live" in e.get("data", {})]
    assert {e["kind"] for e in entries if "live" in e.get("data", {})} >= {"capture.video", "mark"}
    room = live[0]
    assert room["room_id"].isdigit() and room["anchor_account"] and room["platform"] == "练习靶场"
    assert any(u.endswith("/flv/live.flv") for u in room["stream_urls"])  # HTTP-FLV, as real rooms

    _court_expert_verifies(out, package, tmp_path)


def _court_expert_verifies(out: Path, package: Path, tmp_path: Path) -> None:
    """A court's expert with an empty data home: "trust not established" with the three
    fingerprints; PASS after pinning the CA and the TSA root read from paper, or after
    trusting the two certificates; at most 15 lines when all is well."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    def sha(pem: Path) -> str:
        return x509.load_pem_x509_certificate(pem.read_bytes()).fingerprint(hashes.SHA256()).hex()

    ca, root = sha(out / "home" / "ca" / "ca-cert.pem"), sha(out / "tsa" / "root.pem")
    officers = {sha(out / "home" / "identities" / b / "cert.pem") for b in ("31000001", "31000002")}

    def verify(home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "QUZHENG_LANG": "en", "QUZHENG_HOME": str(home)}
        cmd = [sys.executable, "-m", "app.cli", "verify", str(package), *extra]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    empty = tmp_path / "expert-home"
    first = verify(empty)
    assert first.returncode == 3, first.stdout + first.stderr
    assert first.stdout.startswith("INTACT, TRUST NOT ESTABLISHED")
    for fp in (ca, root, *officers):
        assert fp in first.stdout, fp
    as_json = json.loads(verify(empty, "--json").stdout)
    assert as_json["verdict"] == "untrusted" and as_json["exit_code"] == 3
    prints = as_json["facts"]["fingerprints"]
    assert [c["sha256"] for c in prints["agency_ca"]] == [ca]
    assert {o["sha256"] for o in prints["officer"]} == officers
    assert [(r["sha256"], r["builtin"]) for r in prints["tsa_root"]] == [(root, True)]
    assert not [f for f in as_json["findings"] if f["severity"] == "error"]

    colons = ":".join(ca[i : i + 2] for i in range(0, 64, 2)).upper()  # as openssl prints it
    pinned = verify(empty, "--trust-fingerprint", colons, "--trust-fingerprint", root)
    assert pinned.returncode == 0, pinned.stdout
    lines = pinned.stdout.splitlines()
    assert lines[0].startswith("PASS") and len(lines) <= 15, pinned.stdout
    assert "Quzheng built-in TSA" in pinned.stdout and "trusted" in pinned.stdout

    trusting = tmp_path / "trusting-home"
    env = {**os.environ, "QUZHENG_HOME": str(trusting)}
    for args in (
        ["--tsa", str(out / "tsa" / "root.pem")],
        [str(out / "home" / "ca" / "ca-cert.pem")],
    ):
        cmd = [sys.executable, "-m", "app.cli", "identity", "trust", *args]
        assert subprocess.run(cmd, env=env, capture_output=True, timeout=60).returncode == 0
    assert verify(trusting).returncode == 0
