"""Export, verification and interoperability with standard tools."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from forensics.errors import AuthError, InputError
from forensics.package import PackageReader, export_package, verify_package
from forensics.package import layout as L
from forensics.trust import TrustPolicy
from forensics.verdict import Verdict
from tests.conftest import World
from tests.forensics.package.conftest import PASSWORD, Exported


def _verify(ex: Exported, path: Path | None = None, **kw: object) -> tuple[bool, set[str]]:
    report = verify_package(
        path or ex.path,
        policy=TrustPolicy.of(ex.world.ids.trusted_cas(), ex.tsa_roots),
        **kw,  # type: ignore[arg-type]
    )
    return report.bottom_line, {f.code for f in report.errors}


def test_layout_and_verdict(exported: Exported) -> None:
    ok, errors = _verify(exported)
    assert ok, errors
    with zipfile.ZipFile(exported.path) as zf:
        names = set(zf.namelist())
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    assert set(L.LAYOUT_2.required) | {L.REPORT, L.CDXJ, L.PAGES} <= names
    assert any(re.fullmatch(r"timestamps/\d+\.tsr", n) for n in names)
    # Format 2: every file at depth two but the WACZ manifest, its digest and the sums.
    top = {n for n in names if "/" not in n}
    assert top == {L.DATAPACKAGE, L.DIGEST, L.SHA256SUMS, L.SM3SUMS}
    assert all(n.count("/") == 1 for n in names - top), sorted(names - top)
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert any(n.startswith("evidence/") and n.endswith(".png") for n in names)
    # Each traffic segment's HAR, sealed as derived from it before the export.
    warcs = {n for n in names if n.startswith("archive/")}
    hars = [n for n in names if n.startswith("har/") and n.endswith(".har")]
    assert len(hars) == len(warcs) >= 1
    with zipfile.ZipFile(exported.path) as zf:
        har = json.loads(zf.read(hars[0]))
        entries = [json.loads(x)["entry"] for x in zf.read(L.LEDGER).splitlines()]
    assert har["log"]["version"] == "1.2"  # the fixture's WARC holds responses only
    (derive,) = [e for e in entries if e["kind"] == "derive" and e["items"][0]["path"] == hars[0]]
    assert derive["data"]["parent"]["path"] in warcs
    assert exported.result.manifest_stamped
    ledger = [json.loads(x) for x in zipfile.ZipFile(exported.path).read(L.LEDGER).splitlines()]
    assert "package.export" in {r["entry"]["kind"] for r in ledger}


def test_standard_tools(exported: Exported, tmp_path: Path) -> None:
    """The README's commands, run as written: sha256sum, openssl dgst, openssl ts."""
    out = tmp_path / "x"
    with zipfile.ZipFile(exported.path) as zf:
        zf.extractall(out)
    run = lambda cmd: subprocess.run(cmd, shell=True, cwd=out, capture_output=True, text=True)  # noqa: E731
    r = run("sha256sum -c SHA256SUMS")
    assert r.returncode == 0 and "FAILED" not in r.stdout, r.stdout + r.stderr
    readme = (out / L.LAYOUT_2.readme).read_text()
    key = exported.world.lead.officer.key_fp
    for cmd in (
        'sed -n \'s/.*"signature_der_b64": "\\(.*\\)".*/\\1/p\' datapackage-digest.json | base64 -d > datapackage.sig',
        f"openssl x509 -in certs/{key}.pem -pubkey -noout > officer.pub",
    ):
        assert cmd.split(" > ")[0].split(" | ")[0] in readme
        assert run(cmd).returncode == 0
    r = run("openssl dgst -sha256 -verify officer.pub -signature datapackage.sig datapackage.json")
    assert r.returncode == 0 and "Verified OK" in r.stdout, r.stderr
    root = exported.tsa.trust_anchor_path
    assert (
        run(
            'sed -n \'s/.*"token_der_b64": "\\(.*\\)".*/\\1/p\' datapackage-digest.json | base64 -d > datapackage.tsr'
        ).returncode
        == 0
    )
    r = run(
        f"openssl ts -verify -data datapackage.json -in datapackage.tsr -token_in -CAfile {root} -untrusted certs/tsa-*.pem"
    )
    assert "Verification: OK" in r.stdout, r.stderr
    ledger = [json.loads(x) for x in (out / L.LEDGER).read_text().splitlines()]
    tokens = sorted((out / "timestamps").glob("*.tsr"))
    assert tokens
    for token in tokens:
        entry_hash = ledger[int(token.stem)]["hash"]
        r = run(
            f"openssl ts -verify -digest {entry_hash} -in {token} -token_in -CAfile {root} -untrusted certs/tsa-*.pem"
        )
        assert "Verification: OK" in r.stdout, (token, r.stderr)
    for warc in (out / "archive").glob("*.warc.gz"):
        r = subprocess.run(
            [str(Path(sys.executable).parent / "warcio"), "check", str(warc)],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stdout + r.stderr


def test_wacz_validate_accepts_the_package(exported: Exported, tmp_path: Path) -> None:
    """py-wacz's own validator (``wacz validate``), run as a web archivist would on the
    package renamed to .wacz: version, required contents, the frictionless data package,
    every file's path and hash against datapackage.json, and the datapackage digest."""
    wacz = tmp_path / "case.wacz"
    wacz.write_bytes(exported.path.read_bytes())
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "wacz"), "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Version detected as {L.WACZ_VERSION}" in proc.stdout
    assert "Validation succeeded" in proc.stdout, proc.stdout


