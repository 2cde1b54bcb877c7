"""The ``tool`` object of a ``session.start`` entry (``forensics.entry_data.session``):
which program, which build, where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, obj, text

BUILD_MANIFEST = (
    "sha256sum-style lines '<sha256>  <path>' over app/ and forensics/ "
    "*.py, sorted by path; build_sha256 is the SHA-256 of that text (UTF-8)"
)


@dataclass(frozen=True)
class ToolData:
    """The capture program's qualification (REQUIREMENTS.md §A8)."""

    name: str
    version: str
    build_sha256: str
    os: str
    python: str
    build_files: int = 0
    build_manifest: str = BUILD_MANIFEST
    qt: str = ""
    pyside6: str = ""
    qt_webengine: str = ""
    chromium: str = ""
    pyav: str = ""
    ffmpeg_libavcodec: str = ""
    mitmproxy: str = ""
    proxy_addon_sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "build_sha256": self.build_sha256,
            "build_manifest": self.build_manifest,
            "build_files": self.build_files,
            "os": self.os,
            "python": self.python,
            "qt": self.qt,
            "pyside6": self.pyside6,
            "qt_webengine": self.qt_webengine,
            "chromium": self.chromium,
            "pyav": self.pyav,
            "ffmpeg_libavcodec": self.ffmpeg_libavcodec,
            "mitmproxy": self.mitmproxy or None,
            "proxy_addon_sha256": self.proxy_addon_sha256 or None,
        }

    @classmethod
    def from_json(cls, raw: object) -> ToolData:
        d = obj(raw)
        return cls(
            name=text(d.get("name")),
            version=text(d.get("version")),
            build_sha256=text(d.get("build_sha256")),
            os=text(d.get("os")),
            python=text(d.get("python")),
            build_files=count(d.get("build_files")),
            build_manifest=text(d.get("build_manifest")),
            qt=text(d.get("qt")),
            pyside6=text(d.get("pyside6")),
            qt_webengine=text(d.get("qt_webengine")),
            chromium=text(d.get("chromium")),
            pyav=text(d.get("pyav")),
            ffmpeg_libavcodec=text(d.get("ffmpeg_libavcodec")),
            mitmproxy=text(d.get("mitmproxy")),
            proxy_addon_sha256=text(d.get("proxy_addon_sha256")),
        )
