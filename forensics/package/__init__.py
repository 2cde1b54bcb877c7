"""The sealed evidence package (docs/package-format.md §2–3): export, reading, verification."""

from forensics.package.checks import verify_package
from forensics.package.export import ExportResult, ReportHook, export_package
from forensics.package.reader import PackageReader

__all__ = ["ExportResult", "PackageReader", "ReportHook", "export_package", "verify_package"]
