"""The officer's case records what the vault did with its package: the deposit (the vault's
receipt, checked, sealed as ``custody.deposit``) and a transfer by link (``custody.transfer``,
naming the receiver, the reason and the package's digests). Both are seal points: each gets
a time-stamp of its own."""

from __future__ import annotations

from typing import Any

from app.vault.receipt import check_receipt
from forensics.case import Case
from forensics.entry_data import DepositData, TransferData
from forensics.identity import Signer
from forensics.ledger import Record
from forensics.trust import TrustPolicy


def seal_deposit(
    case: Case, signer: Signer, receipt: dict[str, Any], policy: TrustPolicy
) -> Record:
    """Check the receipt under the officer's trust policy, then seal it in the case."""
    check_receipt(receipt, policy, str(receipt.get("receipt", {}).get("package_sha256")))
    case.require_member(signer)
    # The named fields repeat the checked body; the receipt is sealed whole.
    return case.ledger.append(
        signer, "custody.deposit", DepositData.from_receipt(receipt).to_json()
    )


def seal_transfer(
    case: Case,
    signer: Signer,
    package: dict[str, Any],
    *,
    to_name: str,
    to_agency: str,
    reason: str,
    expires_at: str,
) -> Record:
    """Seal the hand-over of a deposited package (``package``: the vault's index row) by a
    time-limited link; the receiver verifies what it downloads with ``quzheng verify``."""
    case.require_member(signer)
    return case.ledger.append(
        signer,
        "custody.transfer",
        TransferData(
            to_name=to_name,
            to_badge="",
            to_agency=to_agency,
            reason=f"{reason} (vault link until {expires_at})",
            package_file=str(package["file_name"]),
            package_id=str(package.get("package_id", "")),
            package_sha256=str(package["sha256"]),
            package_sm3=str(package.get("sm3", "")),
            package_size=int(package["size"]),
        ).to_json(),
    )
