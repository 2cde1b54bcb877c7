"""The data of custody entries: export, transfer and receipt of a package, and the records
of who verified the case, made its report or opened its evidence (REQUIREMENTS.md §E1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, flag, integer, obj, plain, text


@dataclass(frozen=True)
class ExportData:
    """``package.export``: sealed before the package is written (the package's own ledger
    ends with it), so the package's hashes are in its detached seal and in any
    ``custody.transfer`` that hands it over."""

    package_id: str
    file_name: str
    encrypted: bool
    format: int
    software: str

    def to_json(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "file_name": self.file_name,
            "encrypted": self.encrypted,
            "format": self.format,
            "software": self.software,
        }

    @classmethod
    def from_json(cls, raw: object) -> ExportData:
        d = obj(raw)
        return cls(
            package_id=text(d.get("package_id")),
            file_name=text(d.get("file_name")),
            encrypted=flag(d.get("encrypted")),
            format=count(d.get("format")),
            software=text(d.get("software")),
        )


@dataclass(frozen=True)
class TransferData:
    """``custody.transfer``: the package handed over, to whom and why."""

    to_name: str
    to_badge: str
    to_agency: str
    reason: str
    package_file: str
    package_id: str
    package_sha256: str
    package_sm3: str
    package_size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "to_name": self.to_name,
            "to_badge": self.to_badge,
            "to_agency": self.to_agency,
            "reason": self.reason,
            "package_file": self.package_file,
            "package_id": self.package_id,
            "package_sha256": self.package_sha256,
            "package_sm3": self.package_sm3,
            "package_size": self.package_size,
        }

    @classmethod
    def from_json(cls, raw: object) -> TransferData:
        d = obj(raw)
        return cls(
            to_name=text(d.get("to_name")),
            to_badge=text(d.get("to_badge")),
            to_agency=text(d.get("to_agency")),
            reason=text(d.get("reason")),
            package_file=text(d.get("package_file")),
            package_id=text(d.get("package_id")),
            package_sha256=text(d.get("package_sha256")),
            package_sm3=text(d.get("package_sm3")),
            package_size=count(d.get("package_size")),
        )


@dataclass(frozen=True)
class ReceiveData:
    """``custody.receive``: the package received, verified, with the sender's transfer
    record verbatim (``transfer``: the signed ledger line and the sender's chain)."""

    package_file: str
    package_id: str
    package_sha256: str
    package_sm3: str
    verified: str
    reason: str
    transfer: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "package_file": self.package_file,
            "package_id": self.package_id,
            "package_sha256": self.package_sha256,
            "package_sm3": self.package_sm3,
            "verified": self.verified,
            "reason": self.reason,
            "transfer": dict(self.transfer),
        }

    @classmethod
    def from_json(cls, raw: object) -> ReceiveData:
        d = obj(raw)
        return cls(
            package_file=text(d.get("package_file")),
            package_id=text(d.get("package_id")),
            package_sha256=text(d.get("package_sha256")),
            package_sm3=text(d.get("package_sm3")),
            verified=text(d.get("verified")),
            reason=text(d.get("reason")),
            transfer=plain(d.get("transfer")),
        )


@dataclass(frozen=True)
class VerifyData:
    """``verify``: an officer verified the case on this machine (every check of the
    verifier guide §2.4 over entries ``0…head_seq``); ``result_sha256`` is the SHA-256 of
    the result as ``quzheng verify --json`` prints it, keys sorted (``verify_result_bytes``)."""

    verdict: str  # pass, fail, untrusted, sealed-only
    exit_code: int
    head_seq: int
    head_hash: str
    errors: int
    findings: int
    result_sha256: str
    via: str  # "cli" or "gui"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "errors": self.errors,
            "findings": self.findings,
            "result_sha256": self.result_sha256,
            "via": self.via,
        }

    @classmethod
    def from_json(cls, raw: object) -> VerifyData:
        d = obj(raw)
        return cls(
            verdict=text(d.get("verdict")),
            exit_code=count(d.get("exit_code")),
            head_seq=count(d.get("head_seq")),
            head_hash=text(d.get("head_hash")),
            errors=count(d.get("errors")),
            findings=count(d.get("findings")),
            result_sha256=text(d.get("result_sha256")),
            via=text(d.get("via")),
        )


@dataclass(frozen=True)
class ReportData:
    """``custody.report``: the chain-of-custody report made of the case as it stood at
    ``head_seq`` (the PDF's file name, size and digests; ``bound_to``: the package id, or
    ``""`` for a report of the live case)."""

    file_name: str
    size: int
    sha256: str
    sm3: str
    pages: int
    lang: str
    bound_to: str
    head_seq: int
    head_hash: str
    via: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "size": self.size,
            "sha256": self.sha256,
            "sm3": self.sm3,
            "pages": self.pages,
            "lang": self.lang,
            "bound_to": self.bound_to,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "via": self.via,
        }

    @classmethod
    def from_json(cls, raw: object) -> ReportData:
        d = obj(raw)
        return cls(
            file_name=text(d.get("file_name")),
            size=count(d.get("size")),
            sha256=text(d.get("sha256")),
            sm3=text(d.get("sm3")),
            pages=count(d.get("pages")),
            lang=text(d.get("lang")),
            bound_to=text(d.get("bound_to")),
            head_seq=count(d.get("head_seq")),
            head_hash=text(d.get("head_hash")),
            via=text(d.get("via")),
        )


@dataclass(frozen=True)
class AccessData:
    """``custody.access``: an officer opened a sealed item to view it (once per item per
    session of the program)."""

    seq: int | None  # the entry that sealed the item
    path: str
    sha256: str
    via: str  # "gui"

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "path": self.path, "sha256": self.sha256, "via": self.via}

    @classmethod
    def from_json(cls, raw: object) -> AccessData:
        d = obj(raw)
        return cls(
            seq=integer(d.get("seq")),
            path=text(d.get("path")),
            sha256=text(d.get("sha256")),
            via=text(d.get("via")),
        )


EXPORT_FAILED = "package.export-failed"


@dataclass(frozen=True)
class ExportFailedData:
    """A ``note`` with ``event: package.export-failed``: the export sealed as entry
    ``export_seq`` (hash ``export_hash``) did not write its package; nothing was left on disk.
    An append-only ledger cannot take the export entry back, so every reader shows that
    export as failed (report, timeline)."""

    package_id: str
    file_name: str
    export_seq: int | None
    export_hash: str
    error: str
    text: str
    event: str = EXPORT_FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "package_id": self.package_id,
            "file_name": self.file_name,
            "export_seq": self.export_seq,
            "export_hash": self.export_hash,
            "error": self.error,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, raw: object) -> ExportFailedData | None:
        """The failure note's data; None when ``raw`` is not an export-failed note."""
        d = obj(raw)
        if d.get("event") != EXPORT_FAILED:
            return None
        return cls(
            package_id=text(d.get("package_id")),
            file_name=text(d.get("file_name")),
            export_seq=integer(d.get("export_seq")),
            export_hash=text(d.get("export_hash")),
            error=text(d.get("error")),
            text=text(d.get("text")),
        )

    def names(self, seq: int, entry_hash: str) -> bool:
        """Whether this note marks the export entry ``seq`` with hash ``entry_hash`` failed."""
        return self.export_seq == seq and self.export_hash == entry_hash
