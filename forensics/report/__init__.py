"""The chain-of-custody report (电子数据提取笔录) as PDF — REQUIREMENTS.md §F.

``build_report(source, out)`` makes the report from the ledger and the sealed files alone
(``ReportSource``), so anyone holding the package can regenerate it and compare: with the
same ledger, files, language, binding and ``now`` the PDF is byte-identical. A required
field left empty refuses with an ``InputError`` naming it; a ledger whose hash chain is
broken refuses with an ``IntegrityError``.

Every page carries a footer that binds paper to package — the package id and the SHA-256
and SM3 of ``custody/manifest.json`` (``ReportBinding``), or "not yet exported" for a live
case — plus the ledger head, and a QR code with ``quzheng:<package or case id>:<sha256>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from forensics.atomic import atomic_path
from forensics.canonical import utc_now
from forensics.errors import InputError, os_reason
from forensics.hashing import digest_file
from forensics.report.document import render
from forensics.report.fonts import register_fonts
from forensics.report.language import default_report_lang
from forensics.report.model import build_model
from forensics.report.page import ReportBinding
from forensics.report.source import CaseMeta, ReportSource
from forensics.report.tool import build_hash

__all__ = [
    "CaseMeta",
    "ReportBinding",
    "ReportSource",
    "ReportSummary",
    "build_hash",
    "build_report",
    "default_report_lang",
]


@dataclass(frozen=True)
class ReportSummary:
    """What was written: the file, its page count and digests, and what the reviewer should see."""

    path: Path
    pages: int
    size: int
    sha256: str
    sm3: str
    lang: str
    bound_to: str  # the package id, or "" for a report made before export
    thumbnails: int
    thumbnail_failures: int
    warnings: tuple[str, ...]


def build_report(
    source: ReportSource,
    out: Path,
    *,
    lang: str | None = None,
    binding: ReportBinding | None = None,
    now: Callable[[], datetime] | None = None,
) -> ReportSummary:
    """Write the report for ``source`` to ``out`` (replaced atomically) and describe it.

    ``lang`` is the caller's choice ("zh" or "en"); ``None`` takes the case's own default
    (``default_report_lang``: Chinese for a Chinese agency), never the machine's locale.
    """
    if lang is None:
        lang = default_report_lang(source.records)
    if lang not in ("zh", "en"):
        raise InputError(
            f"unknown report language {lang!r} (use zh or en)",
            f"未知的笔录语言 {lang!r}（可用 zh 或 en）",
        )
    register_fonts()
    model = build_model(source)
    missing_en = model.missing("en")
    if missing_en:
        missing_zh = model.missing("zh")
        raise InputError(
            "the report cannot be made: required fields are empty: " + "; ".join(missing_en),
            "无法生成笔录，以下必填项为空：" + "；".join(missing_zh),
        )
    when = (now or utc_now)()
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"no such folder: {out.parent}", f"目录不存在：{out.parent}")
    # Written beside the target and renamed: a failed run never leaves half a report.
    try:
        with atomic_path(out) as part:
            result = render(model, source, str(part), lang=lang, binding=binding, now=when)
    except OSError as exc:
        raise InputError(
            f"cannot write the report to {out}: {exc.strerror or exc}",
            f"无法写入笔录 {out}：{os_reason(exc)[1]}",
        ) from None
    digests = digest_file(out)
    return ReportSummary(
        path=out,
        pages=result.pages,
        size=digests.size,
        sha256=digests.sha256,
        sm3=digests.sm3,
        lang=lang,
        bound_to=binding.package_id if binding else "",
        thumbnails=result.thumbnails,
        thumbnail_failures=result.thumbnail_failures,
        warnings=tuple(result.warnings),
    )
