"""Identifiers a hostile sender controls never reach the disk as paths (issue #16).

The attacker is an insider: the case's genuine officers' keys re-sign the whole ledger with a
path-like case id (forger's kit, ``rewrite_ledger``), the genuine TSA stamps it again, and the
real exporter seals it. The package is valid, signed and trusted — and import still refuses
it, before anything is created, because a case id is a UUID and nothing else.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from forensics.case import Case, cases_dir
from forensics.custody import import_package
from forensics.errors import InputError
from forensics.identifiers import check_case_id, inside
from forensics.identity import IdentityStore
from forensics.package import verify_package
from forensics.stamping import TsaConfig, stamp_pending
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World
from tests.forensics.attacks import export_as, reopen, rewrite_ledger
from tests.forensics.package.conftest import build_case
from tests.received import certified_officers


def receiver_home(tmp: Path, world: World, tsa_roots: list[bytes]) -> IdentityStore:
    """A second agency that trusts the sender's agency CA and the TSA."""
    ids = IdentityStore(tmp / "police-home")
    certified_officers(ids, (("赵警官", "P0001"),), "示例市公安局")
    ids.trust_ca(world.ids.trusted_cas()[0].public_bytes(Encoding.PEM), "market-ca")
    for pem in tsa_roots:
        ids.trust_tsa(pem, "tsa")
    return ids


def forge_case_id(world: World, tmp: Path, config: TsaConfig, case_id: str, out: Path) -> Path:
    """The insider's package: every entry names ``case_id``, re-signed with the genuine keys,
    stamped again at the genuine TSA, exported by the real exporter."""
    case = build_case(world, tmp, config)
    case_dir = case.store.dir
    case.close()
    signers = {s.officer.key_fp: s for s in (world.lead, world.second)}

    def edit(entry: dict[str, object]) -> None:
        entry["case"] = case_id

    rewrite_ledger(
        case_dir,
        signers=signers,
        edit=edit,
        keep=lambda e: e["kind"] != "timestamp",
        requeue=True,
    )
    db = sqlite3.connect(case_dir / "case.sqlite")
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'case_id'", (case_id,))
    db.close()
    forged = reopen(case_dir)
    assert forged.case_id == case_id
    outcome = stamp_pending(forged, world.lead, config)
    assert outcome.pending == 0, outcome.reason_en
    result = export_as(forged, world.lead, out, tsa=config)
    forged.close()
    return result.path


def _entries(d: Path) -> set[str]:
    return {p.name for p in d.iterdir()} if d.is_dir() else set()


ATTACKS = {
    "absolute-posix": lambda tmp: str(tmp / "evil-absolute"),
    "relative-escape": lambda tmp: "../../evil-escape",
    "windows-drive": lambda tmp: "C:\\evil-drive",
    "windows-drive-relative": lambda tmp: "C:evil-drive-relative",
    "unc-share": lambda tmp: "\\\\server\\share\\evil-unc",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_path_like_case_id_is_refused_by_import(
    attack: str, world: World, tsa_config: TsaConfig, tmp_path: Path
) -> None:
    evil = ATTACKS[attack](tmp_path)
    package = forge_case_id(world, tmp_path, tsa_config, evil, tmp_path / "forged.qzp")
    police = receiver_home(tmp_path, world, list(tsa_config.trust_roots))
    policy = TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems())
    # The forgery is signed by the case's genuine officers: verification alone passes it.
    report = verify_package(package, policy)
    assert report.bottom_line, report.errors
    root = cases_dir(police.home)
    before = _entries(root)
    outside_before = _entries(tmp_path)
    with pytest.raises(InputError) as err:
        import_package(police.home, package, police.unlock("P0001", PASSPHRASE), policy)
    assert "invalid case id" in err.value.message_en and "案件编号" in err.value.message_zh
    # Nothing created: not in the cases folder, not where the id points, not beside them.
    assert _entries(root) == before
    assert _entries(tmp_path) == outside_before
    for where in (
        Path(evil),
        root / evil,
        tmp_path / "evil-escape",
        police.home / "evil-escape",
        Path("C:\\evil-drive"),
        Path("/server/share/evil-unc"),
    ):
        assert not where.exists(), where


@pytest.fixture
def tsa_config(tsa: object) -> TsaConfig:
    from forensics.timestamp import TsaServer

    assert isinstance(tsa, TsaServer)
    return TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)


def test_case_create_makes_the_one_shape_import_accepts(world: World) -> None:
    with Case.create(world.home, world.lead, title="t") as case:
        assert check_case_id(case.case_id) == case.case_id


@pytest.mark.parametrize(
    "parts",
    [
        ("..", "x"),
        ("../x",),
        ("/etc/x",),
        ("C:\\x",),
        ("C:x",),
        ("\\\\server\\share\\x",),
        ("a\x00b",),
        ("",),
        (".",),
        ("link", "x"),
    ],
)
def test_inside_refuses_paths_that_leave_the_root(parts: tuple[str, ...], tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(InputError):
        inside(root, *parts)


def test_inside_keeps_plain_names(tmp_path: Path) -> None:
    assert inside(tmp_path, "a", "b.pem") == tmp_path.resolve() / "a" / "b.pem"
