"""The built-in TSA: identity files, answers to good and bad requests, the HTTP surface,
and ``serve`` (what ``quzheng tsa serve`` runs)."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import stat
import threading
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from forensics.errors import InputError
from forensics.timestamp import parse_response, request_token, verify_token
from forensics.timestamp.command import serve
from forensics.timestamp.token_check import token_from_response
from forensics.timestamp.tsa import (
    CHAIN_FILE,
    KEY_FILE,
    ROOT_FILE,
    ROOT_KEY_FILE,
    TimeStampAuthority,
    TsaServer,
    create_tsa_identity,
)

from .conftest import entry_digest


def test_identity_is_written_once_with_private_keys_closed(tmp_path: Path) -> None:
    first = create_tsa_identity(tmp_path / "tsa")
    for name in (KEY_FILE, ROOT_KEY_FILE):
        assert stat.S_IMODE((tmp_path / "tsa" / name).stat().st_mode) == 0o600
    eku = first.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert first.root.subject.rfc4514_string() == "CN=Quzheng TSA Root"
    assert first.chain[0] == first.cert and first.root_path.name == ROOT_FILE
    first.cert.verify_directly_issued_by(first.root)

    again = create_tsa_identity(tmp_path / "tsa", name="ignored on reuse")
    assert again.cert == first.cert and again.root == first.root


def test_incomplete_identity_is_refused_not_overwritten(tmp_path: Path) -> None:
    create_tsa_identity(tmp_path / "tsa")
    (tmp_path / "tsa" / CHAIN_FILE).unlink()
    with pytest.raises(InputError, match="incomplete"):
        create_tsa_identity(tmp_path / "tsa")


def _request(digest: bytes, **fields: object) -> bytes:
    base: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "cert_req": True,
    }
    base.update(fields)
    return bytes(tsp.TimeStampReq(base).dump())


@pytest.mark.parametrize(
    ("request_der", "fail"),
    [
        (b"garbage", "bad_data_format"),
        (_request(b"\x00" * 20), "bad_data_format"),  # a SHA-256 imprint of 20 bytes
        (
            bytes(
                tsp.TimeStampReq(
                    {
                        "version": "v1",
                        "message_imprint": {
                            "hash_algorithm": {"algorithm": "sha1"},
                            "hashed_message": b"\x00" * 20,
                        },
                    }
                ).dump()
            ),
            "bad_alg",
        ),
        (_request(b"\x00" * 32, req_policy="1.2.3.4"), "unaccepted_policy"),
        (_request(b"\x00" * 32, version=2), "bad_request"),
    ],
    ids=["garbage", "short-imprint", "sha1", "foreign-policy", "version-2"],
)
def test_bad_requests_are_rejected_with_fail_info(
    tmp_path: Path, request_der: bytes, fail: str
) -> None:
    authority = TimeStampAuthority(create_tsa_identity(tmp_path / "tsa"))
    status, token = parse_response(authority.respond(request_der))
    assert (status.status, token, status.fail_info) == (2, None, (fail,))
    assert status.text


def test_imprint_is_copied_byte_for_byte(tmp_path: Path) -> None:
    """A request whose hash AlgorithmIdentifier has no NULL parameters gets exactly that
    imprint back (RFC 3161 §2.4.2), though asn1crypto would normalise it."""
    identity = create_tsa_identity(tmp_path / "tsa")
    digest = entry_digest("imprint")
    oid = bytes.fromhex("0609608648016503040201")  # sha256, no parameters
    imprint = b"\x30\x2f\x30\x0b" + oid + b"\x04\x20" + digest
    body = b"\x02\x01\x01" + imprint + b"\x01\x01\xff"  # version 1, imprint, certReq TRUE
    request = b"\x30" + bytes([len(body)]) + body
    token = token_from_response(TimeStampAuthority(identity).respond(request))
    assert imprint in token
    verify_token(token, digest, [identity.root_path.read_bytes()])


def test_clock_stepping_back_is_refused_not_papered_over(tmp_path: Path) -> None:
    identity = create_tsa_identity(tmp_path / "tsa")
    start = dt.datetime.now(dt.UTC)
    clock = [start, start - dt.timedelta(seconds=5), start + dt.timedelta(seconds=1)]
    authority = TimeStampAuthority(identity, now=lambda: clock.pop(0))
    answers = [parse_response(authority.respond(_request(entry_digest("t")))) for _ in range(3)]
    assert [a[0].status for a in answers] == [0, 2, 0]
    assert answers[1][0].fail_info == ("time_not_available",)
    assert authority.issued == 2


def _post(url: str, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, str]:
    parts = url.split("/")[2].split(":")
    conn = http.client.HTTPConnection(parts[0], int(parts[1]), timeout=5)
    try:
        conn.request(method, "/", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_http_surface_answers_only_timestamp_queries(tsa: TsaServer, root_pem: bytes) -> None:
    good = {"Content-Type": "application/timestamp-query"}
    assert _post(tsa.url, b"", {}, method="GET")[0] == 405
    assert _post(tsa.url, b"", {}, method="HEAD") == (405, "")
    status, text = _post(tsa.url, b"x", {"Content-Type": "text/plain"})
    assert status == 415 and "application/timestamp-query" in text
    assert _post(tsa.url, b"x" * 20_000, good)[0] == 413
    # A garbage body of the right type is answered in RFC 3161 terms, not HTTP ones.
    assert _post(tsa.url, b"garbage", good)[0] == 200
    # And the server still serves.
    request_token(entry_digest("after abuse"), [tsa.url], [root_pem], timeout=5)


def test_server_binds_loopback_and_requires_one_identity_source(tmp_path: Path) -> None:
    with TsaServer(tmp_path / "tsa") as server:
        assert server.url.startswith("http://127.0.0.1:")
    with pytest.raises(InputError):
        TsaServer()


def test_port_in_use_is_a_clear_error(tsa: TsaServer, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot listen"):
        TsaServer(tmp_path / "other", port=tsa.port).start()


class _Out(io.StringIO):
    """Captures serve()'s output and signals once it has printed its URL."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = threading.Event()

    def write(self, s: str) -> int:
        n = super().write(s)
        if "Ctrl-C" in s:
            self.ready.set()
        return n


def test_serve_prints_url_and_anchor_and_stops(tmp_path: Path) -> None:
    out, stop = _Out(), threading.Event()
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(serve(0, tmp_path / "tsa", out=out, stop=stop))
    )
    thread.start()
    try:
        assert out.ready.wait(10)
        text = out.getvalue()
        url = text.split("listening at ")[1].split()[0]
        anchor = tmp_path / "tsa" / ROOT_FILE
        assert "内置时间戳服务" in text and str(anchor) in text
        request_token(entry_digest("served"), [url], [anchor.read_bytes()], timeout=5)
    finally:
        stop.set()
        thread.join(10)
    assert codes == [0]
    assert "1 tokens issued" in out.getvalue()
