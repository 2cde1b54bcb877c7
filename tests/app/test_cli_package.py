"""export / verify / transfer / import-package through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from forensics.identity import IdentityStore
from forensics.timestamp import TsaServer
from tests.conftest import World
from tests.received import certified_officers


@pytest.fixture
def tsa(tmp_path: Path, world: World) -> Iterator[TsaServer]:
    with TsaServer(tmp_path / "tsa") as server:
        world.ids.trust_tsa(server.trust_anchor_path.read_bytes(), "test-tsa")
        yield server


def q(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_verify_transfer_receive(world: World, tsa: TsaServer, tmp_path: Path) -> None:
    env = {"QUZHENG_OFFICER": "31000001", "QUZHENG_TSA_URLS": tsa.url}
    case_id = q(
        "case", "new", "--title", "命令行导出", "--number", "示市监案〔2026〕7号",
        "--cause", "涉嫌销售假冒商品", "--purpose", "固定证据", "--location", "取证室",
        "--officer", "31000002", env=env,
    ).stdout.strip()  # fmt: skip
    session = q("session", "start", "--case", case_id, env=env).stdout.strip()
    photo = tmp_path / "photo.txt"
    photo.write_text("现场记录")
    assert q("import", str(photo), "--case", case_id, env=env).returncode == 0
    end = q("session", "end", "--case", case_id, "--session", session, "--officer", "31000001", "--officer", "31000002", env=env)  # fmt: skip
    assert end.returncode == 0, end.stderr

    pkg = tmp_path / "out.qzp"
    pw = tmp_path / "pw"
    pw.write_text("package password 9\n")
    proc = q("export", "--case", case_id, "--out", str(pkg), "--password-file", str(pw), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "SHA-256" in proc.stdout and pkg.with_name("out.qzp.seal.json").is_file()

    proc = q("verify", str(pkg), "--password-file", str(pw), "--json", env=env)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["verdict"] == "pass"
    bad = tmp_path / "bad-pw"
    bad.write_text("nope nope nope")
    proc = q("verify", str(pkg), "--password-file", str(bad))
    assert proc.returncode == 2 and "password" in proc.stderr and "Traceback" not in proc.stderr

    proc = q(
        "transfer", "--case", case_id, "--package", str(pkg), "--to-name", "赵警官",
        "--to-agency", "示例市公安局", "--reason", "移送", env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr

    police_home = tmp_path / "police"
    ids = IdentityStore(police_home)
    certified_officers(ids, (("赵警官", "P0001"),), "示例市公安局")
    for p in (world.home / "trust").glob("*.pem"):
        ids.trust_ca(p.read_bytes(), "sender-" + p.stem)
    ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "tsa")
    penv = {
        "QUZHENG_HOME": str(police_home),
        "QUZHENG_OFFICER": "P0001",
        "QUZHENG_TSA_URLS": tsa.url,
    }
    proc = q("import-package", str(pkg), "--password-file", str(pw), env=penv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == case_id
    proc = q("verify", case_id, env=penv)
    assert proc.returncode == 0, proc.stdout
    assert "custody.receive" in q("case", "log", case_id, env=penv).stdout

    # A flipped byte in the sealed package file: the detached seal catches it.
    data = bytearray(pkg.read_bytes())
    data[len(data) // 3] ^= 0x10
    pkg.write_bytes(bytes(data))
    proc = q("verify", str(pkg), "--password-file", str(pw), "--json")
    assert proc.returncode == 1
    codes = {f["code"] for f in json.loads(proc.stdout)["findings"]}
    assert "seal-sha256-mismatch" in codes
