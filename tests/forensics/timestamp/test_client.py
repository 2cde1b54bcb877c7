"""The RFC 3161 client against the built-in TSA over real HTTP on 127.0.0.1, and against
TSAs that misbehave. Tokens are checked by our verifier and by ``openssl ts -verify``."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from forensics.canonical import canonical_bytes
from forensics.errors import InputError
from forensics.timestamp import (
    TimestampUnavailable,
    TokenError,
    request_token,
    response_from_token,
    token_info_to_json,
    verify_token,
)
from forensics.timestamp.tsa import TimeStampAuthority, TsaServer, create_tsa_identity

from .conftest import BadServer, entry_digest, make_identity

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl CLI not installed")


def openssl_verify(
    tmp_path: Path, token: bytes, digest: bytes, ca_file: Path, *, as_response: bool = False
) -> subprocess.CompletedProcess[str]:
    assert OPENSSL is not None
    path = tmp_path / ("reply.tsr" if as_response else "token.tsr")
    path.write_bytes(response_from_token(token) if as_response else token)
    cmd = [OPENSSL, "ts", "-verify", "-digest", digest.hex(), "-in", str(path)]
    if not as_response:
        cmd.append("-token_in")
    cmd += ["-CAfile", str(ca_file)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


@needs_openssl
def test_token_from_built_in_tsa_verifies_with_ours_and_openssl(
    tsa: TsaServer, root_pem: bytes, tmp_path: Path
) -> None:
    digest = entry_digest("capture 12")
    result = request_token(digest, [tsa.url], [root_pem], timeout=5)
    assert result.url == tsa.url and result.failures == ()

    info = verify_token(result.token_der, digest, [root_pem])
    assert info == result.info
    assert info.message_imprint == digest.hex() and info.hash_alg == "sha256"
    assert info.tsa_name == "CN=Quzheng built-in TSA"
    assert info.nonce is not None and info.accuracy_us == 1_000_000
    assert len(info.chain) == 2 and info.chain[-1].strip() == root_pem.decode().strip()
    # The ledger's view: strings and integers only, so canonical JSON accepts it.
    as_json = token_info_to_json(info)
    assert canonical_bytes(as_json)
    assert as_json["gen_time"].endswith("Z") and len(as_json["gen_time"]) == 27

    for as_response in (False, True):
        proc = openssl_verify(
            tmp_path, result.token_der, digest, tsa.trust_anchor_path, as_response=as_response
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Verification: OK" in proc.stdout


@needs_openssl
def test_openssl_also_refuses_a_token_for_another_entry(
    tsa: TsaServer, root_pem: bytes, tmp_path: Path
) -> None:
    token = request_token(entry_digest("a"), [tsa.url], [root_pem], timeout=5).token_der
    proc = openssl_verify(tmp_path, token, entry_digest("b"), tsa.trust_anchor_path)
    assert proc.returncode != 0
    assert "Verification: OK" not in proc.stdout


def test_gen_time_has_microseconds_and_increases(tsa: TsaServer, root_pem: bytes) -> None:
    infos = [
        request_token(entry_digest(str(i)), [tsa.url], [root_pem], timeout=5).info for i in range(5)
    ]
    times = [i.gen_time for i in infos]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert all(t.tzinfo is not None for t in times)
    # Sub-second order is kept: not all five in distinct seconds, yet strictly ordered.
    assert any(t.microsecond for t in times)
    serials = [int(i.serial) for i in infos]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)


def test_token_from_an_agency_ca_issued_tsa(tmp_path: Path) -> None:
    """The TSA certificate can be issued by the agency CA; the CA is then the anchor."""
    from .conftest import make_root

    ca_key, ca_cert = make_root("示例市市场监督管理局 CA")
    identity = create_tsa_identity(tmp_path / "tsa", issuer_key=ca_key, issuer_cert=ca_cert)
    assert identity.chain[-1] == ca_cert and not (tmp_path / "tsa" / "root-key.pem").exists()
    with TsaServer(tmp_path / "tsa") as server:
        digest = entry_digest("agency")
        result = request_token(digest, [server.url], [identity.root_path.read_bytes()], timeout=5)
    assert result.info.chain[-1].startswith("-----BEGIN CERTIFICATE-----")


def test_failover_to_the_second_tsa(
    tsa: TsaServer,
    root_pem: bytes,
    bad_server: Callable[[str], BadServer],
    closed_port_url: str,
) -> None:
    garbage = bad_server("garbage")
    digest = entry_digest("failover")
    result = request_token(digest, [closed_port_url, garbage.url, tsa.url], [root_pem], timeout=5)
    assert result.url == tsa.url
    assert [f.code for f in result.failures] == ["connection-refused", "not-rfc3161"]
    assert garbage.hits == ["garbage"]


@pytest.mark.parametrize(
    ("behaviour", "code", "words"),
    [
        ("garbage", "not-rfc3161", "not an RFC 3161 response"),
        ("http-500", "http-status", "HTTP 500"),
        ("slow", "timeout", "timeout"),
        ("rejection", "status-rejected", "TSA overloaded, try later"),
    ],
)
def test_bad_tsa_answers_give_a_clear_message(
    bad_server: Callable[[str], BadServer],
    root_pem: bytes,
    behaviour: str,
    code: str,
    words: str,
) -> None:
    server = bad_server(behaviour)
    with pytest.raises(TimestampUnavailable) as caught:
        request_token(entry_digest("x"), [server.url], [root_pem], timeout=0.5)
    err = caught.value
    assert [a.code for a in err.attempts] == [code]
    assert server.url in str(err) and words in str(err)
    assert server.url in err.diagnostics("zh")
    if behaviour == "rejection":
        assert "system_failure" in str(err)


def test_every_url_failing_lists_each_url_and_why(
    bad_server: Callable[[str], BadServer], root_pem: bytes, closed_port_url: str
) -> None:
    five_hundred = bad_server("http-500")
    urls = [closed_port_url, five_hundred.url, "ftp://example.invalid/"]
    with pytest.raises(TimestampUnavailable) as caught:
        request_token(entry_digest("x"), urls, [root_pem], timeout=2)
    assert [(a.url, a.code) for a in caught.value.attempts] == [
        (closed_port_url, "connection-refused"),
        (five_hundred.url, "http-status"),
        ("ftp://example.invalid/", "bad-url"),
    ]
    lines = str(caught.value).splitlines()
    assert len(lines) == 4 and all(u in str(caught.value) for u in urls)


def test_no_tsa_configured_is_unavailable_not_a_crash(root_pem: bytes) -> None:
    with pytest.raises(TimestampUnavailable, match="no time-stamping authority"):
        request_token(entry_digest("x"), [], [root_pem])


def test_tsa_stopped_then_back(tmp_path: Path) -> None:
    """Stopped: the request fails cleanly (the caller queues it). Restarted on the same port
    with the same identity: the queued hash is stamped and verifies against the same anchor."""
    server = TsaServer(tmp_path / "tsa").start()
    url, root = server.url, server.trust_anchor_path.read_bytes()
    digest = entry_digest("queued")
    try:
        server.stop()
        with pytest.raises(TimestampUnavailable) as caught:
            request_token(digest, [url], [root], timeout=2)
        assert caught.value.attempts[0].code == "connection-refused"
        server.start()
        assert server.url == url
        result = request_token(digest, [url], [root], timeout=5)
        assert verify_token(result.token_der, digest, [root]).message_imprint == digest.hex()
    finally:
        server.stop()


def test_untrusted_tsa_is_skipped_with_its_finding(
    tsa: TsaServer, tmp_path: Path, root_pem: bytes
) -> None:
    with TsaServer(tmp_path / "other") as stranger:
        with pytest.raises(TimestampUnavailable) as caught:
            request_token(entry_digest("x"), [stranger.url], [root_pem], timeout=5)
        attempt = caught.value.attempts[0]
        assert (attempt.code, attempt.token_code) == ("token-invalid", "tsa-untrusted")
        result = request_token(entry_digest("x"), [stranger.url, tsa.url], [root_pem], timeout=5)
    assert result.url == tsa.url and result.failures[0].token_code == "tsa-untrusted"


def test_tsa_without_critical_eku_over_http(tmp_path: Path) -> None:
    identity = make_identity(tmp_path / "noneku", eku="noncritical")
    authority = TimeStampAuthority(identity, strict=False)
    root = identity.root_path.read_bytes()
    with TsaServer(authority=authority) as server, pytest.raises(TimestampUnavailable) as caught:
        request_token(entry_digest("x"), [server.url], [root], timeout=5)
    assert caught.value.attempts[0].token_code == "tsa-eku-missing"


def test_bad_inputs_are_input_errors(tsa: TsaServer, root_pem: bytes) -> None:
    with pytest.raises(InputError):
        request_token(b"short", [tsa.url], [root_pem])
    with pytest.raises(InputError):
        request_token(entry_digest("x"), [tsa.url], [b"not a certificate"])
    with pytest.raises(InputError):
        request_token(entry_digest("x"), [tsa.url], [])
    assert not issubclass(InputError, TokenError)
