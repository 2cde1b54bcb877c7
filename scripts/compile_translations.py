#!/usr/bin/env python3
"""Compile the Qt translations: ``resources/i18n/quzheng_<lang>.ts`` → ``.qm`` (build outputs).

    python scripts/compile_translations.py            # .ts → .qm with pyside6-lrelease
    python scripts/compile_translations.py --update   # first refresh the .ts from the sources
                                                      # (pyside6-lupdate over ui/ and app/gui/)

The app compiles a missing or stale ``.qm`` into the user's cache on its own
(``app.gui.i18n.qm_file``); this script is for builds and packaging. After ``--update``,
translate the new messages (Qt Linguist: ``pyside6-linguist``) — the tests refuse a zh_CN
file with unfinished or empty translations.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN", "en")
SOURCES = ("ui", "app/gui")


def qt_tool(name: str) -> list[str]:
    """The Qt tool shipped inside the PySide6 wheel (what ``pyside6-<name>`` runs)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        raise SystemExit("PySide6 is not installed in this Python")
    exe = Path(spec.origin).resolve().parent / (f"{name}.exe" if sys.platform == "win32" else name)
    return [str(exe)]


def source_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for d in SOURCES for p in (ROOT / d).rglob("*.py"))


def update() -> None:
    for lang in LANGUAGES:
        ts = I18N / f"quzheng_{lang}.ts"
        subprocess.run(
            [*qt_tool("lupdate"), "-no-obsolete", "-locations", "none", "-target-language", lang,
             *source_files(), "-ts", str(ts)],
            cwd=ROOT, check=True,
        )  # fmt: skip


def compile_all() -> None:
    for lang in LANGUAGES:
        ts = I18N / f"quzheng_{lang}.ts"
        qm = I18N / f"quzheng_{lang}.qm"
        subprocess.run([*qt_tool("lrelease"), str(ts), "-qm", str(qm)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="run lupdate over the sources first")
    args = parser.parse_args()
    if args.update:
        update()
    compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
