"""Transfer of custody to another agency and receipt as a read-only case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forensics.custody import import_package, record_transfer, transfer_record_path
from forensics.errors import IntegrityError, PolicyError
from forensics.identity import IdentityStore
from forensics.ledger_checks import verify_case_dir
from forensics.package import export_package, verify_package
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE
from tests.forensics.package.conftest import Exported
from tests.received import certified_officers


def _receiver_home(tmp: Path, ex: Exported) -> IdentityStore:
    ids = IdentityStore(tmp / "police-home")
    certified_officers(ids, (("赵警官", "P0001"),), "示例市公安局")
    ids.trust_ca(
        ex.world.ids.trusted_cas()[0].public_bytes(
            __import__(
                "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]
            ).Encoding.PEM
        ),
        "market-ca",
    )
    for pem in ex.tsa_roots:
        ids.trust_tsa(pem, "tsa")
    return ids


def test_transfer_receive_and_reexport(exported: Exported, tmp_path: Path) -> None:
    sent = record_transfer(
        exported.case,
        exported.world.lead,
        exported.path,
        to_name="赵警官",
        to_badge="P0001",
        to_agency="示例市公安局",
        reason="涉嫌犯罪，移送公安机关（行刑衔接）",
    )
    assert sent.entry["data"]["package_sha256"] == exported.result.sha256
    assert transfer_record_path(exported.path).is_file()

    police = _receiver_home(tmp_path, exported)
    receiver = police.unlock("P0001", PASSPHRASE)
    received = import_package(
        police.home,
        exported.path,
        receiver,
        policy=TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
        reason="接收移送",
    )
    with received:
        assert received.received and received.case_id == exported.case.case_id
        last = received.ledger.records()[-1]
        assert last.kind == "custody.receive"
        assert (
            json.loads(last.entry["data"]["transfer"]["record"])["entry"]["kind"]
            == "custody.transfer"
        )
        lines = [line for _, _, line in received.store.ledger_rows()]
        report = verify_case_dir(
            received.store.dir,
            lines,
            TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
        )
        assert report.bottom_line, report.errors
        with pytest.raises(PolicyError):
            received.note(receiver, "不能改动接收的证据")
        policy = TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems())
        again = export_package(received, receiver, tmp_path / "reexport.qzp", tsa=exported.config)
        rep = verify_package(again.path, policy)
        codes = {f.code for f in rep.errors}
        assert codes <= {"report-missing"}, codes  # export here was asked for no report
        # Exported without a TSA, its time is not proven: missing tokens are a failure.
        bare = export_package(received, receiver, tmp_path / "bare.qzp")
        codes = {f.code for f in verify_package(bare.path, policy).errors}
        assert {"manifest-unstamped", "seal-unstamped", "seal-point-unstamped"} <= codes


def test_altered_transfer_record_is_refused(exported: Exported, tmp_path: Path) -> None:
    record_transfer(
        exported.case, exported.world.lead, exported.path,
        to_name="赵警官", to_agency="示例市公安局", reason="移送",
    )  # fmt: skip
    path = transfer_record_path(exported.path)
    raw = json.loads(path.read_text())
    raw["record"] = raw["record"].replace("赵警官", "钱警官")
    path.write_text(json.dumps(raw, ensure_ascii=False))
    police = _receiver_home(tmp_path, exported)
    with pytest.raises(IntegrityError):
        import_package(
            police.home, exported.path, police.unlock("P0001", PASSPHRASE),
            policy=TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
        )  # fmt: skip
    assert not (police.home / "cases" / exported.case.case_id).exists()


def test_tampered_package_is_not_received(exported: Exported, tmp_path: Path) -> None:
    data = bytearray(exported.path.read_bytes())
    data[len(data) // 2] ^= 1
    bad = tmp_path / "bad.qzp"
    bad.write_bytes(bytes(data))
    police = _receiver_home(tmp_path, exported)
    with pytest.raises(IntegrityError):
        import_package(
            police.home, bad, police.unlock("P0001", PASSPHRASE),
            policy=TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
        )  # fmt: skip
    assert not (police.home / "cases").exists() or not any((police.home / "cases").iterdir())


def test_only_an_officer_of_the_case_seals_a_transfer(exported: Exported) -> None:
    before = len(exported.case.ledger.records())
    with pytest.raises(PolicyError, match="not an officer of this case"):
        record_transfer(
            exported.case, exported.world.stranger, exported.path,
            to_name="赵警官", to_agency="示例市公安局", reason="移送",
        )  # fmt: skip
    assert len(exported.case.ledger.records()) == before
    assert not transfer_record_path(exported.path).exists()
