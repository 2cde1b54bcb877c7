"""What the index records of a verified package: its case, from the package's own ledger."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forensics.ledger import parse_record
from forensics.package import layout as L
from forensics.package.reader import PackageReader


@dataclass(frozen=True)
class Member:
    key_fp: str
    badge: str
    name: str


@dataclass(frozen=True)
class CaseMeta:
    case_id: str
    number: str
    title: str
    party: str
    platform: str
    agency: str
    opened_at: str  # the case.open entry's time (ISO, UTC)
    members: tuple[Member, ...]


def case_meta(package: Path) -> CaseMeta:
    """The case a (verified) package holds: case.open and every officer.add entry."""
    with PackageReader(package) as reader:
        lines = reader.read_lines(L.LEDGER)
    records = [parse_record(line) for line in lines]
    opened = next(r for r in records if r.kind == "case.open")
    target = opened.data.get("target")
    platform = str(target.get("platform", "")) if isinstance(target, dict) else ""
    members = tuple(
        Member(r.data_str("key"), r.data_str("badge"), r.data_str("name"))
        for r in records
        if r.kind in ("officer.add",)
    )
    return CaseMeta(
        case_id=opened.case_id,
        number=opened.data_str("number"),
        title=opened.data_str("title"),
        party=opened.data_str("party"),
        platform=platform,
        agency=opened.data_str("agency"),
        opened_at=opened.time,
        members=members,
    )
