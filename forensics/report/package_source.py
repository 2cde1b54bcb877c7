"""The report's source from a sealed package alone: its ledger, its members by each
format's layout (forensics/package/layout.py), the certificate fingerprints as the package
holds them, and the binding to its manifest — so anyone holding the package regenerates
``report/report.pdf`` and compares.

Each member the report asks for is read whole when asked (the thumbnails are made in
worker threads, and seeking streams of one ZIP file from several threads can misread).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, BinaryIO

from forensics.errors import QuzhengError
from forensics.fingerprints import package_fingerprints
from forensics.hashing import new_sm3
from forensics.package import layout as L
from forensics.package.reader import PackageReader
from forensics.report.page import ReportBinding
from forensics.report.source import ReportSource


def package_source(reader: PackageReader) -> ReportSource:
    """The report's source for an opened package (``InputError`` when it is not one)."""
    lay = reader.layout()
    source = ReportSource.from_lines(reader.read_lines(L.LEDGER), lambda _item: None)

    def read(path: str) -> bytes | None:
        name = lay.member(path)
        if not reader.has(name):
            return None
        try:
            with reader.open(name) as f:
                return f.read()
        except (QuzhengError, OSError):
            return None

    def opener(item: dict[str, Any]) -> BinaryIO | None:
        data = read(str(item.get("path", "")))
        return None if data is None else io.BytesIO(data)

    def certs(key: str) -> bytes | None:
        return read(lay.officer_cert(key))

    prints = package_fingerprints(source.records, read, reader.names, lay.certs_dir)
    return ReportSource(source.records, opener, reader.path.name, certs, prints)


def package_binding(reader: PackageReader, source: ReportSource) -> ReportBinding:
    """What the package's report is bound to: its id (the ``package.export`` entry) and the
    SHA-256 and SM3 of its ``custody/manifest.json``."""
    manifest = reader.read_control(L.MANIFEST)
    sm3 = new_sm3()
    sm3.update(manifest)
    export = next((r for r in reversed(source.records) if r.kind == "package.export"), None)
    package_id = export.data_str("package_id") if export is not None else ""
    return ReportBinding(package_id, hashlib.sha256(manifest).hexdigest(), sm3.hexdigest())
