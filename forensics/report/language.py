"""Which language a report is written in when its caller does not say.

The report of a Chinese agency's case is the Chinese 电子数据提取笔录 whatever the machine's
locale: the language is decided by the case (its agency), never by the operating system.
A caller may still ask for either language for one report (``build_report(lang=...)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from forensics.entry_data import CaseOpenData, OfficerData
from forensics.ledger import Record

REPORT_LANGS: Final = ("zh", "en")

# CJK Unified Ideographs and their extensions, compatibility ideographs, CJK symbols and
# punctuation, kana and Hangul: any of these in an agency's name makes it a CJK-script name.
_CJK_RANGES: Final = (
    (0x3000, 0x303F),
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3134F),
)


def has_cjk(value: str) -> bool:
    """Whether ``value`` holds a Chinese (CJK) character."""
    return any(lo <= ord(c) <= hi for c in value for lo, hi in _CJK_RANGES)


def case_agency(records: Iterable[Record]) -> str:
    """The case's agency as the report prints it: the ``case.open`` entry's, else the lead
    officer's (then an officer's, then a recorder's, then anyone's)."""
    opened = ""
    by_role: dict[str, str] = {}
    anyone = ""
    for rec in records:
        if rec.kind == "case.open":
            opened = opened or CaseOpenData.from_json(rec.data).agency.strip()
        elif rec.kind == "officer.add":
            added = OfficerData.from_json(rec.data)
            agency = added.agency.strip()
            if agency:
                by_role.setdefault(added.role or "officer", agency)
                anyone = anyone or agency
    if opened:
        return opened
    return next((by_role[r] for r in ("lead", "officer", "recorder") if r in by_role), anyone)


def default_report_lang(records: Iterable[Record], fallback: str = "zh") -> str:
    """The report language of a case when the caller names none: ``"zh"`` when the case's
    agency is Chinese (has CJK characters), else ``fallback`` (Chinese unless the caller says).

    Never the operating system's locale: a Chinese agency's case on a C or English locale
    still gets the Chinese 笔录.
    """
    if fallback not in REPORT_LANGS:
        fallback = "zh"
    return "zh" if has_cjk(case_agency(records)) else fallback
