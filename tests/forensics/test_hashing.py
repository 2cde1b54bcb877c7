from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.hashing import CHUNK_SIZE, digest_file, digest_stream


def _reference(data: bytes) -> tuple[int, str, str]:
    return len(data), hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest()


def test_known_vector_sm3_abc() -> None:
    # GB/T 32905-2016 Appendix A example 1.
    d = digest_stream(io.BytesIO(b"abc"))
    assert d.sm3 == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert d.sha256 == hashlib.sha256(b"abc").hexdigest()


def test_multi_chunk_file_and_copy(tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 12345)
    src = tmp_path / "f.bin"
    src.write_bytes(data)
    d = digest_file(src)
    assert (d.size, d.sha256, d.sm3) == _reference(data)
    sink = io.BytesIO()
    with open(src, "rb") as f:
        d2 = digest_stream(f, sink)
    assert d2 == d
    assert sink.getvalue() == data


def test_empty_stream() -> None:
    assert (lambda d: (d.size, d.sha256, d.sm3))(digest_stream(io.BytesIO())) == _reference(b"")


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=5000))
def test_matches_hashlib(data: bytes) -> None:
    d = digest_stream(io.BytesIO(data))
    assert (d.size, d.sha256, d.sm3) == _reference(data)
