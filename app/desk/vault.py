"""Depositing a case's package in the agency vault, for the windows (as ``quzheng vault
deposit`` does it, docs/vault.md §5): the package streams to the vault, the receipt is kept
beside it (``FILE.qzp.receipt.json``), checked and sealed in the case as ``custody.deposit``,
then the TSA is asked for what is queued.

``deposit_to_vault`` blocks (the upload, signing, the network): call it through ``run_task``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.desk.timeline import TimelineRow
from app.installation import Installation
from app.vault.client import VaultClient, save_receipt
from app.vault.custody import seal_deposit
from app.vault.deposit import parse_seal
from forensics.entry_data import DepositData, ExportData
from forensics.errors import InputError
from forensics.identity import Signer
from forensics.stamping import StampOutcome, stamp_pending

SETTING = "vault.url"


@dataclass(frozen=True)
class DepositResult:
    seq: int  # the custody.deposit entry
    package_sha256: str
    receipt_path: Path
    existing: bool  # the vault held the package already: this is its first receipt
    stamps: StampOutcome


def vault_url(inst: Installation) -> str:
    """The configured vault's address; ``InputError`` naming the setting when there is none."""
    url = str(inst.setting(SETTING)).strip()
    if not url:
        raise InputError(
            f"no agency vault is configured: set its address in Settings ({SETTING})",
            f"尚未配置机构证据保管库：请在“设置”中填写保管库地址（{SETTING}）",
        )
    return url


def last_export_name(rows: Iterable[TimelineRow]) -> str:
    """The file name of the case's last package that was written, from its timeline rows
    (an export a later note marks failed does not count); ``""`` when there is none."""
    names = [
        ExportData.from_json(r.data).file_name
        for r in rows
        if r.kind == "package.export" and r.failed_by is None
    ]
    return next((n for n in reversed(names) if n), "")


def deposit_to_vault(
    inst: Installation, case_id: str, signer: Signer, package: Path
) -> DepositResult:
    """Deposit ``package`` (a package of this case, its seal beside it) in the configured
    vault and seal the vault's receipt in the case. A package this case did not export is
    refused before anything is sent; a retry gets the vault's first receipt, and the case
    seals it once."""
    url = vault_url(inst)
    with inst.open_case(case_id) as case:
        case.require_member(signer)
        exported = {
            ExportData.from_json(r.data).package_id
            for r in case.ledger.records()
            if r.kind == "package.export"
        }
    seal = package.with_name(package.name + ".seal.json")
    try:
        package_id = str(parse_seal(seal.read_bytes()).body.package_id or "")
    except OSError as exc:
        raise InputError(
            f"{package.name} has no readable seal beside it ({seal.name}: {exc.strerror})",
            f"{package.name} 旁没有可读取的封签文件（{seal.name}）",
        ) from None
    if package_id not in exported:
        raise InputError(
            f"{package.name} is not a package exported from this case ({case_id})",
            f"{package.name} 不是本案（{case_id}）导出的证据包",
        )
    receipt = VaultClient(url, signer).deposit(package)
    existing = bool(receipt.pop("existing", False))
    path = save_receipt(package, receipt)
    sha = str(receipt["receipt"]["package_sha256"])
    with inst.open_case(case_id) as case:
        sealed = [
            r.seq
            for r in case.ledger.records()
            if r.kind == "custody.deposit" and DepositData.from_json(r.data).package_sha256 == sha
        ]
        # A retry after the case sealed the receipt seals nothing twice.
        seq = sealed[0] if sealed else seal_deposit(case, signer, receipt, inst.trust_policy()).seq
        stamps = stamp_pending(case, signer, inst.tsa_config())
    return DepositResult(seq, sha, path, existing, stamps)
