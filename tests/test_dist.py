"""The frozen build: PyInstaller builds ``build.spec`` into a temporary folder, and the
program it made passes ``quzheng --selftest`` (docs/packaging.md).

Slow (about 1.5 minutes on two cores, most of it PyInstaller). The build size, the build
time and the self-test time are printed and recorded as properties of the test suite in
JUnit XML (``record_testsuite_property``: ``record_property`` warns — an error here — with
pytest's default ``junit_family=xunit2``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 40 * 60
SELFTEST_TIMEOUT_S = 10 * 60


def _size(folder: Path) -> int:
    """Bytes of the files in ``folder`` (symbolic links count once, as their target)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.mark.slow
def test_frozen_build_passes_its_selftest(
    tmp_path: Path,
    record_testsuite_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (dev dependency)")
    dist, work = tmp_path / "dist", tmp_path / "work"
    try:
        started = time.monotonic()
        build = subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                str(ROOT / "build.spec"),
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(dist),
                "--workpath",
                str(work),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
        build_s = time.monotonic() - started
        assert build.returncode == 0, _tail(build.stdout + build.stderr)
        program = dist / "quzheng" / ("quzheng.exe" if sys.platform == "win32" else "quzheng")
        assert program.is_file()
        size = _size(dist / "quzheng")

        # Run it as an installed program: from elsewhere, with no Python settings of ours.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QUZHENG_"))}
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        started = time.monotonic()
        run = subprocess.run(
            [str(program), "--selftest"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=SELFTEST_TIMEOUT_S,
        )
        selftest_s = time.monotonic() - started
        assert run.returncode == 0, run.stdout + "\n" + _tail(run.stderr)
        assert "frozen build" in run.stdout and "Self-test passed" in run.stdout
        assert "quzheng --run-proxy" in run.stdout  # the proxy child was the program itself
        if Path("/usr/bin/chromium").exists():
            # The capture browser ran through Playwright's driver bundled in the build.
            assert "over CDP" in run.stdout, run.stdout

        # The GUI's capture workspace child (app.frozen.workspace_command) is reachable too:
        # without its input it answers with its own usage error, as a protocol event.
        workspace = subprocess.run(
            [str(program), "--run-workspace"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert workspace.returncode == 2, workspace.stdout + workspace.stderr
        assert "ui.workspace --stdin" in workspace.stdout
    finally:
        shutil.rmtree(dist, ignore_errors=True)  # about 650 MB
        shutil.rmtree(work, ignore_errors=True)

    record_testsuite_property("dist_build_seconds", round(build_s, 1))
    record_testsuite_property("dist_size_bytes", size)
    record_testsuite_property("dist_selftest_seconds", round(selftest_s, 1))
    with capsys.disabled():
        print(
            f"\ndist: built in {build_s:.0f} s, {size / 2**20:.0f} MiB; "
            f"quzheng --selftest passed in {selftest_s:.1f} s"
        )
