"""The verifier reads the format version first and judges a package only by the rules of a
format it knows (issue #20). The packages here are the insider's: signed by the case's
genuine officers, stamped at the genuine TSA and sealed by the real exporter, so nothing but
the version tells them apart — and an unknown version is a clear error (exit 2), never a
verdict reached under another format's rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from forensics.custody import import_package
from forensics.errors import InputError
from forensics.identity import IdentityStore, Profile
from forensics.package import layout as L
from forensics.package import verify_package
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World
from tests.forensics.attacks import export_as, reopen, rewrite_ledger
from tests.forensics.package.conftest import build_case

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tsa_config(tsa: TsaServer) -> TsaConfig:
    return TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)


def _policy(world: World, config: TsaConfig) -> TrustPolicy:
    return TrustPolicy.of(world.ids.trusted_cas(), config.trust_roots)


def _verify_cli(package: Path, world: World, config: TsaConfig) -> subprocess.CompletedProcess[str]:
    for pem in config.trust_roots:
        world.ids.trust_tsa(pem, "test-tsa")
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", str(package)],
        env={**os.environ, "QUZHENG_HOME": str(world.home), "QUZHENG_LANG": "en"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_package_of_an_unknown_format_is_not_judged(
    world: World, tsa_config: TsaConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case(world, tmp_path, tsa_config)
    # The real exporter, told it writes format 3: signed, stamped and sealed as usual.
    monkeypatch.setitem(L.LAYOUTS, 3, replace(L.LAYOUT_2, format=3))
    monkeypatch.setattr(L, "PACKAGE_FORMAT", 3)
    package = export_as(case, world.lead, tmp_path / "future.qzp", tsa=tsa_config).path
    monkeypatch.undo()
    case.close()
    with pytest.raises(InputError) as err:
        verify_package(package, _policy(world, tsa_config))
    assert "package format 3" in err.value.message_en and "(1, 2)" in err.value.message_en
    assert "证据包格式 3" in err.value.message_zh
    done = _verify_cli(package, world, tsa_config)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "package format 3 is not one this verifier knows" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_ledger_of_an_unknown_version_is_not_judged(
    world: World, tsa_config: TsaConfig, tmp_path: Path
) -> None:
    case = build_case(world, tmp_path, tsa_config)
    case_dir = case.store.dir
    case.close()
    signers = {s.officer.key_fp: s for s in (world.lead, world.second)}

    def edit(entry: dict[str, object]) -> None:
        if entry["seq"] == 3:
            entry["v"] = 2

    rewrite_ledger(
        case_dir,
        signers=signers,
        edit=edit,
        keep=lambda e: e["kind"] != "timestamp",
        requeue=True,
    )
    forged = reopen(case_dir)
    assert stamp_pending(forged, world.lead, tsa_config).pending == 0
    package = export_as(forged, world.lead, tmp_path / "v2.qzp", tsa=tsa_config).path
    forged.close()
    policy = _policy(world, tsa_config)
    with pytest.raises(InputError) as err:
        verify_package(package, policy)
    assert "ledger entry 3 is of ledger format 2" in err.value.message_en
    # Import verifies first: nothing of it is received.
    receiver_home = tmp_path / "receiver"
    ids = IdentityStore(receiver_home)
    ids.init_officer(Profile("赵六", "32000001", "另一市市场监督管理局"), PASSPHRASE)
    with pytest.raises(InputError):
        import_package(receiver_home, package, ids.unlock("32000001", PASSPHRASE), policy)
    assert not (receiver_home / "cases").exists() or not any((receiver_home / "cases").iterdir())
    done = _verify_cli(package, world, tsa_config)
    assert done.returncode == 2 and "ledger format 2" in done.stderr, done.stderr


def test_an_edited_format_field_with_the_seal_beside_it_fails(
    world: World, tsa_config: TsaConfig, tmp_path: Path
) -> None:
    """An outsider who only edits the version (no keys) is caught by the seal: FAIL."""
    case = build_case(world, tmp_path, tsa_config)
    package = export_as(case, world.lead, tmp_path / "case.qzp", tsa=tsa_config).path
    case.close()
    data = package.read_bytes()
    old = b'"format": 2,'
    # datapackage.json comes first (stored, uncompressed); its digest names the format too.
    assert data.find(old) < data.find(b"datapackage-digest.json")
    package.write_bytes(data.replace(old, b'"format": 7,', 1))
    report = verify_package(package, _policy(world, tsa_config))
    assert not report.bottom_line
    codes = {f.code for f in report.errors}
    assert "seal-sha256-mismatch" in codes, codes
    assert json.loads((tmp_path / "case.qzp.seal.json").read_text())["seal"]["v"] == 2
