"""The golden sample packages (one per package format, made by the real code with
tests/golden/make_golden.py and committed) keep verifying, importing and scoring: a package
an agency sealed years ago is judged by the rules of its own format."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from forensics.custody import import_package
from forensics.identity import IdentityStore, Profile
from forensics.package import PackageReader, verify_package
from forensics.package import layout as L
from forensics.training.score import score_package
from forensics.trust import TrustPolicy

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parents[1]
SAMPLES = sorted(p for p in GOLDEN.glob("format-*") if p.is_dir())
PASSPHRASE = "golden receiver passphrase"


def _policy(sample: Path) -> TrustPolicy:
    ca = x509.load_pem_x509_certificates((sample / "trust" / "agency-ca.pem").read_bytes())
    return TrustPolicy.of(ca, [(sample / "trust" / "tsa-root.pem").read_bytes()])


def _format(sample: Path) -> int:
    return int(sample.name.removeprefix("format-"))


def _copy(sample: Path, tmp: Path) -> Path:
    """The sample and its seal in a scratch folder (tests never touch tracked files)."""
    for name in ("case.qzp", "case.qzp.seal.json"):
        shutil.copyfile(sample / name, tmp / name)
    return tmp / "case.qzp"


def test_a_sample_of_every_format_is_kept() -> None:
    assert {_format(s) for s in SAMPLES} >= set(range(1, L.PACKAGE_FORMAT + 1))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_golden_package_verifies_under_its_own_format(sample: Path, tmp_path: Path) -> None:
    package = _copy(sample, tmp_path)
    report = verify_package(package, _policy(sample))
    assert report.bottom_line, [(f.code, f.en) for f in report.errors]
    assert "seal" in report.checks
    with PackageReader(package) as reader:
        dp = json.loads(reader.read_control(L.DATAPACKAGE))
    assert dp["quzheng"]["format"] == _format(sample)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_golden_package_verifies_with_the_command_line(sample: Path, tmp_path: Path) -> None:
    package = _copy(sample, tmp_path)
    home = tmp_path / "home"
    ids = IdentityStore(home)
    ids.trust_ca((sample / "trust" / "agency-ca.pem").read_bytes(), "agency-ca")
    ids.trust_tsa((sample / "trust" / "tsa-root.pem").read_bytes(), "tsa")
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", str(package), "--json"],
        env={"QUZHENG_HOME": str(home), "QUZHENG_LANG": "en", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verdict"] == "pass"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_golden_package_imports_as_a_received_case(sample: Path, tmp_path: Path) -> None:
    package = _copy(sample, tmp_path)
    home = tmp_path / "receiver"
    ids = IdentityStore(home)
    ids.init_officer(Profile("赵六", "32000001", "另一市市场监督管理局"), PASSPHRASE)
    receiver = ids.unlock("32000001", PASSPHRASE)
    facts = json.loads((sample / "facts.json").read_text(encoding="utf-8"))
    with import_package(home, package, receiver, _policy(sample), reason="移送") as case:
        assert case.received and case.case_id == facts["case"]
        kinds = [r.kind for r in case.ledger.records()]
    assert kinds[0] == "case.open" and kinds[-1] == "custody.receive"
    assert "capture.screenshot" in kinds and "capture.traffic" in kinds


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_golden_package_scores(sample: Path, tmp_path: Path) -> None:
    package = _copy(sample, tmp_path)
    table = score_package(package, "shop-counterfeit-listing", policy=_policy(sample))
    assert table.readable and table.integrity_ok, table.findings
    integrity = table.rows[0]
    assert integrity.status == "full", integrity
    assert table.total > integrity.points  # the capture itself earns points too


def test_format_2_entries_carry_crc_and_sizes_in_the_local_header() -> None:
    from tests.forensics.package.test_zip_entries import stream_entries

    entries = stream_entries(GOLDEN / "format-2" / "case.qzp")
    assert entries and not any(flags & 0x08 for _n, flags, _m, _d, _z in entries)
