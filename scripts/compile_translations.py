#!/usr/bin/env python3
"""Compile the Qt translations: ``resources/i18n/quzheng_<lang>.ts`` → ``.qm`` (build outputs).

    python scripts/compile_translations.py            # .ts → .qm with pyside6-lrelease
    python scripts/compile_translations.py --update   # first refresh the .ts from the sources
                                                      # (pyside6-lupdate over ui/ and app/desk/)
    python scripts/compile_translations.py --update --fill zh.tsv
        # then finish unfinished messages from a table: one line per message,
        # "context<TAB>source<TAB>Chinese" (English copies the source)

The app compiles a missing or stale ``.qm`` into the user's cache on its own
(``app.desk.i18n.qm_file``); this script is for builds and packaging. After ``--update``,
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
SOURCES = ("ui", "app/desk")


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


def fill(table: Path) -> list[str]:
    """Finish the unfinished messages listed in ``table``; returns those still unfinished."""
    import xml.etree.ElementTree as ET

    wanted: dict[tuple[str, str], str] = {}
    for n, line in enumerate(table.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise SystemExit(f"{table}:{n}: expected context<TAB>source<TAB>translation")
        wanted[(parts[0], parts[1].replace("\\n", "\n"))] = parts[2].replace("\\n", "\n")
    missing: list[str] = []
    for lang in LANGUAGES:
        ts = I18N / f"quzheng_{lang}.ts"
        tree = ET.parse(ts)
        for ctx in tree.getroot().iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                source = msg.findtext("source") or ""
                tr = msg.find("translation")
                if tr is None or tr.get("type") != "unfinished":
                    continue
                text = source if lang == "en" else wanted.get((name, source))
                if text is None:
                    missing.append(f"{name}\t{source}")
                    continue
                tr.text = text
                del tr.attrib["type"]
        ET.indent(tree, space="    ")
        body = ET.tostring(tree.getroot(), encoding="unicode")
        ts.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
            encoding="utf-8",
        )
    return missing


def compile_all() -> None:
    for lang in LANGUAGES:
        ts = I18N / f"quzheng_{lang}.ts"
        qm = I18N / f"quzheng_{lang}.qm"
        subprocess.run([*qt_tool("lrelease"), str(ts), "-qm", str(qm)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="run lupdate over the sources first")
    parser.add_argument("--fill", type=Path, metavar="TSV", help="finish messages from a table")
    args = parser.parse_args()
    if args.update:
        update()
    if args.fill:
        for line in fill(args.fill):
            print(f"still unfinished: {line}", file=sys.stderr)
        update()  # lupdate writes the files back in its own layout
    compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
