"""Tool qualification for the record (REQUIREMENTS §A8): what software made the evidence.

``build_hash()`` is a SHA-256 over a ``sha256sum``-style manifest of every Python source
file of ``app/`` and ``forensics/`` (sorted by path), so an expert can recompute it from a
source tree with ``sha256sum`` and compare the manifest line by line. A frozen build hashes
its own executable instead.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import forensics
from forensics.entry_data import ToolData
from forensics.entry_data.fields import text

PACKAGES = ("app", "forensics")


@functools.cache
def build_manifest() -> tuple[str, tuple[tuple[str, str], ...]]:
    """(SHA-256 of the manifest text, ((sha256, path), …)) over the sources in use."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        digest = hashlib.sha256(exe.read_bytes()).hexdigest()
        manifest: tuple[tuple[str, str], ...] = ((digest, exe.name),)
    else:
        root = Path(forensics.__file__).resolve().parent.parent
        rows = []
        for package in PACKAGES:
            for path in sorted((root / package).rglob("*.py")):
                if "__pycache__" in path.parts:
                    continue
                rel = path.relative_to(root).as_posix()
                rows.append((hashlib.sha256(path.read_bytes()).hexdigest(), rel))
        manifest = tuple(sorted(rows, key=lambda r: r[1]))
    text = "".join(f"{digest}  {rel}\n" for digest, rel in manifest)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), manifest


def build_hash() -> str:
    return build_manifest()[0]


def tool_qualification(proxy_disclosure: Mapping[str, object] | None = None) -> ToolData:
    """The ``tool`` of a ``session.start`` entry."""
    import av
    import PySide6
    from PySide6.QtCore import qVersion
    from PySide6.QtWebEngineCore import qWebEngineChromiumVersion, qWebEngineVersion

    digest, manifest = build_manifest()
    disclosure = dict(proxy_disclosure or {})
    return ToolData(
        name="Quzheng 取证",
        version=forensics.__version__,
        build_sha256=digest,
        build_files=len(manifest),
        os=platform.platform(),
        python=platform.python_version(),
        qt=qVersion(),
        pyside6=PySide6.__version__,
        qt_webengine=_text(qWebEngineVersion()),
        chromium=_text(qWebEngineChromiumVersion()),
        pyav=av.__version__,
        ffmpeg_libavcodec=_libavcodec_version(),
        mitmproxy=text(disclosure.get("mitmproxy")),
        proxy_addon_sha256=text(disclosure.get("addon_sha256")),
    )


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("ascii", "replace")
    return str(value)


def _libavcodec_version() -> str:
    try:
        import av

        versions: Any = getattr(av, "library_versions", {})
        major, minor, micro = versions["libavcodec"]
        return f"{major}.{minor}.{micro}"
    except (ImportError, KeyError, TypeError, ValueError):
        return "unknown"
