"""``quzheng report --case ID --out FILE.pdf [--lang zh|en]`` (the CLI wires this function)."""

from __future__ import annotations

from pathlib import Path

from forensics.case import Case
from forensics.report import ReportSource, build_report


def report_command(home: Path, case_ref: str, out: Path, lang: str | None = None) -> int:
    """Make the report of a live case (not yet exported); print its path and page count.

    ``lang`` None (no ``--lang``) writes the case's default language
    (``forensics.report.default_report_lang``), not the locale's.

    Errors (``QuzhengError``: unknown case, an empty required field, a broken ledger) are
    raised for the CLI to print as one line with their exit code.
    """
    with Case.open(home, case_ref, recover=False) as case:
        summary = build_report(ReportSource.from_case(case), out, lang=lang)
    pages = f"{summary.pages} 页" if summary.lang == "zh" else f"{summary.pages} pages"
    print(f"{summary.path}\t{pages}\tsha256:{summary.sha256}", flush=True)
    return 0
