"""Tolerant readers of JSON values for the entry data types (``forensics.entry_data``).

The verifier and the report read hostile ledgers: a value of the wrong type reads as absent
(``""``, ``None``, ``0``, ``False``, an empty tuple or mapping), never as an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def obj(value: object) -> Mapping[str, Any]:
    """An object as a mapping; anything else as an empty one."""
    return value if isinstance(value, Mapping) else _EMPTY


def plain(value: object) -> dict[str, Any]:
    """An object as a new plain dict (for data kept as recorded); anything else as ``{}``."""
    return dict(value) if isinstance(value, Mapping) else {}


def text(value: object) -> str:
    """A string as is; anything else as ``""``."""
    return value if isinstance(value, str) else ""


def integer(value: object) -> int | None:
    """An integer (not a boolean); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count(value: object) -> int:
    """An integer ≥ 0; anything else as 0."""
    n = integer(value)
    return n if n is not None and n >= 0 else 0


def flag(value: object) -> bool:
    """True only for the JSON value ``true``."""
    return value is True


def strings(value: object) -> tuple[str, ...]:
    """A list's non-empty strings (a lone string counts as a list of one)."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()
