"""Canonical JSON and time formats of docs/package-format.md §0."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from forensics.errors import InputError

BEIJING = timezone(timedelta(hours=8), "UTC+8")


def _reject_float(value: Any) -> None:
    if isinstance(value, float):
        raise InputError(
            "canonical JSON allows no floating-point numbers",
            "规范 JSON 不允许浮点数",
        )
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InputError(
                    "canonical JSON keys must be strings", "规范 JSON 的键必须是字符串"
                )
            _reject_float(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _reject_float(v)


def canonical_bytes(value: Any, *, checked: bool = False) -> bytes:
    """UTF-8, sorted keys, ``,``/``:`` separators, non-ASCII kept, integers and strings only
    (``checked``: the caller has checked that already, for what it did not build itself)."""
    if not checked:
        _reject_float(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(t: datetime) -> str:
    """RFC 3339 UTC with microseconds and ``Z``."""
    if t.tzinfo is None:
        raise InputError("naive datetime given where UTC is required", "时间缺少时区")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s: str) -> datetime:
    try:
        if not s.endswith("Z"):
            raise ValueError(s)
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(
            f"not an RFC 3339 UTC time: {s!r}", f"不是 RFC 3339 UTC 时间：{s!r}"
        ) from None


def beijing(t: datetime) -> str:
    """Beijing time for reports, to the second."""
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
