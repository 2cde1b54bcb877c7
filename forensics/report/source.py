"""What the report reads: the parsed ledger and a way to open each sealed file.

The report is made from these two alone, so anyone holding the package can regenerate it
and compare. ``ReportSource.from_case`` reads an open case;
``forensics.report.package_source.package_source`` reads a sealed package by its format's
layout (and gives the fingerprints as the package holds them, ``prints``).
Officers' certificate chains, which no ledger item names, are read through ``certs`` when
given (a live case's ``certs/`` folder), else through the opener at the package path
``custody/certs/<key>.pem``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, BinaryIO

from forensics.entries import Item
from forensics.entry_data import CaseOpenData
from forensics.errors import InputError
from forensics.fingerprints import (
    CERTS_DIR,
    MAX_TOKEN_BYTES,
    TrustFingerprints,
    token_items,
    trust_fingerprints,
)
from forensics.ledger import Record, parse_record

if TYPE_CHECKING:
    from forensics.case import Case

type ItemOpener = Callable[[dict[str, Any]], BinaryIO | None]
type CertReader = Callable[[str], bytes | None]  # officer key fingerprint -> PEM chain


@dataclass(frozen=True)
class CaseMeta:
    """The case as the ``case.open`` entry (ledger entry 0) describes it."""

    case_id: str
    title: str
    number: str
    cause: str
    purpose: str
    location: str
    target: dict[str, Any]
    training: bool
    party: str
    party_not_signed_reason: str
    agency: str
    document_number: str
    carrier_statement: str
    opened: datetime

    @classmethod
    def from_records(cls, records: list[Record]) -> CaseMeta:
        if not records or records[0].kind != "case.open":
            raise InputError(
                "the ledger does not begin with a case.open entry: no report can be made",
                "账本第 0 条不是立案记录，无法生成笔录",
            )
        first = records[0]
        data = first.data
        case = CaseOpenData.from_json(data)
        opened = first.when
        if opened is None:
            raise InputError("the case.open entry has no valid time", "立案记录的时间无效")
        return cls(
            case_id=first.case_id,
            title=case.title.strip(),
            number=case.number.strip(),
            cause=case.cause.strip(),
            purpose=case.purpose.strip(),
            location=case.location.strip(),
            target=dict(case.target),
            training=case.training,
            party=case.party.strip(),
            party_not_signed_reason=case.party_not_signed_reason.strip(),
            agency=case.agency.strip(),
            document_number=case.document_number.strip(),
            carrier_statement=case.carrier_statement.strip(),
            opened=opened,
        )


@dataclass
class ReportSource:
    """The parsed ledger (``records``, in seq order) and ``open_item`` for its files."""

    records: list[Record]
    opener: ItemOpener = field(repr=False)
    label: str = ""
    certs: CertReader | None = field(default=None, repr=False)
    # Given when the source knows better than the opener (a package's own layout).
    prints: TrustFingerprints | None = field(default=None, repr=False)

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None:
        """The sealed file of a ledger item, streamed; ``None`` when it is not there."""
        return self.opener(item)

    def open_sealed(self, item: Item) -> BinaryIO | None:
        """The sealed file of an entry's item view, streamed; ``None`` when it is not there."""
        return self.open_item(asdict(item))

    def _read(self, item: dict[str, Any]) -> bytes | None:
        """A small file whole (a token, a certificate chain); ``None`` if absent or large."""
        try:
            f = self.open_item(item)
            if f is None:
                return None
            with f:
                data = f.read(MAX_TOKEN_BYTES + 1)
        except OSError:
            return None
        return data if len(data) <= MAX_TOKEN_BYTES else None

    def officer_chain(self, key: str) -> bytes | None:
        """The PEM chain (leaf first) of the officer whose key fingerprint is ``key``."""
        if len(key) != 64 or not set(key) <= set("0123456789abcdef"):
            return None
        if self.certs is not None:
            return self.certs(key)
        # Not a ledger item: asked for by path alone (no sealed hash to look it up by).
        return self._read({"path": f"{CERTS_DIR}{key}.pem", "sha256": "", "sm3": ""})

    @cached_property
    def fingerprints(self) -> TrustFingerprints:
        """Agency CA, officers' and TSA root certificates' SHA-256, for the signature page."""
        if self.prints is not None:
            return self.prints
        tokens = (data for i in token_items(self.records) if (data := self._read(i)) is not None)
        return trust_fingerprints(self.records, self.officer_chain, tokens)

    @cached_property
    def case_meta(self) -> CaseMeta:
        return CaseMeta.from_records(self.records)

    @classmethod
    def from_lines(cls, lines: list[str], opener: ItemOpener, label: str = "") -> ReportSource:
        return cls([parse_record(line) for line in lines], opener, label)

    @classmethod
    def from_case(cls, case: Case, records: Sequence[Record] | None = None) -> ReportSource:
        """The case's ledger, or ``records`` (the ledger an export carries, ending with its
        prepared entries), with the case's files."""
        # The verifier's read-only view of a case directory confines item paths to blobs/.
        from forensics.ledger_checks import CaseSource

        view = CaseSource(case.store.dir, [])
        certs = case.store.dir / "certs"

        def chain(key: str) -> bytes | None:
            try:
                return (certs / f"{key}.pem").read_bytes()
            except OSError:
                return None

        recs = case.ledger.records() if records is None else list(records)
        return cls(recs, view.open_item, case.case_id, chain)
