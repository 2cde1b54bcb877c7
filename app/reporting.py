"""The report builder the package export uses (the report module is optional at run time)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from forensics.case import Case
from forensics.ledger import Record
from forensics.package import ReportHook


def report_hook(lang: str | None) -> ReportHook | None:
    """Build ``report/report.pdf`` with ``forensics.report`` when it is installed; ``lang``
    None: the case's language (``forensics.report.default_report_lang``), never the
    locale's."""
    try:
        report = importlib.import_module("forensics.report")
    except ImportError:
        return None
    if not hasattr(report, "build_report"):
        return None

    def hook(
        case: Case, records: Sequence[Record], out: Path, package_id: str, sha256: str, sm3: str
    ) -> None:
        binding = report.ReportBinding(package_id, sha256, sm3)
        source = report.ReportSource.from_case(case, records)
        report.build_report(source, out, lang=lang, binding=binding)

    return hook
