"""Who works at the desk, and the ledger records their work leaves (REQUIREMENTS.md §E1).

The main window tells this module which officer is unlocked (``set_officer``). While one
is, verifying a case (``app.desk.cases.verify_case``) appends ``verify``, writing its
report (``app.desk.report.write_report``) appends ``custody.report``, and opening a sealed
item in a viewer (``viewed``) appends ``custody.access`` — at most once per item per
officer while the program runs. With no officer unlocked nothing can be signed, so nothing
is recorded; neither is anything for an officer who is not on the case.

Access records are appended off the GUI thread, one at a time (``viewed`` returns the
future); a failure is logged, never shown as an error of the viewer.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from app.installation import Installation
from forensics.custody_records import record_access
from forensics.entries import Item
from forensics.identity import Signer
from forensics.ledger import Record

log = logging.getLogger(__name__)

_lock = threading.Lock()
_officer: Signer | None = None
_seen: set[tuple[str, str, int, str]] = set()  # (officer key, case id, seq, item path)
_pool = ThreadPoolExecutor(1, thread_name_prefix="qz-access")


def set_officer(signer: Signer | None) -> None:
    """The officer now unlocked at the desk (None: locked)."""
    global _officer
    with _lock:
        _officer = signer


def officer() -> Signer | None:
    with _lock:
        return _officer


def viewed(inst: Installation, case_id: str, seq: int, item: Item) -> Future[Record | None] | None:
    """Record that the unlocked officer opened ``item`` (sealed by entry ``seq``) of a
    case; None when nothing is to be recorded (nobody unlocked, or seen before)."""
    signer = officer()
    if signer is None:
        return None
    key = (signer.officer.key_fp, case_id, seq, item.path)
    with _lock:
        if key in _seen:
            return None
        _seen.add(key)

    def work() -> Record | None:
        try:
            with inst.open_case(case_id, recover=False) as case:
                if signer.officer.key_fp not in case.officers():
                    return None
                return record_access(case, signer, seq, item, via="gui")
        except Exception:
            log.exception("the view of %s in case %s could not be recorded", item.path, case_id)
            return None

    return _pool.submit(work)
