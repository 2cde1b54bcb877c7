"""Fixtures for the desktop windows: background work runs synchronously (the task helper's
``SyncRunner``), the interface can be switched to Chinese, and windows are rendered to PNG. Tests never
rewrite tracked files: the pictures land in a temporary folder (``QUZHENG_SCREENSHOTS`` names
another one, never inside docs/); ``make screenshots`` (scripts/screenshots.py) runs the tests
into a fresh folder and copies the pictures into docs/screenshots/."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from app.capture.tasks import SyncRunner, set_runner
from app.desk.i18n import install_translators, remove_translators

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(
    os.environ.get("QUZHENG_SCREENSHOTS") or Path(tempfile.gettempdir()) / "quzheng-screenshots"
).resolve()
if SCREENSHOTS.is_relative_to(ROOT / "docs"):
    raise pytest.UsageError(
        f"QUZHENG_SCREENSHOTS={SCREENSHOTS}: a test run does not write docs/; "
        "`make screenshots` renders into a temporary folder and copies the pictures"
    )


@pytest.fixture(autouse=True)
def sync_tasks() -> Iterator[None]:
    old = set_runner(SyncRunner())
    yield
    set_runner(old)


@pytest.fixture(autouse=True)
def translation_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Translations compiled from the .ts sources land in a temporary cache, not ~/.cache."""
    cache = tmp_path_factory.getbasetemp() / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))


@pytest.fixture
def zh(qapp: QApplication) -> Iterator[str]:
    """The interface in Simplified Chinese (the default for Chinese officers)."""
    translators = install_translators(qapp, "zh_CN")
    assert translators, "the zh_CN translation did not load"
    yield "zh_CN"
    remove_translators(qapp, translators)


def save_screenshot(widget: QWidget, name: str) -> Path:
    """``widget`` as rendered offscreen, into SCREENSHOTS (docs/screenshots on request)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    assert widget.grab().save(str(path), "PNG"), path
    return path
