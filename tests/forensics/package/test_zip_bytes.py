"""The package writer's ZIP is byte for byte what stream_zip, the library it replaced, wrote.

``forensics/package/zipwrite.py`` writes the ZIP structure itself so that the encrypted export
keeps pace with SM3 (issue 23). These tests hold it to the library's output — plain, ZIP64 and
WinZip AES-256 (the salt fixed on both sides) — so every package reads as before, and check
that pyzipper and 7-Zip (when installed) open an encrypted package with a non-ASCII password.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import pyzipper
from stream_zip import NO_COMPRESSION_32, NO_COMPRESSION_64, stream_zip

from forensics.package import zipwrite
from forensics.package.zipwrite import ENTRY_MODE, ENTRY_TIME, Source, write_zip

PASSWORD = "package password 1"
# The library warns about WinZip AES's fixed key derivation (PBKDF2-HMAC-SHA1, 1000 rounds).
pytestmark = pytest.mark.filterwarnings("ignore:PBKDF2 without:DeprecationWarning")


def _members(tmp_path: Path) -> list[Source]:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * (1 << 20) + 12_345))  # several chunks, a short last one
    return [
        Source("evidence/1-big.bin", big, big.stat().st_size),
        Source("custody/ledger.jsonl", "第三".encode() * 1000, 6000),
        Source("evidence/2-empty.txt", b"", 0),
        Source("SHA256SUMS", b"x" * 100_000, 100_000),
    ]


def _data(src: Path | bytes) -> bytes:
    return src if isinstance(src, bytes) else src.read_bytes()


def _library(
    entries: list[Source], password: str | None, salts: Iterator[bytes], wide: bool = False
) -> bytes:
    method = NO_COMPRESSION_64 if wide else NO_COMPRESSION_32
    members = (
        (e.name, ENTRY_TIME, ENTRY_MODE, method(e.size, zlib.crc32(_data(e.source))), (_data(e.source),))
        for e in entries
    )  # fmt: skip
    return b"".join(
        stream_zip(
            members,
            extended_timestamps=False,
            password=password,
            get_crypto_random=lambda n: next(salts)[:n],
        )
    )


def _ours(tmp_path: Path, entries: list[Source], password: str | None) -> bytes:
    out = tmp_path / "ours.zip"
    with open(out, "wb") as f:
        write_zip(f, entries, password=password)
    return out.read_bytes()


def _salts() -> Iterator[bytes]:
    return (bytes([i]) * 16 for i in itertools.count(1))


def test_plain_zip_is_the_library_s_bytes(tmp_path: Path) -> None:
    entries = _members(tmp_path)
    assert _ours(tmp_path, entries, None) == _library(entries, None, _salts())


def test_aes_zip_is_the_library_s_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _members(tmp_path)
    salts = _salts()
    monkeypatch.setattr(zipwrite.secrets, "token_bytes", lambda n: next(salts)[:n])
    assert _ours(tmp_path, entries, PASSWORD) == _library(entries, PASSWORD, _salts())


def test_zip64_when_plain_zip_cannot_count_the_entries(tmp_path: Path) -> None:
    entries = [Source(f"evidence/{i}.txt", b"%d" % i, len(b"%d" % i)) for i in range(0xFFFF)]
    assert _ours(tmp_path, entries, None) == _library(entries, None, _salts(), wide=True)


def test_zip64_aes_headers_are_the_library_s(tmp_path: Path) -> None:
    """An AES entry with ZIP64 fields (one that would end beyond 4 GiB), checked on one small
    entry: its local header opens the library's file and its central record follows the data."""
    data = os.urandom(1000)
    library = _library([Source("archive/x.warc.gz", data, 1000)], PASSWORD, _salts(), wide=True)
    local, central = zipwrite._headers(b"archive/x.warc.gz", 0, 1000, 0, True, True)
    assert library.startswith(local)
    assert library[len(local) + 1000 + 28 :].startswith(central)


def test_a_chinese_password_opens_in_pyzipper_and_7zip(tmp_path: Path) -> None:
    """The password is UTF-8, as our reader, pyzipper and 7-Zip take it (the library refused
    any password outside Latin-1 with a traceback)."""
    entries = _members(tmp_path)
    password = "证据包密码2026"
    _ours(tmp_path, entries, password)
    out = tmp_path / "ours.zip"
    with pyzipper.AESZipFile(out) as zf:
        zf.setpassword(password.encode())
        assert [zf.read(e.name) for e in entries] == [_data(e.source) for e in entries]
    if shutil.which("7zz") is None:
        return
    got = subprocess.run(
        ["7zz", "t", f"-p{password}", str(out)], capture_output=True, text=True, check=False
    )
    assert got.returncode == 0, got.stdout + got.stderr
