from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forensics.canonical import beijing, canonical_bytes, format_time, parse_time
from forensics.errors import InputError


def test_canonical_sorted_compact_utf8() -> None:
    assert canonical_bytes({"b": 1, "a": ["取证", None]}) == '{"a":["取证",null],"b":1}'.encode()


def test_floats_are_refused() -> None:
    with pytest.raises(InputError):
        canonical_bytes({"x": 1.5})


def test_time_round_trip_and_beijing() -> None:
    t = datetime(2026, 11, 28, 19, 30, 1, 123456, tzinfo=UTC)
    assert format_time(t) == "2026-11-28T19:30:01.123456Z"
    assert parse_time("2026-11-28T19:30:01.123456Z") == t
    assert beijing(t) == "2026-11-29 03:30:01"


@given(st.text(max_size=40))
def test_parse_time_only_raises_input_error(s: str) -> None:
    with contextlib.suppress(InputError):
        parse_time(s)
