"""The command line as a user meets it: output, exit codes, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from forensics.case import IMPORT_BATCH_FILES
from forensics.timestamp import TsaServer
from tests.conftest import PASSPHRASE, World


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a child process, as an officer would run it."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_clean_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("quzheng: "), proc.stderr
    return lines[0]


def test_identity_case_import_note_verify(world: World, tmp_path: Path) -> None:
    env = {"QUZHENG_OFFICER": "31000001"}
    proc = run("case", "new", "--title", "命令行案件", "--officer", "31000002", env=env)
    assert proc.returncode == 0, proc.stderr
    case_id = proc.stdout.strip()
    evidence = tmp_path / "商品页.html"
    evidence.write_text("<h1>正品保证</h1>", encoding="utf-8")
    proc = run("import", str(evidence), "--case", case_id, env=env)
    assert proc.returncode == 0, proc.stderr
    _seq, path, sha, sm3 = proc.stdout.strip().split("\t")
    assert path.endswith("商品页.html") and sha.startswith("sha256:") and sm3.startswith("sm3:")
    assert run("note", "已复核", "--case", case_id[:8], env=env).returncode == 0
    proc = run("case", "list")
    assert case_id in proc.stdout and "命令行案件" in proc.stdout
    proc = run("verify", case_id, env={"QUZHENG_LANG": "zh"})
    assert proc.returncode == 0 and "校验通过" in proc.stdout
    proc = run("case", "log", case_id)
    kinds = [json.loads(line)["entry"]["kind"] for line in proc.stdout.strip().splitlines()]
    assert kinds == ["case.open", "officer.add", "officer.add", "import.file", "note"]
    proc = run("session", "start", "--case", case_id, env=env)
    session = proc.stdout.strip()
    proc = run("session", "end", "--case", case_id, "--session", session, "--officer", "31000001")
    assert "two officers" in _one_clean_line(proc)
    proc = run(
        "session", "end", "--case", case_id, "--session", session,
        "--officer", "31000001", "--officer", "31000002",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_import_stamps_each_batch_right_after_sealing_it(world: World, tmp_path: Path) -> None:
    """Many files are sealed in batches (one commit each); each batch's tokens are obtained
    before the next batch is read, one token per file."""
    env = {"QUZHENG_OFFICER": "31000001"}
    case_id = run("case", "new", "--title", "逐批盖时间戳", env=env).stdout.strip()
    files = [tmp_path / f"第{n}份.txt" for n in range(IMPORT_BATCH_FILES + 2)]
    for n, f in enumerate(files):
        f.write_text(f"第{n}份", encoding="utf-8")
    with TsaServer(tmp_path / "tsa") as tsa:
        world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
        proc = run(
            "import", *map(str, files), "--case", case_id, env={**env, "QUZHENG_TSA_URLS": tsa.url}
        )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    log = run("case", "log", case_id).stdout.strip().splitlines()
    entries = [json.loads(line)["entry"] for line in log]
    imports = [e["seq"] for e in entries if e["kind"] == "import.file"]
    names = [e["data"]["source_name"] for e in entries if e["kind"] == "import.file"]
    stamps = {e["data"]["stamped_seq"]: e["seq"] for e in entries if e["kind"] == "timestamp"}
    assert names == [f.name for f in files]  # in the order given
    assert len(imports) == len(files) and sorted(stamps) == imports
    first, second = imports[:IMPORT_BATCH_FILES], imports[IMPORT_BATCH_FILES:]
    assert max(first) < min(stamps[s] for s in first)  # the batch, then its tokens
    assert max(stamps[s] for s in first) < min(second)  # before the next batch is read
    assert max(second) < min(stamps[s] for s in second)


def test_import_says_when_tokens_stay_queued(world: World, tmp_path: Path) -> None:
    env = {"QUZHENG_OFFICER": "31000001", "QUZHENG_LANG": "en"}
    case_id = run("case", "new", "--title", "无时间戳服务", env=env).stdout.strip()
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for f in files:
        f.write_text(f.name, encoding="utf-8")
    proc = run("import", *map(str, files), "--case", case_id, env=env)  # no TSA configured
    assert proc.returncode == 0 and len(proc.stdout.strip().splitlines()) == 2
    assert proc.stderr.strip().splitlines() == [
        "quzheng: 2 seal point(s) queued for a time-stamp: no time-stamp authority is "
        "configured (tsa.urls and a trusted TSA root)"
    ]


def test_bad_inputs_are_one_line_errors(world: World, tmp_path: Path) -> None:
    env = {"QUZHENG_OFFICER": "31000001"}
    case_id = run("case", "new", "--title", "坏输入", env=env).stdout.strip()
    assert "no case" in _one_clean_line(run("verify", "0000dead-beef"))
    assert "not a readable file" in _one_clean_line(
        run("import", str(tmp_path / "missing.jpg"), "--case", case_id, env=env)
    )
    assert "not a readable file" in _one_clean_line(
        run("import", str(tmp_path), "--case", case_id, env=env)
    )
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.png")
    assert "not a readable file" in _one_clean_line(
        run("import", str(tmp_path / "dangling.png"), "--case", case_id, env=env)
    )
    assert "wrong passphrase" in _one_clean_line(
        run("note", "x", "--case", case_id, env={**env, "QUZHENG_PASSPHRASE": "wrong-wrong"})
    )
    assert "usage" in _one_clean_line(run("case", "new"))
    assert "unknown setting" in _one_clean_line(run("config", "get", "no.such"))
    # A corrupt case index.
    case_dir = world.home / "cases" / case_id
    for extra in ("case.sqlite-wal", "case.sqlite-shm"):
        (case_dir / extra).unlink(missing_ok=True)
    (case_dir / "case.sqlite").write_bytes(b"\0garbage" * 512)
    assert "damaged" in _one_clean_line(run("verify", case_id))
    assert "damaged" in _one_clean_line(run("note", "x", "--case", case_id, env=env))


def test_identity_init_and_ca_via_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "h"
    monkeypatch.setenv("QUZHENG_HOME", str(home))
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE + "\n")
    assert main(["identity", "init", "--name", "周七", "--badge", "44000001", "--agency", "某局", "--passphrase-file", str(pw)]) == 0  # fmt: skip
    assert (
        main(["identity", "ca", "init", "--name", "某局 CA", "--ca-passphrase-file", str(pw)]) == 0
    )
    assert main(["identity", "ca", "issue", "--badge", "44000001", "--ca-passphrase-file", str(pw)]) == 0  # fmt: skip
    cert = (home / "identities" / "44000001" / "cert.pem").read_text()
    assert cert.count("BEGIN CERTIFICATE") == 2
    assert main(["config", "set", "video.segment_seconds", "30"]) == 0
    assert main(["config", "set", "video.segment_seconds", "soon"]) == 2


def test_data_dir_setting_moves_cases(world: World, tmp_path: Path) -> None:
    cases_root = tmp_path / "elsewhere"
    assert run("config", "set", "data.dir", str(cases_root)).returncode == 0
    case_id = run(
        "case", "new", "--title", "移动", env={"QUZHENG_OFFICER": "31000001"}
    ).stdout.strip()
    assert (cases_root / "cases" / case_id / "case.sqlite").is_file()
    assert not (world.home / "cases" / case_id).exists()
    assert case_id in run("case", "list").stdout
    assert run("verify", case_id).returncode == 0
