"""ui/ never touches the case store: it asks app/ (ARCHITECTURE.md, Layers)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.ui.conftest import ROOT

# Modules whose functions open, write or stamp a case; ui/ reaches them only through app/.
BANNED = ("forensics.case", "forensics.store", "forensics.stamping", "forensics.environment",
          "forensics.timestamp", "forensics.package.export", "hashlib")  # fmt: skip


def test_ui_reaches_the_core_only_through_app() -> None:
    offences = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Attribute) and node.attr in ("store", "ledger"):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
            for name in names:
                if name.startswith(BANNED):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offences == []


def test_app_desk_has_no_widgets() -> None:
    for path in sorted((ROOT / "app" / "desk").rglob("*.py")):
        text = Path(path).read_text(encoding="utf-8")
        assert "QtWidgets" not in text and "from ui" not in text, path
