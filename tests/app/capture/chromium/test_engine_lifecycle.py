"""Starting and closing the engine with the real browser: nothing of it is left behind.

A module of its own, so that no other engine of the tests is running meanwhile."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from app.capture.chromium.engine import ChromiumEngine, EngineConfig
from forensics.errors import CaptureError
from tests.app.capture.chromium.conftest import CHROMIUM, needs_chromium

pytestmark = needs_chromium

T = 60


def _browser_tree(engine: ChromiumEngine) -> list[psutil.Process]:
    assert engine.browser_pid is not None
    main = psutil.Process(engine.browser_pid)
    return [main, *main.children(recursive=True)]


def _chromium_children() -> list[psutil.Process]:
    out = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower() and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.Error:
            pass
    return out


def test_close_ends_the_browser_and_the_thread(site: str, tmp_path: Path) -> None:
    assert _chromium_children() == []  # no other browser of ours is running
    engine = ChromiumEngine(EngineConfig(CHROMIUM, headless=True))
    engine.start().result(T)
    engine.navigate(site + "/").result(T)
    tree = _browser_tree(engine)
    assert len(tree) >= 3  # the browser, its zygote, a renderer...
    profile = engine.profile_dir
    assert profile is not None and profile.is_dir()
    thread = engine._thread
    assert thread is not None and thread.is_alive()

    closing = engine.close()
    assert engine.close() is closing  # idempotent
    assert closing.result(T) is None
    thread.join(T)
    assert not thread.is_alive()
    for proc in tree:
        assert not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE, proc
    assert _chromium_children() == []
    assert not profile.exists()  # a temporary profile is removed; a given one is kept
    with pytest.raises(CaptureError):
        engine.screenshot().result(T)
    with pytest.raises(CaptureError):
        engine.start().result(T)


def test_close_without_start_and_a_browser_that_does_not_start(tmp_path: Path) -> None:
    assert ChromiumEngine(EngineConfig(CHROMIUM)).close().result(T) is None
    broken = ChromiumEngine(EngineConfig(str(tmp_path / "no-such-browser")))
    with pytest.raises(CaptureError) as caught:
        broken.start().result(T)
    assert "did not start" in caught.value.message_en
    broken.close().result(T)
    assert broken._thread is not None and not broken._thread.is_alive()


def test_a_profile_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "Cookies").write_bytes(b"old")
    engine = ChromiumEngine(EngineConfig(CHROMIUM, profile_dir=used))
    try:
        with pytest.raises(CaptureError) as caught:
            engine.start().result(T)
        assert "not empty" in caught.value.message_en
    finally:
        engine.close().result(T)
    assert (used / "Cookies").read_bytes() == b"old"  # left as it was