def test_encrypted_package_and_detached_seal(
    make_exported: Callable[..., Exported], tmp_path: Path
) -> None:
    ex = make_exported(password=PASSWORD, name="secret.qzp")
    with zipfile.ZipFile(ex.path) as zf:
        assert all(i.flag_bits & 0x1 for i in zf.infolist())
    with pytest.raises(AuthError):
        PackageReader(ex.path)
    with pytest.raises(AuthError):
        PackageReader(ex.path, "wrong password!!")
    ok, errors = _verify(ex, password=PASSWORD)
    assert ok, errors
    seal = json.loads(ex.result.seal_path.read_text())
    assert seal["seal"]["sha256"] == ex.result.sha256 and seal["seal"]["encrypted"] is True
    # The seal alone, without the password: openssl checks the token over the whole file.
    token = tmp_path / "seal.tsr"
    import base64

    token.write_bytes(base64.b64decode(seal["timestamp"]["token_der_b64"]))
    chain = next((tmp_path / "tsa").glob("tsa-chain.pem"))
    r = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(ex.path), "-in", str(token), "-token_in",
         "-CAfile", str(ex.tsa.trust_anchor_path), "-untrusted", str(chain)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert "Verification: OK" in r.stdout, r.stderr


def test_backup_copy_is_identical(exported: Exported, tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    res = export_package(
        exported.case,
        exported.world.lead,
        tmp_path / "again.qzp",
        tsa=exported.config,
        backup=tmp_path / "backup" / "again.qzp",
    )
    assert res.backup_path is not None
    assert res.backup_path.read_bytes() == res.path.read_bytes()
    assert res.backup_path.with_name("again.qzp.seal.json").is_file()


def test_export_refuses_to_overwrite(exported: Exported) -> None:
    from forensics.errors import InputError

    with pytest.raises(InputError):
        export_package(exported.case, exported.world.lead, exported.path, tsa=exported.config)


def test_encrypted_package_seal_checked_without_password(
    make_exported: Callable[..., Exported],
) -> None:
    ex = make_exported(password=PASSWORD, name="sealed-only.qzp")
    report = verify_package(
        ex.path, policy=TrustPolicy.of(ex.world.ids.trusted_cas(), ex.tsa_roots)
    )
    # Never PASS without the contents: "file sealed and intact, contents not checked".
    assert report.verdict is Verdict.SEALED_ONLY and report.verdict.exit_code == 4, report.errors
    assert "contents-not-checked" in {f.code for f in report.findings}
    seal = [s for s in report.facts.signers if s.role == "seal"]
    assert [s.badge for s in seal] == ["31000001"] and seal[0].trusted_by == "agency-ca"
    # The same seal to a verifier who trusts nobody: intact, trust not established.
    untrusted = verify_package(ex.path, TrustPolicy())
    assert untrusted.verdict is Verdict.UNTRUSTED
    data = bytearray(ex.path.read_bytes())
    data[len(data) // 2] ^= 1
    ex.path.write_bytes(bytes(data))
    report = verify_package(ex.path, policy=TrustPolicy.of((), ex.tsa_roots))
    assert {"seal-sha256-mismatch", "seal-sm3-mismatch"} <= {f.code for f in report.errors}


def test_refused_report_leaves_the_ledger_untouched(world: World, tmp_path: Path) -> None:
    from app.reporting import report_hook
    from forensics.case import Case
    from forensics.errors import InputError as Refused

    with Case.create(
        world.home, world.lead, title="缺少字段", officers=[world.second.officer]
    ) as case:
        head = case.store.head()
        with pytest.raises(Refused) as exc:
            export_package(case, world.lead, tmp_path / "x.qzp", report=report_hook("en"))
        assert case.store.head() == head
        assert not (tmp_path / "x.qzp").exists()
        assert "number" in exc.value.message_en.lower() or "案号" in exc.value.message_zh


def test_stranger_cannot_export(exported: Exported, tmp_path: Path) -> None:
    from forensics.errors import PolicyError

    with pytest.raises(PolicyError):
        export_package(exported.case, exported.world.stranger, tmp_path / "s.qzp")


def test_a_package_may_be_named_as_the_wacz_it_is(
    make_exported: Callable[..., Exported], tmp_path: Path
) -> None:
    ex = make_exported(name="case.wacz")
    assert ex.path.name == "case.wacz" and ex.result.seal_path.name == "case.wacz.seal.json"
    ok, codes = _verify(ex)
    assert ok, codes
    assert (
        "seal"
        in verify_package(ex.path, TrustPolicy.of(ex.world.ids.trusted_cas(), ex.tsa_roots)).checks
    )
    with pytest.raises(InputError) as err:
        export_package(ex.case, ex.world.lead, tmp_path / "case.zip")
    assert ".qzp or .wacz" in err.value.message_en
    assert not (tmp_path / "case.zip").exists()
