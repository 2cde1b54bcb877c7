"""Bulk writes of a new file straight to the disk (``O_DIRECT``) where the system allows it.

A gibibyte written through the page cache costs the writing thread about 2 s of kernel time
on the virtual machines this runs on (fresh page-cache pages are faulted in from the host)
and leaves a gibibyte of dirty pages for the final ``fsync`` to flush — time taken from SM3,
which sets the pace of sealing and export (and reading such a file back through the cache
costs the same again: ``read_into`` reads without it). Written from page-aligned buffers with
``O_DIRECT``, the same bytes cost about 0.2 s of CPU, the device writes them while the caller
hashes the next ones, and the final ``fsync`` has only metadata left.

``DirectWriter`` wraps a file descriptor open for writing at offset 0. It starts buffered and
turns to direct I/O only once a whole staging buffer is full, so small files are written as
before in one ``write``. Full buffers are written by a worker thread (``os.write`` releases
the GIL); the tail that is not a whole number of disk blocks is written buffered at the end.
A file system that refuses ``O_DIRECT`` (tmpfs, some network mounts, non-Linux) is written
buffered throughout, with the same result. The caller still fsyncs the descriptor.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os
import queue
import threading
from types import TracebackType

BUFFER_SIZE = 4 << 20
_ALIGN = 4096  # a multiple of every logical block size in use (512, 4096)
_BUFFERS = 3
_O_DIRECT: int = getattr(os, "O_DIRECT", 0)


def set_direct(fd: int, on: bool) -> bool:
    """Turn ``O_DIRECT`` on or off for ``fd``; False when the file system refuses it."""
    if not _O_DIRECT:
        return False
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, (flags | _O_DIRECT) if on else (flags & ~_O_DIRECT))
    except OSError:
        return False
    return True


def read_into(fd: int, buf: mmap.mmap | bytearray) -> int:
    """Fill ``buf`` from ``fd`` as far as the file allows; the byte count. A direct read the
    file system refuses (a short read left the offset unaligned) is retried buffered."""
    view = memoryview(buf)
    got = 0
    direct = bool(_O_DIRECT) and bool(fcntl.fcntl(fd, fcntl.F_GETFL) & _O_DIRECT)
    while got < len(view):
        try:
            n = os.readv(fd, [view[got:]])
        except OSError as exc:
            if not direct or exc.errno != errno.EINVAL:
                raise
            direct = False
            set_direct(fd, False)
            continue
        if not n:
            break
        got += n
    return got


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view) :]


class DirectWriter:
    """``write`` the file's bytes in order, then ``close`` (or leave the ``with`` block).

    ``write`` copies the data into an aligned staging buffer, so the caller may reuse its own
    buffer at once. An error of the worker (a full disk) is raised by a later ``write`` or by
    ``close``, as the ``OSError`` it is.
    """

    def __init__(self, fd: int, *, buffer_size: int = BUFFER_SIZE) -> None:
        if buffer_size % _ALIGN:
            raise ValueError("the buffer size must be a multiple of 4096")
        self._fd = fd
        self._size = buffer_size
        self._buf = mmap.mmap(-1, buffer_size)  # page-aligned, as O_DIRECT requires
        self._fill = 0
        self._direct = False
        self._thread: threading.Thread | None = None
        self._free: queue.Queue[mmap.mmap] = queue.Queue()
        self._work: queue.Queue[mmap.mmap | None] = queue.Queue()
        self._error: OSError | None = None
        self._closed = False
        self.used_direct = False  # whether any block went to the disk with O_DIRECT

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            n = min(len(view), self._size - self._fill)
            self._buf[self._fill : self._fill + n] = view[:n]
            self._fill += n
            view = view[n:]
            if self._fill == self._size:
                self._hand_over()
        return total

    def _hand_over(self) -> None:
        """Queue the full staging buffer for the worker and take a free one."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._direct = set_direct(self._fd, True)
            for _ in range(_BUFFERS - 1):
                self._free.put(mmap.mmap(-1, self._size))
            self._thread = threading.Thread(target=self._run, name="qz-direct-write", daemon=True)
            self._thread.start()
        self._work.put(self._buf)
        self._buf = self._free.get()
        self._fill = 0
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (buf := self._work.get()) is not None:
            if self._error is None:
                try:
                    self._write_block(memoryview(buf))
                except OSError as exc:
                    self._error = exc
            self._free.put(buf)

    def _write_block(self, view: memoryview) -> None:
        if self._direct:
            try:
                written = os.write(self._fd, view)
            except OSError as exc:
                if exc.errno != errno.EINVAL:  # direct I/O refused after all: go on buffered
                    raise
                written = 0
            if written == len(view):
                self.used_direct = True
                return
            # A short or refused direct write: the rest goes buffered, from where it stopped.
            self._direct = False
            set_direct(self._fd, False)
            view = view[written:]
        _write_all(self._fd, view)

    def close(self) -> None:
        """Write what is left and wait for the worker; raise its error, if any."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._thread is not None:
                self._work.put(None)
                self._thread.join()
            if self._error is not None:
                raise self._error
            view = memoryview(self._buf)[: self._fill]
            if self._direct:
                whole = self._fill - self._fill % _ALIGN
                if whole:
                    self._write_block(view[:whole])
                    view = view[whole:]
                if self._direct:
                    self._direct = False
                    set_direct(self._fd, False)
            _write_all(self._fd, view)
        finally:
            with contextlib.suppress(BufferError):
                self._buf.close()

    def abort(self) -> None:
        """Stop the worker without writing the rest (the caller removes the file)."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._error = self._error or OSError("aborted")
            self._work.put(None)
            self._thread.join()

    def __enter__(self) -> DirectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
