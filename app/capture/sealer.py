"""The one writer of a case's ledger during a capture session.

The proxy's reader thread, the screen recorder's encoder thread and the officer's actions
all seal at once; the chain must still be strictly ordered, and an entry must never exist
without its files. Every append therefore goes through one ``Sealer`` thread, in the order
submitted. ``submit`` returns a ``concurrent.futures.Future``; nothing here touches Qt.

Fail closed: a job that raises fails only its own future (the caller decides whether that
stops the capture). Sealing itself is ``Case.seal``, the core's one seal path (the files
written durably first, then one entry in one transaction, the received-case rule checked
there): this module adds only the ordering thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from forensics.case import Case, SealItem
from forensics.errors import CaptureError, InputError, QuzhengError
from forensics.identity import Signer
from forensics.ledger import Record

logger = logging.getLogger(__name__)


# One evidence file of an entry (a path on disk or bytes in memory): the core's type.
Item = SealItem


class Sealer:
    """Serialises every append to one case's ledger on a thread of its own."""

    def __init__(
        self,
        case: Case,
        signer: Signer,
        session: str | None = None,
        *,
        on_record: Callable[[Record], None] | None = None,
    ) -> None:
        self.case = case
        self.signer = signer
        self.session = session
        # Called on the sealer thread with every entry a job returns, before its future
        # is done (the session pokes its time-stamper here). Must not block.
        self.on_record = on_record
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sealer", daemon=True)
        self._closed = False
        self._lock = threading.Lock()
        self.records: list[Record] = []  # every entry appended through this sealer, in order
        self._thread.start()

    # -- running jobs ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            func, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = func()
            except BaseException as exc:  # the submitter sees it through its future
                future.set_exception(exc)
                continue
            if isinstance(result, Record):
                self.records.append(result)
                if self.on_record is not None:
                    try:
                        self.on_record(result)
                    except Exception:  # the entry is sealed; only the hook failed
                        logger.exception("after sealing #%s", result.seq)
            future.set_result(result)

    def submit[R](self, func: Callable[[], R]) -> Future[R]:
        """Run ``func`` on the sealer thread after every job submitted before it."""
        future: Future[R] = Future()
        with self._lock:
            if self._closed:
                future.set_exception(
                    CaptureError("The session's sealer is closed.", "取证会话的封存线程已关闭。")
                )
                return future
            self._jobs.put((func, future))
        return future

    def drain(self, timeout: float | None = None) -> None:
        """Wait until every job submitted so far has run."""
        self.submit(lambda: None).result(timeout)

    def close(self, timeout: float | None = 60.0) -> None:
        """Run what is queued, then stop the thread. Later submits fail."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join(timeout)

    # -- sealing --------------------------------------------------------------------------

    def seal_items_now(
        self,
        kind: str,
        data: dict[str, Any],
        items: Sequence[Item],
        *,
        folder: str = "evidence",
    ) -> Record:
        """Seal every file in one entry through ``Case.seal`` (on the calling thread: use
        ``seal_items`` unless you are already on the sealer thread). A file that cannot be
        read fails the capture (``CaptureError``)."""
        try:
            return self.case.seal(
                self.signer, kind, data, items, session=self.session, folder=folder
            )
        except InputError as exc:
            raise describe(exc) from exc

    def seal_items(
        self,
        kind: str,
        data: dict[str, Any],
        items: Sequence[Item],
        *,
        folder: str = "evidence",
    ) -> Future[Record]:
        return self.submit(lambda: self.seal_items_now(kind, data, items, folder=folder))

    def append(self, kind: str, data: dict[str, Any]) -> Future[Record]:
        """An entry without files (``mark``, ``note``)."""
        return self.submit(lambda: self.case.seal(self.signer, kind, data, session=self.session))


def describe(exc: BaseException) -> CaptureError:
    """Any failure as a ``CaptureError`` with a message for the officer."""
    if isinstance(exc, CaptureError):
        return exc
    if isinstance(exc, QuzhengError):
        err = CaptureError(exc.message_en, exc.message_zh)
    else:
        err = CaptureError(
            f"{type(exc).__name__}: {exc}",
            f"{type(exc).__name__}：{exc}",
        )
    err.__cause__ = exc
    return err
