"""forensics/ is the Qt-free core: every module imports with PySide6 unavailable."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import forensics

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import importlib, importlib.abc, sys

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6.") or name.split(".")[0] in ("app", "ui"):
            raise ImportError(f"{name} is banned inside forensics/")
        return None

sys.meta_path.insert(0, NoQt())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("ok", len(sys.argv) - 1)
"""


def test_every_core_module_imports_without_qt() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(forensics.__path__, "forensics.")
        if not m.name.endswith("__main__")
    ]
    assert len(names) >= 8
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *names], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"ok {len(names)}"
