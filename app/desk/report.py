"""The chain-of-custody report (电子数据提取笔录) of a live case, for the windows (as
``quzheng report`` makes it). Blocks (reads every sealed file): call through ``run_task``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.installation import Installation

if TYPE_CHECKING:
    from forensics.report import ReportSummary


def report_lang(inst: Installation, case_id: str) -> str:
    """The case's report language: Chinese for a Chinese agency, whatever the locale."""
    from forensics.report import ReportSource, default_report_lang

    with inst.open_case(case_id, recover=False) as case:
        return default_report_lang(ReportSource.from_case(case).records)


def write_report(inst: Installation, case_id: str, out: Path, lang: str = "zh") -> ReportSummary:
    """Write the report PDF to ``out`` (``.pdf`` added when missing). Nothing is sealed;
    the unlocked officer of the case records it (``custody.report``, app.desk.access)."""
    from app.desk import access
    from forensics.report.command import report_case  # reportlab loads when asked

    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    with inst.open_case(case_id, recover=False) as case:
        signer = access.officer()
        if signer is not None and signer.officer.key_fp not in case.officers():
            signer = None
        return report_case(case, out, lang=lang, signer=signer, via="gui")[0]
