"""The record a capture session opens with: the data of its ``session.start`` entry
(REQUIREMENTS §A8: the method, the target, the browser profile and the tool
qualification)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.capture.chromium.discover import BrowserInstall
from app.capture.leftovers import sha256_file
from app.capture.options import CaptureOptions
from app.capture.qualification import tool_qualification
from forensics.entry_data import SessionStartData

METHOD_CHROMIUM = (
    "{product} {version} ({path}; fresh profile, no extensions, driven over CDP) through "
    "the recording proxy (mitmproxy, WARC 1.1); screenshots, full pages, snapshots and "
    "screen recording of the page (its screencast) sealed as captured"
)
METHOD_QT = (
    "built-in fallback browser (Qt WebEngine, fresh profile; cannot play H.264/AAC) "
    "through the recording proxy (mitmproxy, WARC 1.1); screenshots, full pages, "
    "snapshots and screen recording of the workspace sealed as captured"
)


def browser_record(install: BrowserInstall | None, profile_dir: Path) -> dict[str, Any]:
    """The capture browser as ``session.start`` names it: engine, program, version and the
    SHA-256 of the program file (its build), the fresh profile, no extensions."""
    if install is None:
        return {
            "engine": "qtwebengine",
            "fallback": True,
            "plays_h264_aac": False,
            "profile_dir": str(profile_dir),
        }
    program_sha256 = ""
    with contextlib.suppress(OSError):
        program_sha256 = sha256_file(Path(install.path))
    return {
        "engine": "chromium-cdp",
        "product": install.product,
        "version": install.version or "",
        "path": install.path,
        "program_sha256": program_sha256,
        "profile_dir": str(profile_dir),
        "extensions": "none (--disable-extensions, fresh profile)",
    }


def start_data(
    opts: CaptureOptions,
    disclosure: Mapping[str, object],
    profile_dir: Path,
    install: BrowserInstall | None = None,
) -> SessionStartData:
    """The data of ``session.start``: method, targets, tool qualification, proxy, browser
    and its profile, host mapping, extra upstream trust, video and traffic settings."""
    upstream: list[dict[str, Any]] = []
    for path in opts.upstream_cas:
        with contextlib.suppress(OSError):
            upstream.append({"file": path.name, "sha256": sha256_file(path)})
    return SessionStartData(
        method=opts.method
        or (
            METHOD_QT
            if install is None
            else METHOD_CHROMIUM.format(
                product=install.product, version=install.version or "", path=install.path
            )
        ),
        targets=tuple(opts.targets),
        tool=tool_qualification(disclosure),
        proxy=dict(disclosure),
        browser=browser_record(install, profile_dir),
        browser_profile=str(profile_dir),
        browser_profile_fresh=True,
        host_mapping=dict(opts.map_hosts),
        upstream_trust_extra=tuple(upstream),
        video={
            "fps": opts.video.fps,
            "segment_seconds": int(opts.video.segment_seconds),
            "preset": opts.video.preset,
            "crf": opts.video.crf,
        },
        traffic_segment_seconds=int(opts.traffic_segment_seconds),
        environment_check=opts.env_check is not None,
    )
