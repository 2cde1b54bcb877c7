"""verify_token: every RFC 3161 §2.2 check, each failure its own finding. Fixtures are
named after the attack or the misconfiguration they reproduce."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import InputError
from forensics.timestamp import (
    TokenError,
    TokenInfo,
    check_time_agreement,
    parse_response,
    response_from_token,
    token_from_response,
    verify_token,
)
from forensics.timestamp.errors import TOKEN_ERROR_CODES
from forensics.timestamp.tsa import TimeStampAuthority, TsaIdentity, create_tsa_identity

from .conftest import NOW, entry_digest, make_identity, make_root, make_tsa_cert, token_for

DIGEST = entry_digest("entry 7")


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> TsaIdentity:
    return create_tsa_identity(tmp_path_factory.mktemp("tsa"))


@pytest.fixture(scope="module")
def authority(identity: TsaIdentity) -> TimeStampAuthority:
    return TimeStampAuthority(identity)


@pytest.fixture(scope="module")
def root(identity: TsaIdentity) -> bytes:
    return identity.root_path.read_bytes()


@pytest.fixture(scope="module")
def token(authority: TimeStampAuthority) -> bytes:
    return token_for(authority, DIGEST, nonce=7)


def code_of(
    token: bytes, roots: list[bytes], digest: bytes = DIGEST, nonce: int | None = None
) -> str:
    with pytest.raises(TokenError) as caught:
        verify_token(token, digest, roots, nonce=nonce)
    assert caught.value.code in TOKEN_ERROR_CODES
    assert caught.value.diagnostics("zh") != caught.value.diagnostics("en")
    return caught.value.code


def test_genuine_token_verifies(token: bytes, root: bytes) -> None:
    info = verify_token(token, DIGEST, [root], nonce=7)
    assert isinstance(info, TokenInfo) and info.nonce == 7


@dataclass
class Case:
    token: bytes
    digest: bytes
    anchor: Path  # the trust anchor the verifier is configured with


@pytest.fixture(scope="module")
def issue_cases(
    token: bytes, identity: TsaIdentity, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Case]:
    """Four attacks and faults on a token (a flipped byte, a token over another entry, an
    untrusted TSA, a non-critical timeStamping EKU), each against a verifier that trusts
    the anchor given."""
    tmp = tmp_path_factory.mktemp("cases")
    # a flipped byte inside the signed TSTInfo (a digit of genTime)
    stamp = verify_token(token, DIGEST, [identity.root_path.read_bytes()]).gen_time
    digits = stamp.strftime("%Y%m%d%H%M%S").encode()
    at = token.index(digits) + len(digits) - 1
    flipped = token[:at] + bytes([token[at] ^ 0x01]) + token[at + 1 :]
    # a token from a TSA we do not trust
    stranger = TimeStampAuthority(create_tsa_identity(tmp / "stranger"))
    # a TSA whose certificate lacks the critical timeStamping EKU (its root trusted)
    no_eku = make_identity(tmp / "noeku", eku="noncritical")
    return {
        "flipped-byte": Case(flipped, DIGEST, identity.root_path),
        "another-entry": Case(token, entry_digest("entry 8"), identity.root_path),
        "untrusted-tsa": Case(token_for(stranger, DIGEST), DIGEST, identity.root_path),
        "eku-not-critical": Case(
            token_for(TimeStampAuthority(no_eku, strict=False), DIGEST), DIGEST, no_eku.root_path
        ),
    }


def test_the_four_findings_of_the_issue_are_distinct(issue_cases: dict[str, Case]) -> None:
    codes = {
        name: code_of(c.token, [c.anchor.read_bytes()], digest=c.digest)
        for name, c in issue_cases.items()
    }
    assert codes == {
        "flipped-byte": "signature-invalid",
        "another-entry": "imprint-mismatch",
        "untrusted-tsa": "tsa-untrusted",
        "eku-not-critical": "tsa-eku-missing",
    }


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_openssl_refuses_the_same_four(issue_cases: dict[str, Case], tmp_path: Path) -> None:
    for name, c in issue_cases.items():
        path = tmp_path / f"{name}.tsr"
        path.write_bytes(c.token)
        proc = subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-digest",
                c.digest.hex(),
                "-in",
                str(path),
                "-token_in",
                "-CAfile",
                str(c.anchor),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode != 0 and "Verification: OK" not in proc.stdout, name


def test_rsa_tsa_tokens_verify_with_ours_and_openssl(tmp_path: Path) -> None:
    identity = make_identity(tmp_path / "rsa", rsa_key=True)
    tok = token_for(TimeStampAuthority(identity), DIGEST)
    assert verify_token(tok, DIGEST, [identity.root_path.read_bytes()]).nonce == 7
    if shutil.which("openssl"):
        (tmp_path / "t.tsr").write_bytes(tok)
        proc = subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-digest",
                DIGEST.hex(),
                "-in",
                str(tmp_path / "t.tsr"),
                "-token_in",
                "-CAfile",
                str(identity.root_path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert "Verification: OK" in proc.stdout, proc.stderr


def test_tsa_certificate_without_any_eku(tmp_path: Path) -> None:
    identity = make_identity(tmp_path / "none", eku="none")
    tok = token_for(TimeStampAuthority(identity, strict=False), DIGEST)
    assert code_of(tok, [identity.root_path.read_bytes()]) == "tsa-eku-missing"


def test_authority_refuses_a_non_conforming_identity(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="timeStamping"):
        TimeStampAuthority(make_identity(tmp_path / "bad", eku="none"))


def test_nonce_of_another_request_is_a_replay(token: bytes, root: bytes) -> None:
    assert code_of(token, [root], nonce=8) == "nonce-mismatch"


def test_substituted_certificate_same_key_issuer_and_serial(tmp_path: Path) -> None:
    """The attack ESSCertID exists for: the signer certificate is swapped for another one
    with the same key, issuer and serial (e.g. different validity or extensions)."""
    root_key, root_cert = make_root()
    key = ec.generate_private_key(ec.SECP256R1())
    genuine = make_tsa_cert(key, root_key, root_cert, serial=4242)
    forged = make_tsa_cert(key, root_key, root_cert, serial=4242, days=9999)
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
    identity = TsaIdentity(key=key, cert=genuine, chain=(genuine, root_cert), root_path=root_path)
    tok = token_for(TimeStampAuthority(identity), DIGEST)
    ci = cms.ContentInfo.load(tok)
    ci["content"]["certificates"] = [
        cms.CertificateChoices(
            name="certificate",
            value=cms.Certificate.load(c.public_bytes(serialization.Encoding.DER)),
        )
        for c in (forged, root_cert)
    ]
    swapped = ci.dump(force=True)
    assert swapped != tok
    assert code_of(swapped, [root_path.read_bytes()]) == "tsa-cert-unidentified"


def test_token_without_certificates_needs_the_tsa_certificate(
    authority: TimeStampAuthority, identity: TsaIdentity, root: bytes
) -> None:
    tok = token_for(authority, DIGEST, cert_req=False)
    assert code_of(tok, [root]) == "tsa-cert-unidentified"
    pem = identity.cert.public_bytes(serialization.Encoding.PEM)
    assert verify_token(tok, DIGEST, [root], extra_certs=[pem]).chain[0] == pem.decode()


def test_chain_certificate_expired_at_gen_time(tmp_path: Path) -> None:
    """The root expired before the token was made (the TSA certificate itself was valid)."""
    identity = make_identity(tmp_path / "old", not_before=NOW - dt.timedelta(days=30), days=10)
    tok = token_for(TimeStampAuthority(identity), DIGEST)
    assert code_of(tok, [identity.root_path.read_bytes()]) == "tsa-cert-expired"


def test_gen_time_is_read_with_microseconds(identity: TsaIdentity, root: bytes) -> None:
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(microsecond=123456)
    authority = TimeStampAuthority(identity, now=lambda: when)
    infos = [verify_token(token_for(authority, DIGEST), DIGEST, [root]) for _ in range(3)]
    # A stalled clock still gives strictly increasing genTime, 1 µs apart.
    assert [i.gen_time for i in infos] == [
        when,
        when + dt.timedelta(microseconds=1),
        when + dt.timedelta(microseconds=2),
    ]
    assert int(infos[0].serial) < int(infos[1].serial) < int(infos[2].serial)


def test_response_forms(token: bytes, authority: TimeStampAuthority) -> None:
    status, inner = parse_response(response_from_token(token))
    assert status.status == 0 and inner == token
    rejection = authority.respond(b"\x30\x00")
    status, inner = parse_response(rejection)
    assert (status.status, inner, status.fail_info) == (2, None, ("bad_data_format",))
    with pytest.raises(TokenError) as caught:
        token_from_response(rejection)
    assert caught.value.code == "status-rejected"


def test_bad_configuration_is_an_input_error(token: bytes, root: bytes) -> None:
    with pytest.raises(InputError):
        verify_token(token, DIGEST, [])
    with pytest.raises(InputError):
        verify_token(token, DIGEST, [b"-----BEGIN CERTIFICATE-----\nnope\n"])
    with pytest.raises(InputError):
        verify_token(token, b"\x00" * 20, [root])


def test_time_agreement(token: bytes, root: bytes) -> None:
    info = verify_token(token, DIGEST, [root])
    assert info.accuracy_us == 1_000_000
    tolerance = 2_000_000
    ok = check_time_agreement(info, info.gen_time - dt.timedelta(seconds=1), tolerance)
    assert (ok.finding, ok.delta_us, ok.allowed_us) == (None, 1_000_000, 3_000_000)
    ahead = check_time_agreement(info, info.gen_time + dt.timedelta(seconds=4), tolerance)
    assert ahead.finding == "clock-ahead"
    late = info.gen_time - dt.timedelta(hours=2)
    assert check_time_agreement(info, late, tolerance).finding == "clock-behind"
    # A queued token (stamped when the TSA was back) is late by design.
    assert check_time_agreement(info, late, tolerance, queued=True).finding is None


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_token_from_openssl_tsa_with_esscertid_v1(identity: TsaIdentity, tmp_path: Path) -> None:
    """Interoperability: a token made by OpenSSL's own TSA (ESSCertID v1, SHA-1 cert hash,
    signingTime, no nonce) with our identity verifies with our verifier."""
    key = tmp_path / "key.pem"
    key.write_bytes(
        identity.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert = tmp_path / "cert.pem"
    cert.write_bytes(identity.cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "serial").write_text("01\n")
    config = tmp_path / "tsa.cnf"
    config.write_text(
        "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\n"
        f"serial = {tmp_path / 'serial'}\ncrypto_device = builtin\n"
        f"signer_cert = {cert}\ncerts = {identity.root_path}\nsigner_key = {key}\n"
        "signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\n"
        "accuracy = secs:1, millisecs:500\nordering = yes\ntsa_name = yes\n"
        "ess_cert_id_chain = no\ness_cert_id_alg = sha1\n"
    )
    query = tmp_path / "q.tsq"
    out = tmp_path / "t.der"
    run = [
        [
            "openssl",
            "ts",
            "-query",
            "-digest",
            DIGEST.hex(),
            "-sha256",
            "-cert",
            "-no_nonce",
            "-out",
            str(query),
        ],
        [
            "openssl",
            "ts",
            "-reply",
            "-config",
            str(config),
            "-queryfile",
            str(query),
            "-token_out",
            "-out",
            str(out),
        ],
    ]
    for cmd in run:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
    info = verify_token(out.read_bytes(), DIGEST, [identity.root_path.read_bytes()])
    assert info.nonce is None and info.policy == "1.2.3.4.1" and info.accuracy_us == 1_500_000
    assert code_of(out.read_bytes(), [identity.root_path.read_bytes()], nonce=5) == (
        "nonce-mismatch"
    )


# ------------------------------------------------------------------ hostile input


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_token_error(data: bytes, root: bytes) -> None:
    with pytest.raises(TokenError):
        verify_token(data, DIGEST, [root])


def _vouched(info: TokenInfo) -> TokenInfo:
    """What a token vouches for: everything but the hash of its own bytes."""
    return dataclasses.replace(info, token_sha256="")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(data=st.data())
def test_any_single_byte_change_fails_or_vouches_for_the_same(
    data: st.DataObject, token: bytes, root: bytes
) -> None:
    at = data.draw(st.integers(0, len(token) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != token[at]), label="byte")
    changed = token[:at] + bytes([value]) + token[at + 1 :]
    try:
        info = verify_token(changed, DIGEST, [root], nonce=7)
    except TokenError:
        return
    # Only an unsigned field can change and still verify (see the next test); the token then
    # vouches for exactly what the original did, and its changed bytes no longer match the
    # hash the ledger sealed for it.
    assert _vouched(info) == _vouched(verify_token(token, DIGEST, [root], nonce=7))
    assert info.token_sha256 != hashlib.sha256(token).hexdigest()


def test_the_unsigned_signer_identifier_may_be_re_encoded(token: bytes, root: bytes) -> None:
    # CMS does not sign the SignerInfo's issuer-and-serial identifier, and names compare as
    # RFC 5280 (and OpenSSL) compare them: the issuer's commonName as a PrintableString
    # instead of a UTF8String still names the same certificate. All 256 values at every
    # position of a token were tried once (368,475 tokens): the few that verify change only
    # unsigned parts — this identifier's string type, or the token's spare copy of the root
    # (its choice tag, its signature's bit-string padding count) — and vouch for the same.
    # The same change inside the signer's certificate does not verify.
    signer = cms.ContentInfo.load(token)["content"]["signer_infos"][0]
    sid = signer["sid"].dump()
    at = token.index(sid)
    utf8 = at + sid.index(bytes.fromhex("0603550403")) + 5
    assert token[utf8] == 0x0C
    re_encoded = token[:utf8] + b"\x13" + token[utf8 + 1 :]
    info = verify_token(re_encoded, DIGEST, [root], nonce=7)
    assert _vouched(info) == _vouched(verify_token(token, DIGEST, [root], nonce=7))

    signed_by = next(
        c.dump()
        for c in cms.ContentInfo.load(token)["content"]["certificates"]
        if c.chosen["tbs_certificate"]["subject"].native["common_name"] == "Quzheng built-in TSA"
    )
    in_cert = token.index(signed_by) + signed_by.index(bytes.fromhex("0603550403")) + 5
    assert token[in_cert] == 0x0C
    with pytest.raises(TokenError):
        verify_token(token[:in_cert] + b"\x13" + token[in_cert + 1 :], DIGEST, [root], nonce=7)


def test_names_made_malformed_are_refused_without_a_warning(token: bytes, root: bytes) -> None:
    # One byte turns a commonName (2.5.4.3) into a 16-letter countryName (2.5.4.6), which
    # cryptography warns about when it reads the name (the property test above found it).
    # The strict test configuration turns such a warning into an error.
    common_name = bytes.fromhex("0603550403")
    positions = [i for i in range(len(token)) if token.startswith(common_name, i)]
    assert len(positions) >= 4  # the TSA's name, and its certificates' subjects and issuers
    for at in positions:
        changed = token[: at + 4] + b"\x06" + token[at + 5 :]
        with pytest.raises(TokenError):
            verify_token(changed, DIGEST, [root], nonce=7)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(0, 4000), junk=st.binary(max_size=64))
def test_truncated_or_extended_tokens_never_verify(
    cut: int, junk: bytes, token: bytes, root: bytes
) -> None:
    variant = token[: cut % len(token)] + junk
    if variant == token:
        return
    with pytest.raises(TokenError):
        verify_token(variant, DIGEST, [root])


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=512))
def test_authority_answers_any_request_with_a_response(
    data: bytes, authority: TimeStampAuthority
) -> None:
    status, token = parse_response(authority.respond(data))
    assert status.status in (0, 2)
    assert (token is None) == (status.status == 2)
