"""The package's ZIP entries read front to back, the way streaming readers read them.

Streaming readers (Java's ``ZipInputStream``, stream-unzip, carving tools) never look at the
central directory: they trust each local header. So every entry must be stored with its CRC-32
and sizes in the local header and no data descriptor (docs/package-format.md §2.4). This test
reads the file as such a reader does and compares what it finds with the central directory and
with the manifest. Java itself reads the demo package in ``tests/interop/test_java_zip.py``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from forensics.errors import CaptureError
from forensics.hashing import digest_file
from forensics.package import layout as L
from forensics.package.zipwrite import Source, _zip64_flags, write_zip
from tests.forensics.package.conftest import PASSWORD, Exported

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_DATA_DESCRIPTOR = 0x08


def stream_entries(path: Path) -> list[tuple[str, int, int, bytes, bool]]:
    """(name, flags, method, data, zip64) for each local header from the start of the file
    to the central directory; the data read by the local header's size alone."""
    out = []
    with open(path, "rb") as f:
        while True:
            head = f.read(_LOCAL.size)
            sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, xlen = _LOCAL.unpack(head)
            if sig != b"PK\x03\x04":
                assert sig[:4] == b"PK\x01\x02", "after the entries comes the central directory"
                return out
            name = f.read(nlen).decode()
            extra = f.read(xlen)
            zip64 = csize == 0xFFFFFFFF
            if zip64:
                assert extra[:2] == b"\x01\x00"
                usize, csize = struct.unpack("<QQ", extra[4:20])
            data = f.read(csize)
            assert len(data) == csize
            if method == 0:
                assert usize == csize
                assert zlib.crc32(data) == crc, name
            out.append((name, flags, method, data, zip64))


def test_every_entry_has_crc_and_sizes_up_front(exported: Exported) -> None:
    entries = stream_entries(exported.path)
    with zipfile.ZipFile(exported.path) as zf:
        central = {i.filename: zf.read(i) for i in zf.infolist()}
    assert [e[0] for e in entries] == list(central)
    for name, flags, method, data, zip64 in entries:
        assert not flags & _DATA_DESCRIPTOR, f"{name} has a data descriptor"
        assert method == zipfile.ZIP_STORED
        assert not zip64, "a small package needs no ZIP64"
        assert data == central[name]
    files = json.loads(central[L.MANIFEST])["files"]
    for f in files:
        assert hashlib.sha256(central[f["path"]]).hexdigest() == f["sha256"]


def test_encrypted_entries_have_sizes_up_front(make_exported: Callable[..., Exported]) -> None:
    entries = stream_entries(make_exported(password=PASSWORD).path)
    assert entries
    for name, flags, method, _data, _zip64 in entries:
        assert not flags & _DATA_DESCRIPTOR, f"{name} has a data descriptor"
        assert method == 99  # WinZip AES (AE-2: the CRC field is 0 by design)


def test_whole_file_digest_is_the_file_written(tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 300_000)
    out = tmp_path / "p.zip"
    with open(out, "wb") as f:
        got = write_zip(f, [Source("a.bin", src, 300_000), Source("b.txt", b"hello", 5)])
    assert got == digest_file(out)
    assert [e[0] for e in stream_entries(out)] == ["a.bin", "b.txt"]


def test_a_source_that_changes_while_written_fails_the_export(tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 1000)
    with pytest.raises(CaptureError, match="changed"), open(tmp_path / "p.zip", "wb") as f:
        # the size the writer was told differs from the bytes it finds
        write_zip(f, [Source("a.bin", src, 999)])


def test_zip64_only_where_an_entry_ends_beyond_4gib() -> None:
    small = Source("a", b"", 10)
    big = Source("archive/x.warc.gz", b"", 0xFFFF_FFC0)
    assert _zip64_flags([small, small], encrypted=False) == [False, False]
    assert _zip64_flags([small, big, small], encrypted=False) == [False, True, True]
    many = [small] * 0xFFFF
    assert all(_zip64_flags(many, encrypted=False))
