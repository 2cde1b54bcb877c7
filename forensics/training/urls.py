"""``UrlPattern``: which addresses a criterion of an exercise means (host pattern, path
regular expression). A leaf of its own, so that the exercise format (``exercise``) and the
practice range's facts (``facts``) can both use it without importing each other."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit


@dataclass(frozen=True)
class UrlPattern:
    """``host`` is a shell-style pattern (``*.range.test``); ``path`` a regular expression
    matched in full against the path and query (``/item/123``, ``/search?q=x``). The port is
    ignored: the range runs on whatever port was free."""

    host: str
    path: str | None = None

    @property
    def _regex(self) -> re.Pattern[str] | None:
        return _compile(self.path) if self.path is not None else None

    def matches(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if not fnmatch.fnmatchcase(host, self.host):
            return False
        regex = self._regex
        if regex is None:
            return True
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return regex.fullmatch(target) is not None or regex.fullmatch(parts.path or "/") is not None

    def describe(self) -> str:
        return self.host + (f" {self.path}" if self.path else "")


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
