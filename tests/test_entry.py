"""``ui.entry``: the program's one entry point dispatches every command line to its floor.

The real children run in tests/app/test_selftest.py (``--run-proxy``, ``--run-workspace``)
and tests/test_dist.py (the frozen program); the GUI in tests/ui/test_launcher.py.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import app.cli
import app.selftest
import forensics.capture.proxy
import ui.main
import ui.workspace.process
from app.frozen import RUN_PROXY, RUN_WORKSPACE
from ui import entry

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ("gui", [])),
        (["--selftest"], ("selftest", [])),
        ([RUN_PROXY, "--confdir", "c"], ("proxy", ["--confdir", "c"])),
        ([RUN_WORKSPACE, "--stdin"], ("workspace", ["--stdin"])),
        (["verify", "x"], ("cli", ["verify", "x"])),
        (["verify", RUN_PROXY], ("cli", ["verify", RUN_PROXY])),
        (["--selftest", "x"], ("cli", ["--selftest", "x"])),
    ],
)
def test_every_command_line_reaches_its_program(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: tuple[str, list[str]]
) -> None:
    calls: list[tuple[str, list[str]]] = []

    def record(name: str) -> Callable[..., int]:
        def run(args: list[str] | None = None) -> int:
            calls.append((name, list(args or [])))
            return 7

        return run

    def cli_main(args: list[str], *, run: Callable[[], int] | None = None) -> int:
        # The GUI and the self-test run under the command line's error handling.
        return run() if run is not None else record("cli")(args)

    monkeypatch.setattr(forensics.capture.proxy, "main", record("proxy"))
    monkeypatch.setattr(ui.workspace.process, "main", record("workspace"))
    monkeypatch.setattr(ui.main, "run_gui", record("gui"))
    monkeypatch.setattr(app.selftest, "run_selftest", record("selftest"))
    monkeypatch.setattr(app.cli, "main", cli_main)
    assert entry.main(argv) == 7
    assert calls == [expected]


def test_the_console_script_is_the_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"quzheng": "ui.entry:main"}
    assert "from ui.entry import main" in (ROOT / "build.spec").read_text(encoding="utf-8")


def test_importing_the_entry_point_loads_no_floor_but_a_leaf() -> None:
    """A child process pays only for its own imports (and the proxy's manifest stays its own)."""
    probe = (
        "import sys, ui.entry; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('app', 'ui', 'forensics', 'PySide6')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['app', 'app.frozen', 'ui', 'ui.entry']"


def test_the_command_line_alone_prints_its_usage_without_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert app.cli.main([]) == 2  # ``python -m app.cli``: no GUI below the top floor
    assert "usage" in capsys.readouterr().out.lower()
