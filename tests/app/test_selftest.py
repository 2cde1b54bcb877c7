"""The self-test from a source checkout, and the frozen build's internal proxy command.

The frozen build itself is tested in tests/test_dist.py (slow: it runs PyInstaller).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import app.selftest as selftest
from app.capture.qualification import build_hash
from app.frozen import RUN_PROXY, RUN_WORKSPACE, proxy_command, workspace_command
from forensics import __version__
from forensics.capture.controller import RecordingProxy
from forensics.entry_data import SessionStartData

ROOT = Path(__file__).resolve().parents[2]

# The frozen program's launcher (build.spec) in one line: the program's entry point.
FROZEN_LAUNCHER = "import sys; from ui.entry import main; sys.exit(main())"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUZHENG_")}
    env["TMPDIR"] = str(tmp)
    env["PYTHONPATH"] = str(ROOT)
    return env


# -- app.frozen ------------------------------------------------------------------------------


def test_proxy_command_from_source() -> None:
    assert proxy_command() == [sys.executable, "-m", "forensics.capture.proxy"]


def test_workspace_command_from_source() -> None:
    assert workspace_command() == [sys.executable, "-m", "ui.workspace"]


def test_child_commands_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/quzheng/quzheng")
    assert proxy_command() == ["/opt/quzheng/quzheng", RUN_PROXY]
    assert workspace_command() == ["/opt/quzheng/quzheng", RUN_WORKSPACE]


def test_run_proxy_reports_a_bad_argument_like_the_proxy(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FROZEN_LAUNCHER, RUN_PROXY, "--work-dir", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert proc.returncode == 2  # argparse: --confdir is required
    assert "--confdir" in proc.stderr


def test_run_workspace_reaches_the_workspace_process(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FROZEN_LAUNCHER, RUN_WORKSPACE],  # without --stdin
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert proc.returncode == 2, proc.stderr
    assert "ui.workspace --stdin" in proc.stdout  # its own usage error, as an event


def test_recording_proxy_runs_through_the_frozen_entry_point(tmp_path: Path) -> None:
    """What a frozen build does, from source: RecordingProxy starts the program itself with
    ``--run-proxy`` in front of the proxy's arguments."""
    command = [sys.executable, "-c", FROZEN_LAUNCHER, RUN_PROXY]
    with RecordingProxy(tmp_path / "work", tmp_path / "conf", command=command) as proxy:
        disclosure = proxy.disclosure
        assert proxy.proxy_url.startswith("http://127.0.0.1:")
    assert proxy.returncode == 0
    assert proxy.stopped_event is not None
    # The child loaded the proxy's own modules only (app.cli was never imported), so the
    # code manifest it discloses is the one ``python -m forensics.capture.proxy`` gives.
    files = disclosure["addon_files"]
    assert isinstance(files, list)
    paths = {f["path"] for f in files}
    assert "forensics/capture/proxy.py" in paths
    assert not any(p.startswith("app/") or p == "forensics/case.py" for p in paths), paths


# -- app.selftest ----------------------------------------------------------------------------


def test_selftest_passes_from_source_and_leaves_nothing_behind(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "app.selftest"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=_env(tmp),
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    n = len(selftest.STEPS)
    for i, (zh, en, _) in enumerate(selftest.STEPS, 1):
        at = lines.index(f"[{i:2d}/{n}] {zh} / {en} …")
        assert lines[at + 1].lstrip().startswith("通过 ok"), lines[at + 1]
    assert lines[-1].startswith("自检通过") and "Self-test passed" in lines[-1]
    assert "source 源码" in lines[0]
    assert "quzheng-selftest-" not in " ".join(p.name for p in tmp.iterdir())
    print(f"self-test from source: {elapsed:.1f} s")


def test_selftest_session_start_is_the_typed_record(tmp_path: Path) -> None:
    """The self-test's case opens its session with the typed record capture uses (method,
    target, the tool's qualification), which reads back unchanged."""
    run = selftest._Run(root=tmp_path, out=io.StringIO())
    try:
        with selftest._environment(run.home):
            selftest._step_officers(run)
            selftest._step_seal(run)
            records = run.need(run.case, "the case").ledger.records()
    finally:
        selftest._cleanup(run)
    start = next(r for r in records if r.kind == "session.start")
    data = SessionStartData.from_json(start.data)
    assert data.to_json() == dict(start.data)
    assert data.method == selftest.METHOD and data.targets == (selftest.SHOP_URL,)
    assert data.tool is not None
    assert (data.tool.version, data.tool.build_sha256) == (__version__, build_hash())
    assert start.session == run.session


def _ok(run: selftest._Run) -> str:
    return "fine"


def _boom(run: selftest._Run) -> str:
    raise selftest.SelfTestFailure("the widget is missing")


def _crash(run: selftest._Run) -> str:
    return json.loads("{")  # an unexpected exception, not a SelfTestFailure


def test_first_failure_stops_the_run_and_names_its_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(selftest.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("QUZHENG_HOME", "/the/officer's/real/home")
    reached: list[str] = []

    def never(run: selftest._Run) -> str:
        reached.append("third")
        return ""

    monkeypatch.setattr(
        selftest,
        "STEPS",
        (("第一步", "first", _ok), ("第二步", "second", _boom), ("第三步", "third", never)),
    )
    out = io.StringIO()
    assert selftest.run_selftest(out) == 1
    text = out.getvalue()
    assert "[ 1/3] 第一步 / first …\n        通过 ok" in text
    assert "[ 2/3] 第二步 / second …\n        失败 FAILED" in text
    assert "the widget is missing" in text
    assert "第三步" not in text
    assert text.splitlines()[-1].startswith("自检未通过：第 2 步“第二步”失败")
    assert "Self-test FAILED at step 2, second" in text
    assert not reached
    assert os.environ["QUZHENG_HOME"] == "/the/officer's/real/home"
    assert not list(tmp_path.iterdir())  # the temporary data home is gone


def test_an_unexpected_error_is_a_failure_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(selftest, "STEPS", (("崩溃", "crash", _crash),))
    out = io.StringIO()
    assert selftest.run_selftest(out) == 1
    assert "JSONDecodeError" in out.getvalue()
    assert "Traceback" in capsys.readouterr().err
