"""Officers' and the agency CA's keys at rest: scrypt at the production cost, readable by
OpenSSL, and keys of earlier versions (PBKDF2, 2048 iterations) re-wrapped at their next
unlock (issue #16)."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from forensics import keywrap
from forensics.errors import AuthError
from forensics.identity import IdentityStore, Profile, key_fingerprint, verify_signature
from forensics.keywrap import PRODUCTION_COST, ScryptCost, key_kdf

PASS = "correct horse battery"
AGENCY = "示例市市场监督管理局"


@pytest.fixture
def production_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost a real installation uses (the suite otherwise writes cheap keys)."""
    monkeypatch.setattr(keywrap, "KEY_COST", PRODUCTION_COST)


def _kdf(path: Path) -> keywrap.KeyKdf:
    kdf = key_kdf(path.read_bytes())
    assert kdf is not None, path.read_text()
    return kdf


def _old_style(path: Path, passphrase: str) -> bytes:
    """Rewrite ``path`` as earlier versions did: cryptography's BestAvailableEncryption."""
    key = serialization.load_pem_private_key(path.read_bytes(), passphrase.encode())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.write_bytes(pem)
    return pem


def test_the_production_cost_is_memory_hard_and_openssl_sized() -> None:
    # 16 MiB per lane (128·r·N bytes), inside OpenSSL's 32 MiB scrypt limit, 12 lanes.
    assert ScryptCost(n=2**14, r=8, p=12) == PRODUCTION_COST
    assert 128 * PRODUCTION_COST.r * PRODUCTION_COST.n == 16 * 2**20


@pytest.mark.usefixtures("production_cost")
def test_fresh_officer_and_ca_keys_use_scrypt_at_the_production_cost(tmp_path: Path) -> None:
    ids = IdentityStore(tmp_path / "home")
    ids.init_ca("示例 CA", PASS, agency=AGENCY)
    officer = ids.init_officer(Profile("张明", "31000001", AGENCY), PASS)
    officer_key = tmp_path / "home" / "identities" / "31000001" / "key.pem"
    ca_key = tmp_path / "home" / "ca" / "ca-key.pem"
    for path in (officer_key, ca_key):
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        kdf = _kdf(path)
        assert kdf.name == "scrypt" and kdf.scrypt == ScryptCost(2**14, 8, 12)
        assert not keywrap.needs_rewrap(path.read_bytes())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # It unlocks, signs, and stays as it is (nothing to re-wrap).
    before = officer_key.read_bytes()
    signer = ids.unlock("31000001", PASS)
    assert verify_signature(officer.cert, b"m", signer.sign(b"m"))
    assert officer_key.read_bytes() == before
    ids.issue("31000001", PASS)
    assert _kdf(ca_key).scrypt == PRODUCTION_COST


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_reads_the_key_with_the_passphrase_only(tmp_path: Path) -> None:
    """The file is standard PKCS#8 (PBES2, scrypt, AES-256-CBC), not a format of our own."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "key.pem"
    path.write_bytes(keywrap.wrap_key(key, PASS))
    ok = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", f"pass:{PASS}", "-pubout"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert ok.stdout.encode() == pub
    bad = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", "pass:wrong passphrase", "-noout"],
        capture_output=True,
        timeout=60,
    )
    assert bad.returncode != 0
    parsed = subprocess.run(
        ["openssl", "asn1parse", "-in", str(path)], capture_output=True, text=True, timeout=60
    ).stdout
    assert ":PBES2" in parsed and ":scrypt" in parsed and ":aes-256-cbc" in parsed


def test_an_old_officer_key_still_unlocks_and_is_rewrapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = IdentityStore(tmp_path / "home")
    officer = ids.init_officer(Profile("李华", "31000002", AGENCY), PASS)
    path = tmp_path / "home" / "identities" / "31000002" / "key.pem"
    old = _old_style(path, PASS)
    kdf = _kdf(path)
    assert kdf.name == "pbkdf2" and kdf.iterations == 2048  # what issue #16 found
    assert keywrap.needs_rewrap(old)
    monkeypatch.setattr(keywrap, "KEY_COST", PRODUCTION_COST)
    # A wrong passphrase is refused and changes nothing.
    with pytest.raises(AuthError):
        ids.unlock("31000002", "wrong passphrase")
    assert path.read_bytes() == old
    signer = ids.unlock("31000002", PASS)
    assert verify_signature(officer.cert, b"m", signer.sign(b"m"))
    assert _kdf(path).scrypt == PRODUCTION_COST
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rewrapped = path.read_bytes()
    # The same key, under the new wrapping; a second unlock leaves the file alone.
    key = serialization.load_pem_private_key(rewrapped, PASS.encode())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key_fingerprint(key.public_key()) == officer.key_fp
    ids.unlock("31000002", PASS)
    assert path.read_bytes() == rewrapped
    with pytest.raises(AuthError):
        ids.unlock("31000002", "wrong passphrase")


def test_an_old_ca_key_is_rewrapped_when_it_issues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = IdentityStore(tmp_path / "home")
    ca_cert = ids.init_ca("示例 CA", PASS, agency=AGENCY)
    ids.init_officer(Profile("王五", "31000099", AGENCY), PASS)
    path = tmp_path / "home" / "ca" / "ca-key.pem"
    _old_style(path, PASS)
    monkeypatch.setattr(keywrap, "KEY_COST", PRODUCTION_COST)
    with pytest.raises(AuthError):
        ids.issue("31000099", "wrong passphrase")
    assert _kdf(path).name == "pbkdf2"
    officer = ids.issue("31000099", PASS)
    assert officer.chain[1] == ca_cert
    assert _kdf(path).scrypt == PRODUCTION_COST


def test_a_key_under_a_weaker_scrypt_cost_is_rewrapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keywrap, "KEY_COST", ScryptCost(2**10, 8, 1))
    ids = IdentityStore(tmp_path / "home")
    ids.init_officer(Profile("张明", "31000001", AGENCY), PASS)
    path = tmp_path / "home" / "identities" / "31000001" / "key.pem"
    assert _kdf(path).scrypt == ScryptCost(2**10, 8, 1)
    monkeypatch.setattr(keywrap, "KEY_COST", PRODUCTION_COST)
    assert keywrap.needs_rewrap(path.read_bytes())
    ids.unlock("31000001", PASS)
    assert _kdf(path).scrypt == PRODUCTION_COST


@pytest.mark.parametrize(
    "pem",
    [
        b"",
        b"not a key",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n!!!\n-----END ENCRYPTED PRIVATE KEY-----\n",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
    ],
)
def test_an_unreadable_key_file_has_no_kdf_and_counts_as_weak(pem: bytes) -> None:
    assert key_kdf(pem) is None
    assert keywrap.needs_rewrap(pem)
