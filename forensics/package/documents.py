"""The package's JSON documents, typed: one definition for the exporter and the verifier
(docs/package-format.md §2.3–2.5).

The exporter builds ``DataPackage``, ``PackageDigest`` and ``Seal`` and writes their
``to_json()``; the verifier, the importer and custody read the same classes with
``parse()``. ``parse`` never raises on a wrong field: a hostile or damaged document gives
``None`` (or an empty value) for what it lacks, and the checks turn that into findings
(a string where a number belongs is not a number). Only a document that is not an object
at all, or a ``datapackage.json`` without a resources list, is unreadable input.

What a signature covers is the bytes as received, never a re-serialisation: ``Seal.body``
keeps the received object for that (a signed extra field must not turn a genuine signature
into a false "invalid"). The ledger record has its own typed form in ``forensics.ledger``
(``Record``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forensics.canonical import canonical_bytes
from forensics.errors import InputError
from forensics.package.layout import DATAPACKAGE, WACZ_VERSION


def _str(v: object) -> str | None:
    return v if isinstance(v, str) else None


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _obj(v: object) -> Mapping[str, Any]:
    return v if isinstance(v, dict) else {}


def _json_bytes(obj: object) -> bytes:
    # One field per line, so README.txt's sed commands can extract the base64 values.
    return json.dumps(obj, ensure_ascii=False, indent=2).encode() + b"\n"


@dataclass(frozen=True)
class SignerRef:
    """Who signed: as ``Officer.actor()`` writes it."""

    name: str | None
    badge: str | None
    key: str | None

    @classmethod
    def parse(cls, obj: object) -> SignerRef:
        o = _obj(obj)
        return cls(_str(o.get("name")), _str(o.get("badge")), _str(o.get("key")))

    @classmethod
    def of(cls, actor: Mapping[str, Any]) -> SignerRef:
        return cls(str(actor["name"]), str(actor["badge"]), str(actor["key"]))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "badge": self.badge, "key": self.key}


@dataclass(frozen=True)
class LedgerHead:
    seq: int | None
    hash: str | None

    @classmethod
    def parse(cls, obj: object) -> LedgerHead | None:
        if not isinstance(obj, dict):
            return None
        return cls(_int(obj.get("seq")), _str(obj.get("hash")))

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Resource:
    """One file listed in ``datapackage.json``."""

    name: str
    path: str
    sha256: str | None  # hex, from "sha256:<hex>"
    bytes: int | None

    @property
    def hash(self) -> str | None:
        return None if self.sha256 is None else f"sha256:{self.sha256}"

    @classmethod
    def parse(cls, obj: Mapping[str, Any]) -> Resource:
        h = _str(obj.get("hash"))
        sha = h.removeprefix("sha256:") if h is not None and h.startswith("sha256:") else None
        return cls(str(obj.get("name", "")), str(obj.get("path", "")), sha, _int(obj.get("bytes")))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "hash": self.hash, "bytes": self.bytes}


@dataclass(frozen=True)
class DataPackage:
    """``datapackage.json``: WACZ 1.1.1 plus the ``quzheng`` object."""

    title: str
    created: str | None
    software: str | None
    resources: tuple[Resource, ...]
    format: int | None
    package_id: str | None
    case: str | None
    officers: tuple[Mapping[str, Any], ...]
    ledger_head: LedgerHead | None
    manifest: str | None
    sm3: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, obj: object, what: str = DATAPACKAGE) -> DataPackage:
        if not isinstance(obj, dict) or not isinstance(obj.get("resources"), list):
            raise InputError(
                f"{what}: datapackage.json has no resources list",
                f"{what}：datapackage.json 缺少 resources 列表",
            )
        qz = _obj(obj.get("quzheng"))
        sm3 = {k: v for k, v in _obj(qz.get("sm3")).items() if isinstance(v, str)}
        officers = qz.get("officers")
        return cls(
            title=str(obj.get("title", "")),
            created=_str(obj.get("created")),
            software=_str(obj.get("software")),
            resources=tuple(Resource.parse(r) for r in obj["resources"] if isinstance(r, dict)),
            format=_int(qz.get("format")),
            package_id=_str(qz.get("package_id")),
            case=_str(qz.get("case")),
            officers=tuple(o for o in officers if isinstance(o, dict))
            if isinstance(officers, list)
            else (),
            ledger_head=LedgerHead.parse(qz.get("ledger_head")),
            manifest=_str(qz.get("manifest")),
            sm3=sm3,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": self.title,
            "created": self.created,
            "software": self.software,
            "resources": [r.to_json() for r in self.resources],
            "quzheng": {
                "format": self.format,
                "package_id": self.package_id,
                "case": self.case,
                "officers": [dict(o) for o in self.officers],
                "ledger_head": None if self.ledger_head is None else self.ledger_head.to_json(),
                "manifest": self.manifest,
                "sm3": dict(self.sm3),
            },
        }

    def to_bytes(self) -> bytes:
        return _json_bytes(self.to_json())


@dataclass(frozen=True)
class PackageDigest:
    """``datapackage-digest.json``: the manifest's hash, signature, token and the WACZ
    ``signedData`` (format 2)."""

    hash: str | None  # "sha256:<hex>"
    format: int | None
    sha256: str | None
    sm3: str | None
    signer: SignerRef
    signature_alg: str | None
    signature_der_b64: str | None
    timestamp: Mapping[str, Any] | None
    signed_data: Mapping[str, Any] | None = None
    path: str = DATAPACKAGE

    @classmethod
    def parse(cls, obj: object) -> PackageDigest:
        o = _obj(obj)
        qz = _obj(o.get("quzheng"))
        ts = qz.get("timestamp")
        sd = o.get("signedData")
        return cls(
            hash=_str(o.get("hash")),
            format=_int(qz.get("format")),
            sha256=_str(qz.get("sha256")),
            sm3=_str(qz.get("sm3")),
            signer=SignerRef.parse(qz.get("signer")),
            signature_alg=_str(qz.get("signature_alg")),
            signature_der_b64=_str(qz.get("signature_der_b64")),
            timestamp=ts if isinstance(ts, dict) else None,
            signed_data=sd if isinstance(sd, dict) else None,
            path=str(o.get("path", "")),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "hash": self.hash,
            "quzheng": {
                "format": self.format,
                "sha256": self.sha256,
                "sm3": self.sm3,
                "signer": self.signer.to_json(),
                "signature_alg": self.signature_alg,
                "signature_der_b64": self.signature_der_b64,
                "timestamp": None if self.timestamp is None else dict(self.timestamp),
            },
        }
        if self.signed_data is not None:
            out["signedData"] = dict(self.signed_data)
        return out

    def to_bytes(self) -> bytes:
        return _json_bytes(self.to_json())


@dataclass(frozen=True)
class SealBody:
    """What the detached seal signs: the whole package file."""

    v: int | None
    file: str | None
    package_id: str | None
    size: int | None
    sha256: str | None
    sm3: str | None
    encrypted: bool | None
    signer: SignerRef

    @classmethod
    def parse(cls, obj: Mapping[str, Any]) -> SealBody:
        enc = obj.get("encrypted")
        return cls(
            v=_int(obj.get("v")),
            file=_str(obj.get("file")),
            package_id=_str(obj.get("package_id")),
            size=_int(obj.get("size")),
            sha256=_str(obj.get("sha256")),
            sm3=_str(obj.get("sm3")),
            encrypted=enc if isinstance(enc, bool) else None,
            signer=SignerRef.parse(obj.get("signer")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "v": self.v,
            "file": self.file,
            "package_id": self.package_id,
            "size": self.size,
            "sha256": self.sha256,
            "sm3": self.sm3,
            "encrypted": self.encrypted,
            "signer": self.signer.to_json(),
        }


@dataclass(frozen=True)
class Seal:
    """``<file>.seal.json``. ``signed`` is the body's canonical bytes as received (what the
    signature covers); for a seal built here it is the canonical form of ``body``."""

    body: SealBody
    signature_alg: str | None
    signature_der_b64: str | None
    signer_cert_pem: str | None
    timestamp: Mapping[str, Any] | None
    signed: bytes = b""

    @classmethod
    def parse(cls, obj: object, what: str) -> Seal:
        o = _obj(obj)
        body = o.get("seal")
        if not isinstance(body, dict):
            raise InputError(f"{what} has no seal object", f"{what} 缺少封签对象")
        ts = o.get("timestamp")
        return cls(
            body=SealBody.parse(body),
            signature_alg=_str(o.get("signature_alg")),
            signature_der_b64=_str(o.get("signature_der_b64")),
            signer_cert_pem=_str(o.get("signer_cert_pem")),
            timestamp=ts if isinstance(ts, dict) else None,
            signed=canonical_bytes(body),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "seal": self.body.to_json(),
            "signature_alg": self.signature_alg,
            "signature_der_b64": self.signature_der_b64,
            "signer_cert_pem": self.signer_cert_pem,
            "timestamp": None if self.timestamp is None else dict(self.timestamp),
        }

    def to_bytes(self) -> bytes:
        return _json_bytes(self.to_json())
