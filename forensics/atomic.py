"""Atomic, durable file writes: a crash or an error leaves the old file or the new one,
never half of one, and never a stray temporary file.

Every write goes the same way: a temporary file beside the target (same folder, so the rename
stays on one file system), written, flushed and fsynced, given its final mode, renamed over
the target with ``os.replace`` and the folder fsynced so that the rename itself survives a
power cut. ``write_atomic`` does it for bytes in memory; ``atomic_path`` hands out the
temporary path for writers that stream (ZIP, WARC, PDF, HAR) and commits it on success;
``replace_durably`` commits a file that was written under another name (open segments).

Only the content-addressed blob store (``forensics/store.py``) commits files its own way:
its blobs are renamed read-only under their digest, and a blob already present is kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

PRIVATE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_private_dir(path: Path) -> None:
    """Create the folder ``path`` and any missing parents, each owner-only (0700) whatever the
    umask, as ``mkdir -p`` would; folders that exist already are left as they are."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another writer made it meanwhile
            d.mkdir(mode=PRIVATE_DIR_MODE)
    if not path.is_dir():
        raise FileExistsError(f"not a folder: {path}")


def fsync_dir(path: Path) -> None:
    """Make a create or rename inside the folder ``path`` durable. Platforms that cannot
    open or fsync a folder (Windows; some network file systems) skip it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FileSystemSync:
    """Flushes of the file system that holds ``path``, for a batch of new files (Linux
    ``syncfs``): one flush for them all, where an ``fsync`` of each pays a journal commit per
    file. Open it before the files are written: since Linux 5.8 ``syncfs`` reports every
    write error on that file system since the descriptor was opened, so with
    ``reports_errors`` the files need no ``fsync`` of their own. Otherwise (another system,
    an older kernel) ``flush`` flushes what it can, or nothing, and the caller still fsyncs
    each file and folder (then cheap)."""

    def __init__(self, path: Path) -> None:
        self._fd: int | None = None
        if _syncfs() is not None:
            with contextlib.suppress(OSError):
                self._fd = os.open(path, os.O_RDONLY)
        self.reports_errors = self._fd is not None and _kernel_at_least(5, 8)

    def flush(self) -> None:
        """Write everything out; ``OSError`` if a write failed (as far as it can tell)."""
        syncfs = _syncfs()
        if self._fd is None or syncfs is None:
            return
        if syncfs(self._fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileSystemSync:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kernel_at_least(major: int, minor: int) -> bool:
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return m is not None and (int(m[1]), int(m[2])) >= (major, minor)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    return fn


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(src: Path, dst: Path) -> None:
    """Rename the finished file ``src`` over ``dst`` durably: its content is fsynced first,
    the folder after."""
    _fsync_file(src)
    os.replace(src, dst)
    fsync_dir(dst.parent)


def _temp_name(path: Path) -> Path:
    # Hidden, unique (several writers may race for one target), in the target's folder.
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def temp_files_of(path: Path) -> list[Path]:
    """The temporary files a writer of ``path`` killed mid-write left beside it."""
    try:
        names = [e.name for e in os.scandir(path.parent)]
    except OSError:
        return []
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{12}}\.tmp")
    return [path.with_name(n) for n in names if pattern.fullmatch(n)]


def _create(tmp: Path, private: bool, mode: int | None) -> int:
    """Create ``tmp`` exclusively. A private file is 0600 from its first byte; a file with an
    explicit mode gets exactly that mode; otherwise the umask decides, as for any new file."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE if private else 0o666)
    try:
        final = PRIVATE_MODE if private else mode
        if final is not None:
            os.chmod(tmp, final)  # exactly this mode: never widened, nor narrowed, by the umask
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_atomic(
    path: Path, data: bytes | str, *, private: bool = False, mode: int | None = None
) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically and durably.

    ``private`` makes the file readable and writable by its owner only (0600, whatever the
    umask); ``mode`` sets another exact mode; neither leaves it to the umask.
    """
    if private and mode is not None:
        raise ValueError("private and mode exclude each other")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _temp_name(path)
    fd = _create(tmp, private, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_path(path: Path, *, private: bool = False, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to (it exists, empty). When the block ends
    normally the file is fsynced and renamed over ``path`` durably; when it raises, the
    temporary file is removed and ``path`` is untouched."""
    if private and mode is not None:
        raise ValueError("private and mode exclude each other")
    tmp = _temp_name(path)
    os.close(_create(tmp, private, mode))
    try:
        yield tmp
        replace_durably(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
