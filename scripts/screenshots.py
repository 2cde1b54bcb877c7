#!/usr/bin/env python3
"""Refresh the pictures in docs/screenshots/ from a run of the GUI tests.

    python scripts/screenshots.py              # the GUI tests (tests/ui, the slow ones too)
    python scripts/screenshots.py tests/ui/test_viewers.py ...   # only these tests
    make screenshots                           # the same as the first line

The tests render each window offscreen, in Chinese, into a new temporary folder
(``QUZHENG_SCREENSHOTS``; a test run never writes docs/ itself). When every test passed, the
pictures are copied into docs/screenshots/, replacing the copies there; pictures no test
renders any more are listed, not removed. A failed run copies nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "screenshots"
DEFAULT_TESTS = ("tests/ui",)


def render(tests: list[str], into: Path) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUZHENG_SCREENSHOTS=str(into))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    cmd.append(f"--basetemp={into.parent / 'basetemp'}")
    print("running:", " ".join(cmd[2:]), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def copy(pictures: Path, docs: Path = DOCS) -> list[str]:
    """Copy every PNG in ``pictures`` into ``docs``; the names copied."""
    docs.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in pictures.glob("*.png"))
    for name in names:
        shutil.copyfile(pictures / name, docs / name)
    return names


def main(argv: list[str]) -> int:
    tests = argv or list(DEFAULT_TESTS)
    with tempfile.TemporaryDirectory(prefix="quzheng-screenshots-") as work:
        pictures = Path(work) / "pictures"
        pictures.mkdir()
        code = render(tests, pictures)
        if code != 0:
            print(
                f"the tests failed (exit {code}): docs/screenshots/ is unchanged", file=sys.stderr
            )
            return code
        names = copy(pictures)
    if not names:
        print("the tests rendered no picture", file=sys.stderr)
        return 1
    print(f"{len(names)} pictures copied into {DOCS.relative_to(ROOT)}/:")
    for name in names:
        print("  ", name)
    stale = sorted({p.name for p in DOCS.glob("*.png")} - set(names))
    if stale and not argv:
        print("not rendered by any test (remove them if no document shows them):", *stale)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
