"""The capture browser as the officer uses it: a window of its own (headed), here on a
virtual X display (Xvfb). Its command line carries no automation switch (the "controlled by
automated test software" banner), no first-run or default-browser prompt, no extensions;
the page still gives screenshots and a screencast."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PIL import Image

from app.capture.chromium.discover import find_browser
from app.capture.chromium.engine import ChromiumEngine, EngineConfig, ScreencastFrame

needs_xvfb = pytest.mark.skipif(
    shutil.which("Xvfb") is None, reason="Xvfb is missing (bootstrap installs xvfb)"
)


@pytest.fixture
def display() -> Iterator[str]:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    name = f":{n}"
    server = subprocess.Popen(
        ["Xvfb", name, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = name
    try:
        yield name
    finally:
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old
        server.terminate()
        server.wait(10)


@needs_xvfb
def test_a_headed_window_without_automation_banner_or_prompts(
    display: str, site: str, tmp_path: Path
) -> None:
    install = find_browser()
    engine = ChromiumEngine(
        EngineConfig(install.path, headless=False, window=(1280, 800), profile_dir=tmp_path / "p")
    )
    frames: list[ScreencastFrame] = []
    try:
        engine.start().result(90)
        pid = engine.browser_pid
        assert pid is not None
        cmdline = " ".join(psutil.Process(pid).cmdline())
        assert "--headless" not in cmdline  # a real window on the display
        assert "--enable-automation" not in cmdline  # no "controlled by automated software"
        for switch in ("--no-first-run", "--no-default-browser-check", "--disable-extensions"):
            assert switch in cmdline, switch
        engine.navigate(site + "/").result(60)
        png = engine.screenshot().result(60)
        with Image.open(io.BytesIO(png)) as shot:
            lowest, highest = shot.convert("L").getextrema()
            assert shot.size[0] > 0 and lowest != highest
        engine.start_screencast(frames.append).result(30)
        deadline = time.monotonic() + 10
        while len(frames) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        engine.stop_screencast().result(10)
    finally:
        engine.close().result(60)
    assert len(frames) >= 3
    assert not (tmp_path / "p" / "Default" / "Extensions").exists()
