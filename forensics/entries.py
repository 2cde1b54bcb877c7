"""Typed read-only views of a ledger entry (docs/package-format.md §1).

``Record.entry`` stays the canonical dict: it is what is hashed and signed, and the verifier's
hash and signature checks read it as is. Everything else reads an entry through these views
(exposed as properties of ``forensics.ledger.Record``).

The verifier reads hostile ledgers, so a view never raises on a record that ``parse_record``
accepted. Malformed values show as follows:

- a text field (``time``, actor ``name``/``badge``/``key``, an item's digests and media type)
  that is not a string shows as ``""``;
- ``session`` that is not a string shows as ``None``;
- ``data`` or ``actor`` that is not an object shows as an empty mapping;
- ``items`` that is not a list shows as no items; an item that is not an object, or whose
  ``path`` is not a non-empty string, is skipped; a ``size`` that is not an integer (or is a
  boolean or negative) shows as ``0``;
- ``when`` is ``None`` when ``time`` is not an RFC 3339 UTC time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from forensics.canonical import parse_time
from forensics.errors import InputError

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Item:
    """One sealed file an entry names: its place in the package, size and digests."""

    path: str
    size: int
    sha256: str
    sm3: str
    media_type: str

    @classmethod
    def from_json(cls, raw: object) -> Item | None:
        """The item, or None when ``raw`` is not an object with a non-empty string path."""
        if not isinstance(raw, dict):
            return None
        path = raw.get("path")
        if not isinstance(path, str) or not path:
            return None
        size = raw.get("size")
        ok = isinstance(size, int) and not isinstance(size, bool) and size >= 0
        return cls(
            path=path,
            size=size if ok else 0,  # type: ignore[arg-type]
            sha256=text(raw.get("sha256")),
            sm3=text(raw.get("sm3")),
            media_type=text(raw.get("media_type")),
        )

    @property
    def name(self) -> str:
        """The file name (the last part of the path)."""
        return self.path.rsplit("/", 1)[-1]


def text(value: object) -> str:
    """A string value as is; anything else as ``""``."""
    return value if isinstance(value, str) else ""


def mapping(value: object) -> Mapping[str, Any]:
    """An object as a read-only mapping; anything else as an empty one."""
    return MappingProxyType(value) if isinstance(value, dict) else _EMPTY


def items_of(entry: Mapping[str, Any]) -> tuple[Item, ...]:
    """An entry's well-formed items, in order (malformed ones are skipped)."""
    raw = entry.get("items")
    if not isinstance(raw, list):
        return ()
    return tuple(i for i in (Item.from_json(r) for r in raw) if i is not None)


def time_of(value: object) -> datetime | None:
    """An RFC 3339 UTC time string as a datetime; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except InputError:
        return None


def int_of(value: object) -> int | None:
    """An integer value (not a boolean); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class EntryView:
    """Typed read-only accessors over ``self.entry`` (mixed into ``Record``)."""

    entry: dict[str, Any]

    @property
    def time(self) -> str:
        """The entry's own time as written (RFC 3339 UTC), ``""`` when not a string."""
        return text(self.entry.get("time"))

    @property
    def when(self) -> datetime | None:
        return time_of(self.entry.get("time"))

    @property
    def case_id(self) -> str:
        return text(self.entry.get("case"))

    @property
    def prev(self) -> str | None:
        prev = self.entry.get("prev")
        return prev if isinstance(prev, str) else None

    @property
    def session(self) -> str | None:
        session = self.entry.get("session")
        return session if isinstance(session, str) else None

    @property
    def actor(self) -> Mapping[str, Any]:
        return mapping(self.entry.get("actor"))

    @property
    def actor_key(self) -> str:
        return text(self.actor.get("key"))

    @property
    def actor_name(self) -> str:
        return text(self.actor.get("name"))

    @property
    def actor_badge(self) -> str:
        return text(self.actor.get("badge"))

    @property
    def data(self) -> Mapping[str, Any]:
        """The kind-specific data, read-only; empty when absent or not an object."""
        return mapping(self.entry.get("data"))

    @property
    def items(self) -> tuple[Item, ...]:
        return items_of(self.entry)

    def data_str(self, key: str, default: str = "") -> str:
        """``data[key]`` when it is a string, else ``default``."""
        value = self.data.get(key)
        return value if isinstance(value, str) else default

    def data_int(self, key: str) -> int | None:
        """``data[key]`` when it is an integer (not a boolean), else None."""
        return int_of(self.data.get(key))
