"""No child process sees a passphrase or other secret of ours: not the recording proxy, not
the browser's processes, not the workspace (issue #16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.desk.workspace_launcher import WorkspaceProcess
from app.desk.workspace_protocol import WorkspaceConfig
from app.secrets import read_secret
from forensics import childenv
from forensics.case import Case
from forensics.childenv import child_environment, is_secret_name, scrub_environ
from tests.conftest import PASSPHRASE, World

SENTINEL = "Zq9-sentinel-xK2w"
SECRETS = {
    "QUZHENG_PASSPHRASE": PASSPHRASE,
    "QUZHENG_CA_PASSPHRASE": SENTINEL,
    "QUZHENG_PACKAGE_PASSWORD": SENTINEL,
    "AWS_SECRET_ACCESS_KEY": SENTINEL,
    "GITHUB_TOKEN": SENTINEL,
    "OPENAI_API_KEY": SENTINEL,
    "db_password": SENTINEL,
}
KEPT = {
    "QUZHENG_HOME": "/h",
    "QUZHENG_LANG": "en",
    "QUZHENG_OFFICER": "31000001",
    "QUZHENG_TSA_URLS": "http://tsa",
    "PATH": "/usr/bin",
    "HOME": "/root",
    "PWD": "/work",
    "DISPLAY": ":0",
    "QT_QPA_PLATFORM": "offscreen",
    "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
    "KEYBOARD": "us",
    "SSH_AUTH_SOCK": "/tmp/agent",
}


def test_child_environment_drops_secrets_and_keeps_the_rest() -> None:
    assert child_environment({**SECRETS, **KEPT}) == KEPT
    assert all(is_secret_name(k) for k in SECRETS)
    assert not any(is_secret_name(k) for k in KEPT)


def test_scrubbed_secrets_leave_the_environment_but_stay_readable_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("QUZHENG_HOME", "/h")
    removed = scrub_environ()
    assert set(SECRETS) <= set(removed)
    assert not set(SECRETS) & set(os.environ) and os.environ["QUZHENG_HOME"] == "/h"
    # A child started now without an explicit environment inherits none of them.
    out = subprocess.run(
        [sys.executable, "-c", "import os, json; print(json.dumps(dict(os.environ)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert SENTINEL not in out and PASSPHRASE not in out
    # The command line of this process still finds the passphrase it was given.
    assert read_secret(None, "QUZHENG_PASSPHRASE", "P", "口令", "en") == PASSPHRASE
    childenv.forget_scrubbed()
    assert childenv.scrubbed("QUZHENG_PASSPHRASE") is None


def test_the_workspace_child_gets_no_secret(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    dump = tmp_path / "env.json"
    script = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
    proc = WorkspaceProcess([sys.executable, "-c", script, str(dump)])
    proc.start(WorkspaceConfig("c", "b"), PASSPHRASE, {"QUZHENG_LANG": "zh"})
    with qtbot.waitSignal(proc.finished, timeout=20_000):
        pass
    env = json.loads(dump.read_text())
    assert not set(SECRETS) & set(env)
    assert SENTINEL not in dump.read_text() and PASSPHRASE not in dump.read_text()
    assert env["QUZHENG_LANG"] == "zh" and env["PATH"] == os.environ["PATH"]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(d.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_no_process_of_a_real_capture_inherits_a_passphrase(
    world: World, case: Case, tmp_path: Path
) -> None:
    """``quzheng capture`` over the practice range with secrets in its environment: the
    recording proxy, Playwright's driver, every process of the capture browser (Chromium)
    and the private sound server start without them."""
    from forensics.range import SHOP_HOST, RangeServer

    seen: dict[int, tuple[str, bytes]] = {}
    with RangeServer(world.home / "range", seed=2026) as server:
        url = server.manifest.url(SHOP_HOST, "/licence")
        env = {**os.environ, **SECRETS, "QUZHENG_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
        env.pop("QUZHENG_CHROMIUM_LOG", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.entry", "capture", url, "--case", case.case_id,
             "--officer", "31000001", "--officer", "31000002", "--snapshot", "--video", "3",
             "--range-port", str(server.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            for pid in _descendants(proc.pid):
                if pid in seen:
                    continue
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    environ = Path(f"/proc/{pid}/environ").read_bytes()
                except OSError:
                    continue
                if environ:
                    seen[pid] = (cmd.decode("utf-8", "replace"), environ)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out.decode()[-2000:] + err.decode()[-3000:]
    commands = [cmd for cmd, _ in seen.values()]
    assert any("--run-proxy" in c or "forensics.capture.proxy" in c for c in commands), commands
    assert any("chromium" in c and "--user-data-dir" in c for c in commands), commands
    assert any("--type=renderer" in c for c in commands), commands  # the page's process
    assert any("pulseaudio" in c for c in commands), commands
    for cmd, environ in seen.values():
        names = {v.split(b"=", 1)[0].decode() for v in environ.split(b"\0") if v}
        assert not names & set(SECRETS), (cmd, names & set(SECRETS))
        assert SENTINEL.encode() not in environ and PASSPHRASE.encode() not in environ, cmd
        if "--type=" not in cmd:  # Chromium's children write their title over environ
            assert "QUZHENG_HOME" in names, cmd  # a real environment was read, not empty
