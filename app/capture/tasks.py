"""Background work for the capture engine: ``run_task(func, on_done)``.

``func`` runs on a ``QThreadPool`` worker; ``on_done`` gets an ``Outcome`` (the value, or
the exception ``func`` raised) on the GUI thread, delivered by a queued signal. Nothing
that hashes, encodes or waits on the network runs on the GUI thread.

Tests (and the headless command, where it helps) swap in ``SyncRunner``: ``func`` and then
``on_done`` run at once on the calling thread, so a test needs no event loop to see the
result. ``set_runner`` installs a runner for the whole process and returns the previous one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome[T]:
    """What a task produced: ``value`` when it returned, ``error`` when it raised."""

    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        """The value, or the task's exception raised again."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


def _call[T](func: Callable[[], T]) -> Outcome[T]:
    try:
        return Outcome(value=func())
    except Exception as exc:  # handed to on_done: the caller decides what it means
        return Outcome(error=exc)


class TaskRunner(Protocol):
    def run[T](
        self, func: Callable[[], T], on_done: Callable[[Outcome[T]], None] | None = None
    ) -> None: ...

    def wait_idle(self, timeout_ms: int = -1) -> bool: ...


class SyncRunner:
    """Runs each task at once on the calling thread (tests, scripts)."""

    def run[T](
        self, func: Callable[[], T], on_done: Callable[[Outcome[T]], None] | None = None
    ) -> None:
        outcome = _call(func)
        if on_done is not None:
            on_done(outcome)
        elif outcome.error is not None:
            logger.error("background task failed", exc_info=outcome.error)

    def wait_idle(self, timeout_ms: int = -1) -> bool:
        return True


class _Relay(QObject):
    """Lives on the GUI thread; a worker emits ``done`` and Qt queues the call over."""

    done = Signal(object)

    @Slot(object)
    def deliver(self, item: object) -> None:
        callback: Callable[[Outcome[Any]], None] | None
        outcome: Outcome[Any]
        callback, outcome = item  # type: ignore[misc]
        if callback is None:
            if outcome.error is not None:
                logger.error("background task failed", exc_info=outcome.error)
            return
        callback(outcome)


class _Job(QRunnable):
    def __init__(self, func: Callable[[], Any], on_done: Any, relay: _Relay) -> None:
        super().__init__()
        self._func = func
        self._on_done = on_done
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        self._relay.done.emit((self._on_done, _call(self._func)))


class PoolRunner:
    """Tasks on a ``QThreadPool`` (the global one unless given); results on the GUI thread.

    Create it on the GUI thread: the relay object it owns lives on the creating thread.
    """

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay()
        self._relay.done.connect(self._relay.deliver)

    def run[T](
        self, func: Callable[[], T], on_done: Callable[[Outcome[T]], None] | None = None
    ) -> None:
        self.pool.start(_Job(func, on_done, self._relay))

    def wait_idle(self, timeout_ms: int = -1) -> bool:
        """Block until every started task has run (``on_done`` calls still queued)."""
        return bool(self.pool.waitForDone(timeout_ms))


_lock = threading.Lock()
_runner: TaskRunner | None = None


def set_runner(runner: TaskRunner | None) -> TaskRunner | None:
    """Install ``runner`` for the process (``None``: back to the pool); returns the old one."""
    global _runner
    with _lock:
        old, _runner = _runner, runner
    return old


def get_runner() -> TaskRunner:
    """The installed runner; a ``PoolRunner`` is made on first use (call on the GUI thread)."""
    global _runner
    with _lock:
        if _runner is None:
            _runner = PoolRunner()
        return _runner


def run_task[T](func: Callable[[], T], on_done: Callable[[Outcome[T]], None] | None = None) -> None:
    """Run ``func`` in the background; ``on_done(outcome)`` later, on the GUI thread."""
    get_runner().run(func, on_done)
