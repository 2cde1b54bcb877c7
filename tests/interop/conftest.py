"""Interop fixtures: a real package of the practice-range shop, made by ``quzheng demo``.

The third-party reader (ReplayWeb.page, pinned in ``package.json``/``package-lock.json``) is
installed by ``scripts/bootstrap.sh`` (``npm ci`` into ``tests/interop/node_modules``, and
Debian's ``chromium``), and so is pywb (into ``.venv-pywb``, ``tests/interop/wayback.py``). Where it is missing the tests are skipped with the reason, except
in CI (``CI=true``), where a missing reader is a failure: CI must show the interop.

``package.json`` overrides ``warcio`` to 2.4.11: ``@webrecorder/wabac`` 2.27.3 asks for
``^2.4.12``, which the registry does not have. Nothing here runs in Node.js (the browser
loads ReplayWeb.page's own bundle, ``sw.js`` = wabac.js 2.27.2); the package source under
``node_modules/@webrecorder/wabac/src`` is there to read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.interop.replay import missing_prerequisites
from tests.interop.wayback import missing_pywb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def replay_ready() -> None:
    missing = missing_prerequisites()
    if missing:
        why = "ReplayWeb.page harness not installed (bash scripts/bootstrap.sh): " + "; ".join(
            missing
        )
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="session")
def pywb_ready() -> None:
    """pywb in ``.venv-pywb`` (``tests/interop/wayback.py`` says why a venv of its own)."""
    missing = missing_pywb()
    if missing:
        why = "pywb not installed: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="session")
def demo_package(tmp_path_factory: pytest.TempPathFactory, replay_ready: None) -> Path:
    """``case.qzp`` from ``quzheng demo`` (a real capture of the practice-range shop, about
    25 s), in a child process as a user would run it."""
    out = tmp_path_factory.mktemp("demo") / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUZHENG_")}
    env.update(QT_QPA_PLATFORM="offscreen", QUZHENG_LANG="en")
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--out", str(out), "--live-seconds", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    package = out / "case.qzp"
    assert proc.returncode == 0 and package.is_file(), proc.stdout + proc.stderr
    return package
