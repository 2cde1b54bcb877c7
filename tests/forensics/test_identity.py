from __future__ import annotations

import stat
from pathlib import Path

import pytest

from forensics.errors import AuthError, InputError, NotFoundError
from forensics.identity import IdentityStore, Profile, verify_signature
from tests.conftest import PASSPHRASE, World


def test_key_file_is_private_and_encrypted(world: World) -> None:
    key = world.home / "identities" / "31000001" / "key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    assert stat.S_IMODE((world.home / "ca" / "ca-key.pem").stat().st_mode) == 0o600


def test_wrong_passphrase_is_an_auth_error(world: World) -> None:
    with pytest.raises(AuthError) as exc:
        world.ids.unlock("31000001", "not the passphrase")
    assert "passphrase" in exc.value.diagnostics("en")
    assert "口令" in exc.value.diagnostics("zh")


def test_unknown_officer_and_bad_badge(world: World) -> None:
    with pytest.raises(NotFoundError):
        world.ids.officer("99999999")
    with pytest.raises(InputError):
        world.ids.officer("../etc")


def test_duplicate_officer_refused(world: World) -> None:
    with pytest.raises(InputError):
        world.ids.init_officer(Profile("张明", "31000001", "x"), PASSPHRASE)


def test_short_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        IdentityStore(tmp_path).init_officer(Profile("a", "1", "x"), "short")


def test_agency_chain_and_signature(world: World) -> None:
    officer = world.lead.officer
    assert len(officer.chain) == 2
    officer.cert.verify_directly_issued_by(officer.chain[1])
    assert officer.chain[1].subject == world.ids.trusted_cas()[0].subject
    sig = world.lead.sign(b"message")
    assert verify_signature(officer.cert, b"message", sig)
    assert not verify_signature(officer.cert, b"other", sig)
    assert not verify_signature(world.second.officer.cert, b"message", sig)


def test_self_signed_officer(tmp_path: Path) -> None:
    ids = IdentityStore(tmp_path)
    officer = ids.init_officer(Profile("赵六", "A-1", "某局"), PASSPHRASE)
    assert officer.cert.issuer == officer.cert.subject
    assert ids.unlock("A-1", PASSPHRASE).officer.key_fp == officer.key_fp
