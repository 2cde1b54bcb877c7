"""The data of ``case.open`` (the case's particulars, sealed first) and ``officer.add`` (an
officer joining the case: who, in what role, which key and certificate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forensics.entry_data.fields import count, flag, obj, text


@dataclass(frozen=True)
class CaseOpenData:
    """``case.open`` as ``forensics.case.Case.create`` writes it. Party (当事人), agency and
    document number (文书编号) appear in the report; ``training`` marks a practice case.
    ``carrier_statement`` (原始存储介质情况说明), written only when the officers gave one,
    replaces the report's standard statement that the original medium is the target's
    server and could not be seized."""

    title: str
    number: str = ""
    cause: str = ""
    target: dict[str, str] = field(default_factory=dict)  # platform, shop, … as entered
    location: str = ""
    purpose: str = ""
    training: bool = False
    agency: str = ""
    document_number: str = ""
    party: str = ""
    party_not_signed_reason: str = ""
    format: int = 1
    carrier_statement: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "number": self.number,
            "cause": self.cause,
            "target": dict(self.target),
            "location": self.location,
            "purpose": self.purpose,
            "training": self.training,
            "agency": self.agency,
            "document_number": self.document_number,
            "party": self.party,
            "party_not_signed_reason": self.party_not_signed_reason,
            "format": self.format,
        }
        if self.carrier_statement:
            out["carrier_statement"] = self.carrier_statement
        return out

    @classmethod
    def from_json(cls, raw: object) -> CaseOpenData:
        d = obj(raw)
        return cls(
            title=text(d.get("title")),
            number=text(d.get("number")),
            cause=text(d.get("cause")),
            target={k: v for k, v in obj(d.get("target")).items() if isinstance(v, str)},
            location=text(d.get("location")),
            purpose=text(d.get("purpose")),
            training=flag(d.get("training")),
            agency=text(d.get("agency")),
            document_number=text(d.get("document_number")),
            party=text(d.get("party")),
            party_not_signed_reason=text(d.get("party_not_signed_reason")),
            format=count(d.get("format")),
            carrier_statement=text(d.get("carrier_statement")),
        )


@dataclass(frozen=True)
class OfficerData:
    """``officer.add``: the officer's profile, role, key fingerprint (``key``, the SHA-256
    of the public key) and certificate fingerprint; ``self_signed`` for a certificate no
    agency CA issued."""

    name: str
    badge: str
    agency: str
    role: str
    key: str
    cert_sha256: str
    self_signed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "badge": self.badge,
            "agency": self.agency,
            "role": self.role,
            "key": self.key,
            "cert_sha256": self.cert_sha256,
            "self_signed": self.self_signed,
        }

    @classmethod
    def from_json(cls, raw: object) -> OfficerData:
        d = obj(raw)
        return cls(
            name=text(d.get("name")),
            badge=text(d.get("badge")),
            agency=text(d.get("agency")),
            role=text(d.get("role")),
            key=text(d.get("key")),
            cert_sha256=text(d.get("cert_sha256")),
            self_signed=flag(d.get("self_signed")),
        )
