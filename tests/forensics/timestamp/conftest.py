"""Fixtures for trusted time: the built-in TSA over real HTTP on 127.0.0.1, foreign or
misconfigured TSA identities, and tiny misbehaving servers at the edge of the outside world."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensics.timestamp.tsa import TimeStampAuthority, TsaIdentity, TsaServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def entry_digest(label: str) -> bytes:
    """Stands in for an entry hash (SHA-256 of an entry's canonical bytes)."""
    return hashlib.sha256(f'{{"kind":"test","label":"{label}"}}'.encode()).digest()


@pytest.fixture
def root_pem(tsa: TsaServer) -> bytes:
    return tsa.trust_anchor_path.read_bytes()


# ------------------------------------------------------------------ hand-made identities


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_root(
    cn: str = "Test Root", *, not_before: dt.datetime | None = None, days: int = 3650
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or NOW - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_tsa_cert(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    root_key: ec.EllipticCurvePrivateKey,
    root: x509.Certificate,
    *,
    eku: str = "critical",
    serial: int | None = None,
    days: int = 365,
    cn: str = "Test TSA",
) -> x509.Certificate:
    """A TSA certificate; ``eku`` is "critical" (conforming), "noncritical" or "none"."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=days))
    )
    if eku != "none":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
            critical=eku == "critical",
        )
    return builder.sign(root_key, hashes.SHA256())


def make_identity(
    directory: Path, *, eku: str = "critical", rsa_key: bool = False, **root_kw: Any
) -> TsaIdentity:
    """A TSA identity made by hand (create_tsa_identity only ever makes conforming ECDSA
    ones): a chosen EKU, an RSA key, an old root."""
    directory.mkdir(parents=True, exist_ok=True)
    root_key, root = make_root(**root_kw)
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(65537, 2048)
        if rsa_key
        else ec.generate_private_key(ec.SECP256R1())
    )
    cert = make_tsa_cert(key, root_key, root, eku=eku)
    root_path = directory / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return TsaIdentity(key=key, cert=cert, chain=(cert, root), root_path=root_path)


def token_for(
    authority: TimeStampAuthority, digest: bytes, *, nonce: int | None = 7, cert_req: bool = True
) -> bytes:
    """One token straight from an authority (no HTTP), for verifier tests."""
    from forensics.timestamp.token_check import token_from_response

    fields: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "cert_req": cert_req,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    return token_from_response(authority.respond(tsp.TimeStampReq(fields).dump()))


# ------------------------------------------------------------------ misbehaving servers


@dataclass
class BadServer:
    url: str
    hits: list[str]


def _rejection(text: str) -> bytes:
    """A rejection as a foreign TSA would send it: status 2, failInfo systemFailure."""
    from forensics.timestamp._der import TimeStampResp

    resp = TimeStampResp(
        {
            "status": {
                "status": "rejection",
                "status_string": [text],
                "fail_info": tsp.PKIFailureInfo({"system_failure"}),
            }
        }
    )
    return bytes(resp.dump())


@pytest.fixture
def bad_server() -> Iterator[Callable[[str], BadServer]]:
    """Start a tiny HTTP server that answers every POST in one bad way:
    "garbage", "http-500", "slow" (waits past any client timeout), "rejection"."""
    servers: list[ThreadingHTTPServer] = []
    threads: list[threading.Thread] = []
    release = threading.Event()  # frees "slow" handlers at teardown

    def start(behaviour: str) -> BadServer:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hits.append(behaviour)
                if behaviour == "slow":
                    release.wait(10)
                    return
                if behaviour == "http-500":
                    status, body = 500, b"internal error"
                elif behaviour == "garbage":
                    status, body = 200, b"<html>not a time-stamp</html>"
                else:
                    status, body = 200, _rejection("TSA overloaded, try later")
                self.send_response(status)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = False
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        servers.append(httpd)
        threads.append(thread)
        return BadServer(f"http://127.0.0.1:{httpd.server_port}/", hits)

    yield start
    release.set()
    for httpd, thread in zip(servers, threads, strict=True):
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
