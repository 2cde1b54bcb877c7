"""The record a capture session opens with: the data of its ``session.start`` entry
(REQUIREMENTS §A8: the method, the target, the browser profile and the tool
qualification)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.capture.leftovers import sha256_file
from app.capture.options import CaptureOptions
from app.capture.qualification import tool_qualification


def start_data(
    opts: CaptureOptions, disclosure: Mapping[str, object], profile_dir: Path
) -> dict[str, Any]:
    """The data of ``session.start``: method, targets, tool qualification, proxy, browser
    profile, host mapping, extra upstream trust, video and traffic settings."""
    upstream = []
    for path in opts.upstream_cas:
        with contextlib.suppress(OSError):
            upstream.append({"file": path.name, "sha256": sha256_file(path)})
    return {
        "method": opts.method
        or "built-in browser (Qt WebEngine, fresh profile) through the recording proxy "
        "(mitmproxy, WARC 1.1); screenshots, full pages, snapshots and screen recording "
        "of the workspace sealed as captured",
        "targets": list(opts.targets),
        "tool": tool_qualification(dict(disclosure)),
        "proxy": dict(disclosure),
        "browser_profile": str(profile_dir),
        "browser_profile_fresh": True,
        "host_mapping": dict(opts.map_hosts),
        "upstream_trust_extra": upstream,
        "video": {
            "fps": opts.video.fps,
            "segment_seconds": int(opts.video.segment_seconds),
            "preset": opts.video.preset,
            "crf": opts.video.crf,
        },
        "traffic_segment_seconds": int(opts.traffic_segment_seconds),
        "environment_check": opts.env_check is not None,
    }
