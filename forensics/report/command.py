"""``quzheng report --case ID --out FILE.pdf [--lang zh|en] [--as BADGE]`` (the CLI wires
this function)."""

from __future__ import annotations

from pathlib import Path

from forensics.case import Case
from forensics.custody_records import record_report
from forensics.hashing import Digests
from forensics.identity import Signer
from forensics.ledger import Record
from forensics.report import ReportSource, ReportSummary, build_report


def report_command(
    home: Path, case_ref: str, out: Path, lang: str | None = None, signer: Signer | None = None
) -> int:
    """Make the report of a live case (not yet exported); print its path and page count.

    ``lang`` None (no ``--lang``) writes the case's default language
    (``forensics.report.default_report_lang``), not the locale's. With ``signer`` (an
    officer of the case) the report is recorded in the ledger (``custody.report``).

    Errors (``QuzhengError``: unknown case, an empty required field, a broken ledger) are
    raised for the CLI to print as one line with their exit code.
    """
    with Case.open(home, case_ref, recover=False) as case:
        summary, _ = report_case(case, out, lang=lang, signer=signer, via="cli")
    pages = f"{summary.pages} 页" if summary.lang == "zh" else f"{summary.pages} pages"
    print(f"{summary.path}\t{pages}\tsha256:{summary.sha256}", flush=True)
    return 0


def report_case(
    case: Case, out: Path, *, lang: str | None, signer: Signer | None, via: str
) -> tuple[ReportSummary, Record | None]:
    """Write the report of ``case`` and, when ``signer`` is given, append the signed
    ``custody.report`` entry naming the file's digests and the ledger state it describes."""
    source = ReportSource.from_case(case)
    if signer is not None:
        case.require_member(signer)  # refuse before writing, not after
    summary = build_report(source, out, lang=lang)
    if signer is None:
        return summary, None
    last = source.records[-1]
    rec = record_report(
        case,
        signer,
        file_name=summary.path.name,
        digests=Digests(summary.size, summary.sha256, summary.sm3),
        pages=summary.pages,
        lang=summary.lang,
        bound_to=summary.bound_to,
        head=(last.seq, last.hash),
        via=via,
    )
    return summary, rec
