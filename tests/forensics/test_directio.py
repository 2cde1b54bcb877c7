from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from forensics.directio import BUFFER_SIZE, DirectWriter
from forensics.store import CaseStore

SMALL = 16 * 1024  # staging buffers of four pages, so a few KiB cross several of them


def _write(path: Path, pieces: list[bytes], buffer_size: int = SMALL) -> DirectWriter:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with DirectWriter(fd, buffer_size=buffer_size) as w:
            for p in pieces:
                assert w.write(p) == len(p)
        os.fsync(fd)
    finally:
        os.close(fd)
    return w


@pytest.mark.parametrize(
    "sizes",
    [[], [1], [SMALL - 1], [SMALL], [SMALL + 1], [3 * SMALL + 4095], [7, 5000, 40000, 3, 9999]],
)
def test_bytes_arrive_in_order(tmp_path: Path, sizes: list[int]) -> None:
    pieces = [os.urandom(n) for n in sizes]
    target = tmp_path / "out.bin"
    _write(target, pieces)
    assert target.read_bytes() == b"".join(pieces)


def test_large_file_goes_direct_where_supported(tmp_path: Path) -> None:
    data = os.urandom(5 * SMALL + 123)
    target = tmp_path / "big.bin"
    w = _write(target, [data[i : i + 10000] for i in range(0, len(data), 10000)])
    assert target.read_bytes() == data
    if hasattr(os, "O_DIRECT") and os.uname().sysname == "Linux":
        # tmp_path lies on an ordinary disk file system here, which takes direct I/O.
        assert w.used_direct


def test_small_file_is_one_buffered_write(tmp_path: Path) -> None:
    w = _write(tmp_path / "small.bin", [b"x" * 1000])
    assert not w.used_direct


def test_caller_may_reuse_its_buffer(tmp_path: Path) -> None:
    buf = bytearray(SMALL // 2)
    expected = b""
    target = tmp_path / "reuse.bin"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    with DirectWriter(fd, buffer_size=SMALL) as w:
        for i in range(9):
            buf[:] = bytes([i]) * len(buf)
            w.write(memoryview(buf))
            expected += bytes(buf)
    os.close(fd)
    assert target.read_bytes() == expected


def test_a_write_error_is_raised_not_lost(tmp_path: Path) -> None:
    target = tmp_path / "ro.bin"
    target.write_bytes(b"")
    fd = os.open(target, os.O_RDONLY)  # every write fails (EBADF)
    try:
        w = DirectWriter(fd, buffer_size=SMALL)
        with pytest.raises(OSError):
            w.write(os.urandom(4 * SMALL))
            w.close()
    finally:
        os.close(fd)


def test_buffer_size_must_be_whole_blocks() -> None:
    with pytest.raises(ValueError):
        DirectWriter(0, buffer_size=5000)


def test_store_seals_a_large_file_byte_for_byte(tmp_path: Path) -> None:
    data = os.urandom(2 * BUFFER_SIZE + 12345)  # whole buffers go direct, the tail buffered
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    with CaseStore(tmp_path / "case", create=True) as store:
        d = store.ingest_file(src)
        blob = store.blob_path(d.sha256)
        assert blob.read_bytes() == data
        assert (d.size, d.sha256, d.sm3) == (
            len(data),
            hashlib.sha256(data).hexdigest(),
            hashlib.new("sm3", data).hexdigest(),
        )
        assert oct(blob.stat().st_mode & 0o777) == "0o400"
        assert list((tmp_path / "case" / "tmp").iterdir()) == []
