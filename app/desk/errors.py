"""What went wrong, in the officer's language, and what is still sealed.

The error dialog says what happened (``QuzhengError.diagnostics``), and — because the first
question after any failure is "is the evidence safe?" — how many entries the case's ledger
holds and its last seal, read again from the case after the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forensics.case import Case
from forensics.errors import CaptureError, QuzhengError


@dataclass(frozen=True)
class SealedState:
    entries: int
    last_seq: int
    last_hash: str


def explain(exc: BaseException, lang: str) -> str:
    """The message a person reads: our errors in their language, others as they are."""
    if isinstance(exc, QuzhengError):
        return exc.diagnostics(lang)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def is_capture_stop(exc: BaseException) -> bool:
    return isinstance(exc, CaptureError)


def sealed_state(cases: Path, case_id: str) -> SealedState | None:
    """The ledger as it stands (None when the case cannot be read at all)."""
    try:
        with Case.open(cases, case_id, recover=False) as case:
            head = case.store.head()
            if head is None:
                return SealedState(0, -1, "")
            return SealedState(head[0] + 1, head[0], head[1])
    except QuzhengError:
        return None
