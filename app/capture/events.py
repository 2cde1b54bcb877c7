"""``SessionEvents``: what a capture session tells the GUI while it runs (Qt signals)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot


class SessionEvents(QObject):
    """Signals for the GUI (emitted from any thread, delivered on the GUI thread).

    Create it on the GUI thread: ``on_failed`` then runs there too, whichever thread
    noticed the failure (a slot of this object gets a queued call across threads; a plain
    Python callable connected directly would run on the emitting thread).
    """

    failed = Signal(object)  # CaptureError: capture has stopped
    sealed = Signal(object)  # Record
    message = Signal(str)

    def __init__(self, on_failed: Callable[[object], None]) -> None:
        super().__init__()
        self._on_failed = on_failed
        self.failed.connect(self._failed)

    @Slot(object)
    def _failed(self, err: object) -> None:
        self._on_failed(err)
