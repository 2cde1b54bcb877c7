"""The strongest forgeries we can build, verified the way a court's expert does.

Each test builds one forgery with the forger's kit (``tests/forensics/attacks.py``: real
case store, real keys, real TSAs, the real exporter), shows that it is complete — the
package's own sums, manifest signature, ledger chain and tokens hold under ``sha256sum``
and ``openssl`` — and then runs ``quzheng verify --json`` from a verifier's home that
trusts the genuine agency CA and the genuine TSA root. Every forgery must FAIL (exit 1)
with the finding that names what gives it away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.cli import main
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.identity import IdentityStore, Signer
from forensics.ledger import STAMPED_KINDS
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TimeStampAuthority, TsaServer, create_tsa_identity
from tests.conftest import World
from tests.forensics import attacks
from tests.forensics.attacks import Strangers
from tests.forensics.package.conftest import PASSWORD, build_case, make_warc

# Not the built-in TSA's policy: the second TSA stands for another (commercial) TSA.
OTHER_TSA_POLICY = "2.25.329800735698586629295641978511506172918"


def _config(server: TsaServer) -> TsaConfig:
    return TsaConfig((server.url,), (server.trust_anchor_path.read_bytes(),), 5.0)


@pytest.fixture
def genuine_tsa(tsa: TsaServer) -> TsaConfig:
    return _config(tsa)


@pytest.fixture
def other_tsa(tmp_path: Path) -> Iterator[TsaConfig]:
    """Another TSA, with its own root and name, that the verifier also trusts."""
    identity = create_tsa_identity(tmp_path / "tsa2", "示例第二时间戳服务")
    authority = TimeStampAuthority(identity, policy_oid=OTHER_TSA_POLICY)
    with TsaServer(authority=authority) as server:
        yield _config(server)


@pytest.fixture
def expert(
    world: World, genuine_tsa: TsaConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> IdentityStore:
    """The court's expert's data home: trusts the genuine agency CA and the genuine TSA."""
    ids = IdentityStore(tmp_path / "expert")
    ids.trust_ca((world.home / "ca" / "ca-cert.pem").read_bytes(), "agency-ca")
    ids.trust_tsa(genuine_tsa.trust_roots[0], "genuine-tsa")
    monkeypatch.setenv("QUZHENG_HOME", str(ids.home))
    return ids


@pytest.fixture
def strangers(world: World, tmp_path: Path) -> Strangers:
    return attacks.stranger_identities(tmp_path, world)


def _genuine_case(world: World, tmp: Path, config: TsaConfig) -> Case:
    """A complete genuine case (two officers, a closed session with a screenshot and a
    WARC, every seal point stamped), not yet exported."""
    d = tmp / "genuine"
    d.mkdir()
    return build_case(world, d, config)


def _verify(capsys: pytest.CaptureFixture[str], package: Path, *args: str) -> tuple[int, Any]:
    code = main(["verify", str(package), "--json", *args])
    captured = capsys.readouterr()
    assert captured.out.strip(), f"exit {code} without a JSON report: {captured.err}"
    return code, json.loads(captured.out)


def _errors(report: Any) -> set[tuple[str, str]]:
    return {(f["code"], f["subject"]) for f in report["findings"] if f["severity"] == "error"}


def _forged_by_strangers(
    world: World,
    tmp: Path,
    strangers: Strangers,
    genuine_tsa: TsaConfig,
    *,
    tokens: attacks.TokenMode,
    export_tsa: TsaConfig | None,
    restamp: TsaConfig | None = None,
    password: str | None = None,
) -> Path:
    """The strangers take a copy of a genuine case, re-sign all of it and export it."""
    genuine = _genuine_case(world, tmp, genuine_tsa)
    copy = attacks.copy_case(genuine, tmp / "forger")
    with attacks.resign_case(
        copy, strangers.by_genuine_key, tokens=tokens, restamp=restamp
    ) as forged:
        result = attacks.export_as(
            forged, strangers.lead, tmp / "forged.qzp", tsa=export_tsa, password=password
        )
    return result.path


def _stranger_certs(strangers: Strangers) -> set[tuple[str, str]]:
    return {
        ("cert-agency-forged", f"certs/{s.officer.key_fp}.pem")
        for s in (strangers.lead, strangers.second)
    }


# -- strangers: look-alike officers re-sign the whole case ---------------------------------


def test_strangers_resign_keeping_tokens(
    world: World,
    strangers: Strangers,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pkg = _forged_by_strangers(
        world, tmp_path, strangers, genuine_tsa, tokens="keep", export_tsa=genuine_tsa
    )
    attacks.check_with_standard_tools(pkg, tmp_path / "tools", tsa_roots=genuine_tsa.trust_roots)

    code, report = _verify(capsys, pkg)
    errors = _errors(report)
    assert (code, report["verdict"]) == (1, "fail")
    assert _stranger_certs(strangers) <= errors
    # The old tokens vouch for the genuine entries' hashes, not the re-signed ones.
    assert any(c.startswith("token-") for c, _ in errors)  # e.g. token-entry-mismatch


def test_strangers_resign_dropping_tokens(
    world: World,
    strangers: Strangers,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pkg = _forged_by_strangers(
        world, tmp_path, strangers, genuine_tsa, tokens="drop", export_tsa=None
    )
    attacks.check_with_standard_tools(pkg, tmp_path / "tools")

    code, report = _verify(capsys, pkg)
    errors = _errors(report)
    assert (code, report["verdict"]) == (1, "fail")
    assert _stranger_certs(strangers) <= errors
    assert "seal-point-unstamped" in {c for c, _ in errors}


def test_strangers_resign_restamped_at_another_trusted_tsa(
    world: World,
    strangers: Strangers,
    genuine_tsa: TsaConfig,
    other_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expert.trust_tsa(other_tsa.trust_roots[0], "other-tsa")
    pkg = _forged_by_strangers(
        world,
        tmp_path,
        strangers,
        genuine_tsa,
        tokens="restamp",
        restamp=other_tsa,
        export_tsa=other_tsa,
    )
    # Every token in it is genuine and over the forged entries: openssl accepts them all.
    attacks.check_with_standard_tools(
        pkg,
        tmp_path / "tools",
        tsa_roots=[*genuine_tsa.trust_roots, *other_tsa.trust_roots],
        ledger_tokens=True,
    )

    code, report = _verify(capsys, pkg)
    errors = _errors(report)
    assert (code, report["verdict"]) == (1, "fail")
    assert _stranger_certs(strangers) <= errors
    assert not {c for c, _ in errors if c.startswith("token-")}  # the tokens are not the tell
    # What the expert reads: every signer named as forged, the second TSA as trusted.
    assert {s["trusted_by"] for s in report["facts"]["signers"]} == {"forged"}
    assert [t["trusted"] for t in report["facts"]["tsas"]] == [True]


def test_strangers_resign_under_a_lookalike_agency_ca(
    world: World,
    genuine_tsa: TsaConfig,
    other_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The strangers go one further: their certificates are issued by a CA of their own
    whose name copies the agency CA's exactly, so the chain reads like the genuine one."""
    expert.trust_tsa(other_tsa.trust_roots[0], "other-tsa")
    lookalikes = attacks.stranger_identities(tmp_path, world, lookalike_ca=True)
    assert lookalikes.lead.officer.chain[1].subject == world.lead.officer.chain[1].subject
    pkg = _forged_by_strangers(
        world,
        tmp_path,
        lookalikes,
        genuine_tsa,
        tokens="restamp",
        restamp=other_tsa,
        export_tsa=other_tsa,
    )
    attacks.check_with_standard_tools(
        pkg, tmp_path / "tools", tsa_roots=other_tsa.trust_roots, ledger_tokens=True
    )

    code, report = _verify(capsys, pkg)
    assert (code, report["verdict"]) == (1, "fail")
    assert _stranger_certs(lookalikes) <= _errors(report)


