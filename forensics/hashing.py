"""One-pass streaming digests: SHA-256 and SM3 of a stream in a single read.

SM3 is about six times slower than SHA-256 on this class of machine (FIELD-NOTES.md), so it
runs on a worker thread while the caller's thread reads, computes SHA-256 and copies. hashlib
releases the GIL for large updates, so the two digests really run on two cores and sealing
goes at the speed of SM3 alone. Memory is bounded by the queue depth times the chunk size.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from forensics.errors import InputError, os_reason

CHUNK_SIZE = 1 << 20
_QUEUE_DEPTH = 8
_DONE = b""


class _Writable(Protocol):
    def write(self, data: bytes | memoryview, /) -> int | None: ...


@dataclass(frozen=True)
class Digests:
    """Size and both digests (lowercase hex) of one evidence file."""

    size: int
    sha256: str
    sm3: str

    def as_json(self) -> dict[str, int | str]:
        return {"size": self.size, "sha256": self.sha256, "sm3": self.sm3}


def new_sm3() -> hashlib._Hash:
    try:
        return hashlib.new("sm3")
    except ValueError:  # pragma: no cover - OpenSSL without SM3
        raise InputError(
            "this Python's OpenSSL has no SM3; install an OpenSSL build with SM3",
            "当前 Python 的 OpenSSL 不支持 SM3",
        ) from None


class DualHasher:
    """Feed chunks with ``update``; ``finish`` returns both digests.

    SM3 runs on a worker thread. Chunks must not be mutated after being passed in, so callers
    hand over fresh ``bytes`` objects.
    """

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._sm3 = new_sm3()
        self._size = 0
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=_QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        # The first chunk waits here: a file of one chunk is hashed inline, without the
        # cost of starting a thread (small files are sealed by the thousand).
        self._first: bytes | None = None
        self._finished = False

    def _run_sm3(self) -> None:
        try:
            while True:
                chunk = self._queue.get()
                if chunk is _DONE:
                    return
                self._sm3.update(chunk)
        except BaseException as exc:  # pragma: no cover - hashlib does not fail on bytes
            self._error = exc

    def update(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self._thread is None:
            if self._first is None:
                self._first = chunk
                self._sha.update(chunk)
                self._size += len(chunk)
                return
            self._thread = threading.Thread(target=self._run_sm3, name="sm3", daemon=True)
            self._thread.start()
            self._queue.put(self._first)
            self._first = None
        self._queue.put(chunk)
        self._sha.update(chunk)
        self._size += len(chunk)

    def _stop(self) -> None:
        self._finished = True
        if self._thread is not None:
            self._queue.put(_DONE)
            self._thread.join()
        elif self._first is not None:
            self._sm3.update(self._first)
            self._first = None

    def finish(self) -> Digests:
        if not self._finished:
            self._stop()
        if self._error is not None:  # pragma: no cover
            raise self._error
        return Digests(self._size, self._sha.hexdigest(), self._sm3.hexdigest())

    def abort(self) -> None:
        """Stop the worker without a result (on an error in the caller)."""
        if not self._finished:
            self._stop()


def digest_bytes(data: bytes) -> Digests:
    """Both digests of bytes in memory."""
    sm3 = new_sm3()
    sm3.update(data)
    return Digests(len(data), hashlib.sha256(data).hexdigest(), sm3.hexdigest())


def _write_all(sink: _Writable, view: memoryview) -> None:
    while view:
        written = sink.write(view)
        view = view[written if written is not None else len(view) :]


def digest_stream(src: BinaryIO, sink: _Writable | None = None) -> Digests:
    """Read ``src`` to its end once; hash it, and copy it into ``sink`` when given.

    Chunks are read into a small pool of reused buffers (no allocation per chunk: fresh
    1 MiB objects cost page faults that show in the throughput); SM3 runs on a worker
    thread and hands each buffer back when done. A file of one chunk is hashed inline.
    """
    readinto = getattr(src, "readinto", None)
    if readinto is None:
        return _digest_stream_bytes(src, sink)
    sha = hashlib.sha256()
    sm3 = new_sm3()
    first = bytearray(CHUNK_SIZE)
    n = _fill(readinto, first)
    if n < CHUNK_SIZE:  # the whole stream fits one chunk: no thread
        view = memoryview(first)[:n]
        sha.update(view)
        sm3.update(view)
        if sink is not None:
            _write_all(sink, view)
        return Digests(n, sha.hexdigest(), sm3.hexdigest())
    pool: queue.Queue[bytearray] = queue.Queue()
    for _ in range(_QUEUE_DEPTH + 1):
        pool.put(bytearray(CHUNK_SIZE))
    work: queue.Queue[tuple[bytearray, int] | None] = queue.Queue(maxsize=_QUEUE_DEPTH)
    errors: list[BaseException] = []

    def run_sm3() -> None:
        try:
            while (item := work.get()) is not None:
                buf, length = item
                sm3.update(memoryview(buf)[:length])
                pool.put(buf)
        except BaseException as exc:  # pragma: no cover - hashlib does not fail on buffers
            errors.append(exc)

    thread = threading.Thread(target=run_sm3, name="sm3", daemon=True)
    thread.start()
    size = 0
    buf, length = first, n
    try:
        while length:
            view = memoryview(buf)[:length]
            work.put((buf, length))
            sha.update(view)
            if sink is not None:
                _write_all(sink, view)
            size += length
            buf = pool.get()
            length = _fill(readinto, buf)
    finally:
        work.put(None)
        thread.join()
    if errors:  # pragma: no cover
        raise errors[0]
    return Digests(size, sha.hexdigest(), sm3.hexdigest())


def _fill(readinto: Callable[[memoryview], int | None], buf: bytearray) -> int:
    """Fill ``buf`` as far as the stream allows (short reads are not the end)."""
    view = memoryview(buf)
    got = 0
    while got < len(buf):
        n = readinto(view[got:])
        if not n:
            break
        got += n
    return got


def _digest_stream_bytes(src: BinaryIO, sink: _Writable | None) -> Digests:
    hasher = DualHasher()
    try:
        while True:
            chunk = src.read(CHUNK_SIZE)
            if not chunk:
                break
            hasher.update(chunk)
            if sink is not None:
                _write_all(sink, memoryview(chunk))
    except BaseException:
        hasher.abort()
        raise
    return hasher.finish()


def open_for_reading(path: Path) -> BinaryIO:
    """``path`` opened unbuffered for reading; a file that cannot be read is an
    ``InputError`` naming it."""
    try:
        return open(path, "rb", buffering=0)
    except FileNotFoundError:
        raise InputError(f"file not found: {path}", f"文件不存在：{path}") from None
    except IsADirectoryError:
        raise InputError(f"not a file: {path}", f"不是文件：{path}") from None
    except PermissionError:
        raise InputError(f"file not readable: {path}", f"文件不可读：{path}") from None
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror}", f"无法读取 {path}：{os_reason(exc)[1]}"
        ) from None


def digest_file(path: Path) -> Digests:
    """Both digests of a file, streamed."""
    with open_for_reading(path) as f:
        try:
            return digest_stream(f)
        except OSError as exc:
            raise InputError(
                f"cannot read {path}: {exc.strerror}", f"无法读取 {path}：{os_reason(exc)[1]}"
            ) from None
