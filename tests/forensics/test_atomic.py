"""The one atomic-write helper: complete or absent, private means 0600, folder synced."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from forensics.atomic import (
    FileSystemSync,
    atomic_path,
    fsync_dir,
    replace_durably,
    write_atomic,
)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_replaces_whole_and_leaves_nothing_beside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write_atomic(path, b"old")
    write_atomic(path, "新的 new")
    assert path.read_text("utf-8") == "新的 new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


class _FullDisk:
    """A file object that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def write(self, data: bytes) -> int:
        self._f.write(data[: len(data) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_failing_midway_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "key.pem"
    write_atomic(path, b"old key", private=True)
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, b"new key, half written", private=True)
    monkeypatch.undo()
    assert path.read_bytes() == b"old key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]


def test_a_streamed_write_raising_midway_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "package.qzp"
    path.write_bytes(b"the old package")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"half of the new")
        raise RuntimeError("the writer died")
    assert path.read_bytes() == b"the old package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.qzp"]


def test_a_streamed_write_commits_on_success(tmp_path: Path) -> None:
    path = tmp_path / "out.har"
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.har.")
        assert not path.exists()  # nothing under the final name until committed
        tmp.write_text("{}", encoding="utf-8")
    assert path.read_text("utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.har"]


@pytest.mark.usefixtures("permissive_umask")
def test_private_files_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    write_atomic(key, b"secret", private=True)
    assert _mode(key) == 0o600
    (tmp_path / "wide.pem").write_bytes(b"x")
    os.chmod(tmp_path / "wide.pem", 0o666)
    write_atomic(tmp_path / "wide.pem", b"secret", private=True)  # replacing a wide file
    assert _mode(tmp_path / "wide.pem") == 0o600
    with atomic_path(tmp_path / "p.qzp", private=True) as tmp:
        assert _mode(tmp) == 0o600  # private from its first byte
        tmp.write_bytes(b"zip")
    assert _mode(tmp_path / "p.qzp") == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_an_explicit_mode_is_exact_and_the_default_follows_the_umask(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a", b"x", mode=0o640)
    assert _mode(tmp_path / "a") == 0o640
    write_atomic(tmp_path / "b", b"x")
    assert _mode(tmp_path / "b") == 0o666  # umask 0: as any new file
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "c", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "c") == 0o644
    with pytest.raises(ValueError):
        write_atomic(tmp_path / "d", b"x", private=True, mode=0o644)


def test_replace_durably_and_fsync_dir(tmp_path: Path) -> None:
    src = tmp_path / "seg.webm.open"
    src.write_bytes(b"segment")
    replace_durably(src, tmp_path / "seg.webm")
    assert (tmp_path / "seg.webm").read_bytes() == b"segment" and not src.exists()
    fsync_dir(tmp_path)  # the folder entry is synced (a real fsync, no mock)
    fsync_dir(tmp_path / "no-such-folder")  # a platform that cannot open it: skipped


def test_file_system_sync_says_whether_it_reports_write_errors(tmp_path: Path) -> None:
    """On Linux ≥ 5.8 (this machine and CI) a batch's one flush reports write errors;
    elsewhere it does not claim to, and callers fsync each file."""
    with FileSystemSync(tmp_path) as fs:
        (tmp_path / "f").write_bytes(b"data")
        fs.flush()
        linux = sys.platform.startswith("linux")
        release = tuple(int(x) for x in os.uname().release.split(".")[:2]) if linux else (0, 0)
        assert fs.reports_errors is (linux and release >= (5, 8))
    with FileSystemSync(tmp_path / "missing") as fs:
        assert fs.reports_errors is False
        fs.flush()  # nothing to flush through: no error
