"""The data of ``custody.deposit``: a sealed package deposited in the agency vault
(docs/vault.md §5), with the vault's signed, time-stamped receipt kept verbatim."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from forensics.entry_data.fields import obj, plain, text


@dataclass(frozen=True)
class DepositData:
    """``custody.deposit``: the vault's receipt for a package of this case, checked under the
    officer's trust policy before it was sealed (``app.vault.custody.seal_deposit``). The
    named fields repeat the receipt's body for readers; ``receipt`` is the whole receipt
    (body, the vault's signature and certificate chain, the RFC 3161 token)."""

    package_file: str
    package_id: str
    package_sha256: str
    package_sm3: str
    vault_bucket: str
    verdict: str  # the vault's verification verdict at deposit ("pass")
    deposited_at: str  # RFC 3339 UTC, the vault's clock
    retention_mode: str  # "COMPLIANCE"
    retention_until: str  # RFC 3339 UTC
    receipt: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "package_file": self.package_file,
            "package_id": self.package_id,
            "package_sha256": self.package_sha256,
            "package_sm3": self.package_sm3,
            "vault_bucket": self.vault_bucket,
            "verdict": self.verdict,
            "deposited_at": self.deposited_at,
            "retention": {"mode": self.retention_mode, "until": self.retention_until},
            "receipt": dict(self.receipt),
        }

    @classmethod
    def from_json(cls, raw: object) -> DepositData:
        d = obj(raw)
        retention = obj(d.get("retention"))
        return cls(
            package_file=text(d.get("package_file")),
            package_id=text(d.get("package_id")),
            package_sha256=text(d.get("package_sha256")),
            package_sm3=text(d.get("package_sm3")),
            vault_bucket=text(d.get("vault_bucket")),
            verdict=text(d.get("verdict")),
            deposited_at=text(d.get("deposited_at")),
            retention_mode=text(retention.get("mode")),
            retention_until=text(retention.get("until")),
            receipt=plain(d.get("receipt")),
        )

    @classmethod
    def from_receipt(cls, receipt: Mapping[str, Any]) -> DepositData:
        """The data of a checked receipt (``app.vault.receipt.check_receipt``): its body
        names the same fields, and the receipt is kept whole."""
        return replace(cls.from_json(receipt.get("receipt")), receipt=dict(receipt))
