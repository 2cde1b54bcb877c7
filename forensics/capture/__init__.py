"""Traffic capture: the recording proxy (mitmproxy child process) and its WARC segments.

Public names (imported lazily, so importing this package does not load mitmproxy or
warcio): ``RecordingProxy``, ``SegmentInfo``, ``SegmentPart``, ``SensitiveUse`` (controller); ``ensure_ca``,
``CaInfo`` (ca); ``recover_open_segments``, ``closed_segments``, ``RecoveryError``
(recover); ``warc_to_har`` (har). The child process is ``python -m forensics.capture.proxy``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RecordingProxy": "controller",
    "SegmentInfo": "controller",
    "SegmentPart": "controller",
    "SensitiveUse": "controller",
    "ensure_ca": "ca",
    "CaInfo": "ca",
    "recover_open_segments": "recover",
    "closed_segments": "recover",
    "RecoveryError": "recover",
    "warc_to_har": "har",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
