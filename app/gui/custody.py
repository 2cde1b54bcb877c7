"""Transfer of custody and receipt of a package, for the windows (as ``quzheng transfer`` and
``quzheng import-package`` do it): seal, then ask the TSA for what is queued.

They block (hashing, signing, the network): call them through ``run_task``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.gui.cases import tsa_config
from app.paths import cases_home
from forensics.case import Case
from forensics.custody import import_package, record_transfer, transfer_record_path
from forensics.identity import IdentityStore, Signer
from forensics.stamping import StampOutcome, stamp_pending


@dataclass(frozen=True)
class TransferResult:
    seq: int  # the custody.transfer entry
    hash: str
    record_path: Path  # FILE.qzp.transfer.json, handed over with the package
    stamps: StampOutcome


def transfer_package(
    home: Path,
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
    with Case.open(cases_home(home), case_id) as case:
        rec = record_transfer(
            case,
            signer,
            package,
            to_name=to_name.strip(),
            to_badge=to_badge.strip(),
            to_agency=to_agency.strip(),
            reason=reason.strip(),
        )
        stamps = stamp_pending(case, signer, tsa_config(home))
    return TransferResult(rec.seq, rec.hash, transfer_record_path(package), stamps)


@dataclass(frozen=True)
class ReceiveResult:
    case_id: str
    stamps: StampOutcome


def receive_package(
    home: Path, package: Path, receiver: Signer, *, password: str | None = None, reason: str = ""
) -> ReceiveResult:
    """Verify ``package`` (again: the file may have changed since it was shown), import it as
    a read-only received case and seal ``custody.receive`` signed by ``receiver``."""
    ids = IdentityStore(home)
    case = import_package(
        cases_home(home),
        package,
        receiver,
        ids.trust_policy(),
        password=password or None,
        reason=reason.strip(),
    )
    with case:
        return ReceiveResult(case.case_id, stamp_pending(case, receiver, tsa_config(home)))
