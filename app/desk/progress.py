"""Progress from a worker thread, delivered on the GUI thread (a queued signal)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ProgressRelay(QObject):
    """Create on the GUI thread; hand ``report`` to the worker as its progress callback."""

    progressed = Signal(int, int)  # done, total

    def report(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)  # from any thread: Qt queues it to our thread
