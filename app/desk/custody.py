"""Transfer of custody and receipt of a package, for the windows (as ``quzheng transfer`` and
``quzheng import-package`` do it): seal, then ask the TSA for what is queued.

They block (hashing, signing, the network): call them through ``run_task``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.installation import Installation
from forensics.custody import import_package, record_transfer, transfer_record_path
from forensics.identity import Signer
from forensics.stamping import StampOutcome, stamp_pending


@dataclass(frozen=True)
class TransferResult:
    seq: int  # the custody.transfer entry
    hash: str
    record_path: Path  # FILE.qzp.transfer.json, handed over with the package
    stamps: StampOutcome


def transfer_package(
    inst: Installation,
    case_id: str,
    signer: Signer,
    package: Path,
    *,
    to_name: str,
    to_agency: str,
    reason: str,
    to_badge: str = "",
) -> TransferResult:
    """Seal the transfer of ``package`` (exported from this case) to another agency."""
    with inst.open_case(case_id) as case:
        rec = record_transfer(
            case,
            signer,
            package,
            to_name=to_name.strip(),
            to_badge=to_badge.strip(),
            to_agency=to_agency.strip(),
            reason=reason.strip(),
        )
        stamps = stamp_pending(case, signer, inst.tsa_config())
    return TransferResult(rec.seq, rec.hash, transfer_record_path(package), stamps)


@dataclass(frozen=True)
class ReceiveResult:
    case_id: str
    stamps: StampOutcome


def receive_package(
    inst: Installation,
    package: Path,
    receiver: Signer,
    *,
    password: str | None = None,
    reason: str = "",
) -> ReceiveResult:
    """Verify ``package`` (again: the file may have changed since it was shown), import it as
    a read-only received case and seal ``custody.receive`` signed by ``receiver``."""
    case = import_package(
        inst.cases,
        package,
        receiver,
        inst.trust_policy(),
        password=password or None,
        reason=reason.strip(),
    )
    with case:
        return ReceiveResult(case.case_id, stamp_pending(case, receiver, inst.tsa_config()))
