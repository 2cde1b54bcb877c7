"""What went wrong, in the officer's language, and what is still sealed.

The error dialog says what happened (``QuzhengError.diagnostics``), and — because the first
question after any failure is "is the evidence safe?" — how many entries the case's ledger
holds and its last seal, read again from the case after the failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from forensics.case import Case
from forensics.errors import CaptureError, QuzhengError, os_reason


@dataclass(frozen=True)
class SealedState:
    entries: int
    last_seq: int
    last_hash: str


# Working files written next to their target and renamed when complete: the person
# chose the folder, not this name, so the folder is what the message names.
_WORK_FILE = re.compile(r"(^\.|\.(tmp|part|partial|incomplete)$|^tmp[0-9a-z_]{6,})", re.I)


def os_error_text(exc: OSError, lang: str) -> str:
    """An operating-system error in one language, with the path the person knows: the
    folder of a temporary working file rather than its generated name."""
    zh = lang.startswith("zh")
    reason = os_reason(exc)[1 if zh else 0]
    name = str(exc.filename or "")
    if name and _WORK_FILE.search(Path(name).name):
        name = str(Path(name).parent)
        return f"无法写入文件夹 {name}：{reason}" if zh else f"cannot write to {name}: {reason}"
    if not name:
        return f"文件操作失败：{reason}" if zh else f"file operation failed: {reason}"
    return f"无法读写 {name}：{reason}" if zh else f"cannot read or write {name}: {reason}"


def explain(exc: BaseException, lang: str) -> str:
    """The message a person reads: our errors in their language, an OS error in that
    language too (``os_error_text``), others as they are."""
    if isinstance(exc, QuzhengError):
        return exc.diagnostics(lang)
    if isinstance(exc, OSError):
        return os_error_text(exc, lang)
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
