"""Ledger entries as earlier versions of Quzheng sealed them, for the readers that must still
show such cases truthfully. Each helper appends, through the real ledger and the typed entry
data, exactly the entries the earlier code appended."""

from __future__ import annotations

import uuid

from forensics import __version__
from forensics.case import Case
from forensics.entry_data import ExportData, ExportFailedData
from forensics.identity import Signer
from forensics.ledger import Record
from forensics.package import layout as L


def seal_failed_export_as_before(
    case: Case, signer: Signer, file_name: str, error: str
) -> tuple[Record, Record]:
    """Before exports were prepared (Quzheng 0.1.0 until December 2026), the
    ``package.export`` entry was sealed first; when its package then could not be written,
    a ``note`` with ``event: package.export-failed`` marked it failed. Returns both."""
    package_id = str(uuid.uuid4())
    export = case.ledger.append(
        signer,
        "package.export",
        ExportData(
            package_id=package_id,
            file_name=file_name,
            encrypted=False,
            format=L.PACKAGE_FORMAT,
            software=f"Quzheng {__version__}",
        ).to_json(),
    )
    note = case.ledger.append(
        signer,
        "note",
        ExportFailedData(
            package_id=package_id,
            file_name=file_name,
            export_seq=export.seq,
            export_hash=export.hash,
            error=error,
            text=(
                f"导出失败：第 {export.seq} 条记录所导出的证据包 {file_name}（编号 {package_id}）"
                f"未能写成，未留下任何文件。原因：系统错误 ENOSPC\n"
                f"Export failed: the package {file_name} (id {package_id}) of entry "
                f"{export.seq} was not written; no file was left. Cause: {error}"
            ),
        ).to_json(),
    )
    return export, note
