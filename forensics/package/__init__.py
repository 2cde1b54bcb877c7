"""The sealed evidence package (FORMATS.md §2–3): export, reading, verification."""

from forensics.package.export import ExportResult, ReportHook, export_package
from forensics.package.reader import PackageReader
from forensics.package.verify import verify_package

__all__ = ["ExportResult", "PackageReader", "ReportHook", "export_package", "verify_package"]
