"""docs/architecture.md names real modules: every path it writes in backquotes exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
_PATH = re.compile(r"`((?:forensics|app|ui|tests)/[\w/.]*)`")


def test_every_module_the_architecture_names_exists() -> None:
    named = sorted(set(_PATH.findall(DOC.read_text(encoding="utf-8"))))
    assert len(named) >= 30, named  # the rooms table is there
    missing = [p for p in named if not (ROOT / p.rstrip("/")).exists()]
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_core_module_has_a_room_or_a_folder() -> None:
    """A new top-level core module must be placed in the architecture's rooms."""
    text = DOC.read_text(encoding="utf-8")
    top = sorted(p for p in (ROOT / "forensics").glob("*.py") if p.name != "__init__.py")
    folders = {
        p.name for p in (ROOT / "forensics").iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    unplaced = [p.name for p in top if f"forensics/{p.name}" not in text]
    assert unplaced == [], f"add these to docs/architecture.md: {unplaced}"
    assert all(f"forensics/{d}/" in text for d in folders), folders
