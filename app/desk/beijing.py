"""Times for people: every time the desktop shows is Beijing time (UTC+8). The core keeps
UTC (ISO 8601); these turn such strings into Beijing time where they are shown."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from forensics.canonical import BEIJING

# An ISO 8601 date and time with a zone (``Z`` or ``±hh:mm``), as the core and HAR write them.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def beijing(iso: str) -> str:
    """An ISO 8601 time (any precision, ``Z`` or an offset) in Beijing time
    (``2026-12-07 07:36:53.120``); as it is when it cannot be read or has no zone."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        return iso  # no zone: which time it is cannot be told
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def with_beijing(value: Any, label: str) -> Any:
    """``value`` (an entry's data) with every zoned ISO time string followed by its Beijing
    time, ``"2026-12-06T23:36:53Z（北京时间 2026-12-07 07:36:53.000）"`` for ``label``
    "北京时间": the sealed value stays as sealed, the reader sees the local time beside it."""
    if isinstance(value, str) and _ISO.match(value):
        shown = beijing(value)
        return value if shown == value else f"{value}（{label} {shown}）"
    if isinstance(value, dict):
        return {k: with_beijing(v, label) for k, v in value.items()}
    if isinstance(value, list):
        return [with_beijing(v, label) for v in value]
    return value
