"""The pictures in docs/screenshots/ are refreshed by one documented command
(``make screenshots`` → scripts/screenshots.py), never by a test run itself."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.ui.conftest import ROOT


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts/screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_test_run_refuses_to_write_docs() -> None:
    env = dict(os.environ, QUZHENG_SCREENSHOTS=str(ROOT / "docs" / "screenshots"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
         "tests/ui/test_screenshots_command.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "make screenshots" in proc.stdout + proc.stderr


def test_the_command_copies_every_rendered_picture(tmp_path: Path) -> None:
    rendered, docs = tmp_path / "rendered", tmp_path / "docs"
    rendered.mkdir()
    docs.mkdir()
    (rendered / "a.png").write_bytes(b"\x89PNG new a")
    (rendered / "b.png").write_bytes(b"\x89PNG new b")
    (rendered / "notes.txt").write_text("not a picture", encoding="utf-8")
    (docs / "a.png").write_bytes(b"\x89PNG old a")
    assert script().copy(rendered, docs) == ["a.png", "b.png"]
    assert (docs / "a.png").read_bytes() == b"\x89PNG new a"
    assert sorted(p.name for p in docs.iterdir()) == ["a.png", "b.png"]


def test_the_command_is_documented() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "screenshots:" in makefile and "scripts/screenshots.py" in makefile
    assert "make screenshots" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make screenshots" in (ROOT / "docs" / "user-guide.zh.md").read_text(encoding="utf-8")
