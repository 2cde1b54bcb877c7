"""Records of who verified a case, made its report or opened its evidence (REQUIREMENTS.md
§E1: every access, copy, export, transfer and verification is recorded).

Each is one signed ledger entry (``verify``, ``custody.report``, ``custody.access``; data:
``forensics.entry_data.custody``) appended by an officer of the case, also to a received
(read-only) case: they add nothing to its evidence. They are not seal points (no time-stamp
of their own; the next seal point's token covers them).

Verifying a package file that is not a case on this machine records nothing: there is no
ledger to append to (the package's own ledger is sealed and never changes).
"""

from __future__ import annotations

import hashlib
import json

from forensics.case import Case
from forensics.entries import Item
from forensics.entry_data import AccessData, ReportData, VerifyData
from forensics.errors import InputError
from forensics.hashing import Digests
from forensics.identity import Signer
from forensics.ledger import Record, parse_record
from forensics.verdict import Severity, VerificationReport


def verify_result_bytes(report: VerificationReport) -> bytes:
    """The verification result as ``quzheng verify --json`` prints it, keys sorted, compact,
    UTF-8: what ``result_sha256`` of a ``verify`` entry is the SHA-256 of."""
    return json.dumps(
        report.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def _head(case: Case, seq: int) -> tuple[int, str]:
    """Entry ``seq`` of the case (or its head when ``seq`` is past it) as (seq, hash)."""
    head = case.store.head()
    if head is None:
        raise InputError("the case has no ledger", "案件没有账本")
    if not 0 <= seq < head[0]:
        return head
    line = case.store.record_line(seq)
    return (seq, parse_record(line).hash) if line is not None else head


def record_verification(
    case: Case, signer: Signer, report: VerificationReport, *, via: str
) -> Record:
    """Append ``verify``: the verdict of ``case.verify`` over entries ``0…entries-1``."""
    case.require_member(signer)
    head_seq, head_hash = _head(case, report.entries - 1)
    errors = sum(1 for f in report.findings if f.severity is Severity.ERROR)
    data = VerifyData(
        verdict=str(report.verdict),
        exit_code=report.verdict.exit_code,
        head_seq=head_seq,
        head_hash=head_hash,
        errors=errors,
        findings=len(report.findings),
        result_sha256=hashlib.sha256(verify_result_bytes(report)).hexdigest(),
        via=via,
    )
    return case.ledger.append(signer, "verify", data.to_json())


def record_report(
    case: Case,
    signer: Signer,
    *,
    file_name: str,
    digests: Digests,
    pages: int,
    lang: str,
    bound_to: str,
    head: tuple[int, str],
    via: str,
) -> Record:
    """Append ``custody.report``: a report of the case as it stood at ``head`` was written."""
    case.require_member(signer)
    data = ReportData(
        file_name=file_name,
        size=digests.size,
        sha256=digests.sha256,
        sm3=digests.sm3,
        pages=pages,
        lang=lang,
        bound_to=bound_to,
        head_seq=head[0],
        head_hash=head[1],
        via=via,
    )
    return case.ledger.append(signer, "custody.report", data.to_json())


def record_access(case: Case, signer: Signer, seq: int, item: Item, *, via: str) -> Record:
    """Append ``custody.access``: ``signer`` opened ``item`` (sealed by entry ``seq``)."""
    case.require_member(signer)
    data = AccessData(seq=seq, path=item.path, sha256=item.sha256, via=via)
    return case.ledger.append(signer, "custody.access", data.to_json())
