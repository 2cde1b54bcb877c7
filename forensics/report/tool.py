"""The tool's own identity for the method section (REQUIREMENTS.md §A8): name, version, build.

The build hash can be recomputed with coreutils from a source tree, so an expert does not
have to trust this program to learn which code it was::

    cd <install root> && find forensics app -name '*.py' -not -path '*/__pycache__/*' \\
        | LC_ALL=C sort | xargs sha256sum | sha256sum
"""

from __future__ import annotations

import functools
import hashlib
import platform
from pathlib import Path

import forensics
from forensics.entry_data import ToolData

APP_NAME = "Quzheng 取证"
_ROOT = Path(forensics.__file__).resolve().parent.parent


@functools.cache
def build_hash(root: Path = _ROOT) -> str:
    """SHA-256 of ``sha256sum``'s listing of every ``forensics/`` and ``app/`` source file."""
    files: list[str] = []
    for package in ("forensics", "app"):
        base = root / package
        if base.is_dir():
            files.extend(
                p.relative_to(root).as_posix()
                for p in base.rglob("*.py")
                if "__pycache__" not in p.parts
            )
    listing = hashlib.sha256()
    for rel in sorted(files):
        digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        listing.update(f"{digest}  {rel}\n".encode())
    return listing.hexdigest()


def tool_info() -> ToolData:
    """This program, as the report's method section describes a tool (when no session of
    the case names the program that captured)."""
    return ToolData(
        name=APP_NAME,
        version=forensics.__version__,
        build_sha256=build_hash(),
        os=platform.platform(),
        python=platform.python_version(),
    )
