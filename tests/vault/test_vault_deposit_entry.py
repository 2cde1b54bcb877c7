"""The ``custody.deposit`` entry of a real deposit (real Ceph RGW and PostgreSQL): it reads
back through its type (``forensics.entry_data.DepositData``), prints in the report's custody
section in Chinese with no raw keys, and reads in Chinese on the case's timeline."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.desk.i18n import install_translators, remove_translators
from app.desk.timeline import beijing_time, timeline_rows
from app.vault.custody import seal_deposit
from app.vault.receipt import check_receipt
from forensics.entry_data import DepositData, read
from forensics.report import ReportSource, build_report
from forensics.stamping import stamp_pending
from tests.vault.conftest import Agency, Running
from ui.models.timeline import TimelineModel

RAW_KEYS = ("package_sha256", "package_file", "vault_bucket", "deposited_at", "retention",
            "receipt", "custody.deposit", "signature_der_b64")  # fmt: skip


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_deposit_entry_reads_back_prints_and_shows(
    running: Running, agency: Agency, tmp_path: Path, qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    w = agency.world
    case, pkg = agency.package()
    receipt = running.client(w.lead).deposit(pkg)
    rec = seal_deposit(case, w.lead, receipt, agency.policy)

    # The sealed data reads back through its type as exactly what was sealed.
    data = DepositData.from_json(rec.data)
    assert data.to_json() == dict(rec.data)
    assert read("custody.deposit", rec.data) == data
    assert data.package_sha256 == hashlib.sha256(pkg.read_bytes()).hexdigest()
    assert (data.package_file, data.verdict, data.retention_mode) == (
        pkg.name,
        "pass",
        "COMPLIANCE",
    )
    assert data.vault_bucket == running.vault.cfg.bucket
    assert data.package_sm3 and data.deposited_at < data.retention_until
    # The receipt is sealed whole, and still checks under the officer's trust.
    assert data.receipt == receipt
    assert check_receipt(data.receipt, agency.policy, data.package_sha256)["verdict"] == "pass"
    assert stamp_pending(case, w.lead, agency.tsa_config).pending == 0

    # The report's custody section describes it, in Chinese, without a raw key.
    pdf = tmp_path / "report.pdf"
    build_report(ReportSource.from_case(case), pdf, lang="zh")
    text = _text(pdf)
    flat = re.sub(r"\s+", "", text)
    for needle in (
        "存入机构证据保管库：",
        f"证据包{pkg.name}",
        f"证据包SHA-256{data.package_sha256}",
        f"SM3{data.package_sm3}",
        "保管库入库校验结论",
        "合规保留（COMPLIANCE，保留期内任何人不能删除或改写）至",
        beijing_time(data.retention_until).replace(" ", ""),
        f"存储桶{data.vault_bucket}",
    ):
        assert needle in flat, needle
    for key in RAW_KEYS:
        assert key not in text, key

    # The timeline names it in Chinese.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    translators = install_translators(qapp, "zh_CN")
    assert translators, "the zh_CN translation did not load"
    try:
        model = TimelineModel()
        model.set_rows(timeline_rows(case.ledger.records()))
        row = next(i for i in range(model.rowCount()) if model.row(i).kind == "custody.deposit")

        def cell(column: int) -> str:
            return str(model.data(model.index(row, column)))

        assert cell(TimelineModel.KIND) == "存入证据保管库"
        until = beijing_time(data.retention_until)
        assert cell(TimelineModel.SUMMARY) == f"已存入机构证据保管库：{pkg.name}，保留至 {until}"
    finally:
        remove_translators(qapp, translators)
        case.close()