@pytest.mark.parametrize("with_password", [False, True], ids=["seal-only", "with-password"])
def test_strangers_resign_encrypted_with_their_own_seal(
    with_password: bool,
    world: World,
    strangers: Strangers,
    genuine_tsa: TsaConfig,
    other_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The re-signed case leaves AES-encrypted; its detached seal is the stranger's. Even
    before the password is known, the seal alone gives the forgery away."""
    expert.trust_tsa(other_tsa.trust_roots[0], "other-tsa")
    pkg = _forged_by_strangers(
        world,
        tmp_path,
        strangers,
        genuine_tsa,
        tokens="restamp",
        restamp=other_tsa,
        export_tsa=other_tsa,
        password=PASSWORD,
    )
    attacks.check_with_standard_tools(
        pkg,
        tmp_path / "tools",
        password=PASSWORD,
        tsa_roots=other_tsa.trust_roots,
        ledger_tokens=True,
    )

    if with_password:
        pw = tmp_path / "pw"
        pw.write_text(PASSWORD + "\n")
        code, report = _verify(capsys, pkg, "--password-file", str(pw))
        assert (code, report["verdict"]) == (1, "fail")
        assert _stranger_certs(strangers) <= _errors(report)
    else:
        code, report = _verify(capsys, pkg)
        # Not "sealed-only" (exit 4): what can be checked already proves a forgery.
        assert (code, report["verdict"]) == (1, "fail")
        assert ("cert-agency-forged", "forged.qzp.seal.json") in _errors(report)


# -- insiders: the genuine keys --------------------------------------------------------------


def test_session_tail_cut_and_reexported(
    world: World,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The lead cuts the session after its first capture (the last segment, the note and
    session.end with both signatures go) and exports again, report included."""
    cut = attacks.truncate_session_tail(_genuine_case(world, tmp_path, genuine_tsa))
    with cut.case as case:
        kinds = [r.kind for r in case.ledger.records()]
        assert "session.end" not in kinds and "capture.traffic" not in kinds
        result = attacks.export_as(
            case, world.lead, tmp_path / "cut.qzp", tsa=genuine_tsa, report=cut.report
        )
    attacks.check_with_standard_tools(
        result.path, tmp_path / "tools", tsa_roots=genuine_tsa.trust_roots, ledger_tokens=True
    )

    code, report = _verify(capsys, result.path)
    assert (code, report["verdict"]) == (1, "fail")
    assert ("session-unclosed", f"ledger entry {cut.session_start}") in _errors(report)


def test_unsealed_file_planted_and_lists_resigned(
    world: World,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The exporting officer adds a picture no ledger entry seals, lists it everywhere
    (datapackage.json with SM3, both sums files, custody/manifest.json), binds a new report
    to the new manifest, and signs and stamps the manifest and the seal again."""
    with _genuine_case(world, tmp_path, genuine_tsa) as case:
        genuine = attacks.export_as(case, world.lead, tmp_path / "genuine.qzp", tsa=genuine_tsa)
        planted = tmp_path / "planted.qzp"
        name = attacks.plant_file(genuine.path, planted, world.lead, genuine_tsa, case=case)
    attacks.check_with_standard_tools(
        planted, tmp_path / "tools", tsa_roots=genuine_tsa.trust_roots, ledger_tokens=True
    )

    code, report = _verify(capsys, planted)
    assert (code, report["verdict"]) == (1, "fail")
    assert ("file-unaccounted", name) in _errors(report)


def test_case_backdated_one_day_and_restamped_now(
    world: World,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every entry moved one day back, the chain signed again with the genuine keys, the
    old tokens dropped and every seal point stamped again, now, at the genuine TSA."""
    signers: dict[str, Signer] = {s.officer.key_fp: s for s in (world.lead, world.second)}
    with attacks.backdate_case(
        _genuine_case(world, tmp_path, genuine_tsa), signers, genuine_tsa
    ) as case:
        seal_points = {r.seq for r in case.ledger.records() if r.kind in STAMPED_KINDS}
        result = attacks.export_as(case, world.lead, tmp_path / "back.qzp", tsa=genuine_tsa)
    attacks.check_with_standard_tools(
        result.path, tmp_path / "tools", tsa_roots=genuine_tsa.trust_roots, ledger_tokens=True
    )

    code, report = _verify(capsys, result.path)
    assert (code, report["verdict"]) == (1, "fail")
    gaps = {s for c, s in _errors(report) if c == "stamp-gap"}
    assert gaps & {f"ledger entry {seq}" for seq in seal_points}, _errors(report)


# -- an honest machine with a wrong clock ---------------------------------------------------


def test_capture_with_clock_set_back_two_days(
    world: World,
    genuine_tsa: TsaConfig,
    expert: IdentityStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The screenshot is sealed while the ledger's clock reads two days ago; the TSA is
    reachable and stamps it at once (the TSA's clock is right)."""
    shot = tmp_path / "shot.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(shot)
    warc = tmp_path / "traffic.warc.gz"
    make_warc(warc)
    with Case.create(
        world.home,
        world.lead,
        title="网店销售假冒商品案",
        number="示市监案〔2026〕13号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        location="示例市市场监督管理局 取证室",
        purpose="固定网店销售假冒商品的电子数据",
        officers=[world.second.officer],
    ) as case:
        session = case.start_session(world.lead, SessionStartData("test", ()))
        with attacks.clock_set_back(case, timedelta(days=2)) as clock:
            shot_seq = case.seal_file(
                world.lead,
                shot,
                kind="capture.screenshot",
                data={"url": "https://shop.range.test/item/1", "title": "商品 1"},
                session=session,
            ).seq
            assert stamp_pending(case, world.lead, genuine_tsa, now=clock).pending == 0
        case.seal_file(
            world.lead,
            warc,
            kind="capture.traffic",
            data={"urls": ["https://shop.range.test/item/0"], "hosts": ["shop.range.test"]},
            session=session,
            folder="archive",
            media_type="application/warc",
            name="segment-0001.warc.gz",
        )
        case.end_session(session, [world.lead, world.second])
        assert stamp_pending(case, world.lead, genuine_tsa).pending == 0
        result = attacks.export_as(case, world.lead, tmp_path / "clock.qzp", tsa=genuine_tsa)
    attacks.check_with_standard_tools(
        result.path, tmp_path / "tools", tsa_roots=genuine_tsa.trust_roots, ledger_tokens=True
    )

    code, report = _verify(capsys, result.path)
    assert (code, report["verdict"]) == (1, "fail")
    gaps = [
        f
        for f in report["findings"]
        if f["code"] == "stamp-gap"
        and f["severity"] == "error"
        and f["subject"] == f"ledger entry {shot_seq}"
    ]
    assert gaps, _errors(report)
    assert "back-dated" in gaps[0]["message_en"], gaps[0]
    assert re.search(r"\b(2 d|48 h|1728[0-9]{2} s)\b", gaps[0]["message_en"]), gaps[0]  # the gap
