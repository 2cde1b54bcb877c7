"""The range's one error type, under the core's ``QuzhengError`` base."""

from __future__ import annotations

from forensics.errors import QuzhengError


class RangeError(QuzhengError):
    """The practice range could not start, serve or stop."""
