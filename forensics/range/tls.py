"""The range's own certificate authority and server certificate.

The range CA is separate from the recording proxy's CA and from every officer key: it is
made once into ``<data_dir>/tls/`` and reused, and name constraints limit it to
``range.test``, ``localhost`` and 127.0.0.0/8, so trusting it can never vouch for a real
site. The server certificate covers ``range.test``, ``*.range.test``, ``localhost`` and
127.0.0.1; it is renewed when missing, near expiry or not issued by the current CA.
Certificate validity uses the real clock, never the range's injected one: TLS clients check
it against theirs.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensics.atomic import write_atomic
from forensics.keyusage import key_usage
from forensics.range.content import DOMAIN
from forensics.range.errors import RangeError

CA_CERT_NAME = "range-ca.pem"
CA_KEY_NAME = "range-ca.key"
SERVER_CERT_NAME = "server.pem"
SERVER_KEY_NAME = "server.key"

_CA_DAYS = 3650
_SERVER_DAYS = 90
_RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class RangeTLS:
    ca_cert_path: Path
    server_cert_path: Path
    server_key_path: Path


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _make_ca(now: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Quzheng practice range"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Quzheng Practice Range CA 取证演练靶场根证书"),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            key_usage(ca=True),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(
                permitted_subtrees=[
                    x509.DNSName(DOMAIN),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
                ],
                excluded_subtrees=None,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_server(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"*.{DOMAIN}")]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=_SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            key_usage(sign=True),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(DOMAIN),
                    x509.DNSName(f"*.{DOMAIN}"),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _load_ca(
    cert_path: Path, key_path: Path
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise RangeError(
            f"cannot read the range CA in {cert_path.parent}: {exc}",
            f"无法读取靶场根证书（{cert_path.parent}）：{exc}",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise RangeError(
            f"the range CA key in {key_path} does not match its certificate",
            f"靶场根证书私钥（{key_path}）与证书不匹配",
        )
    return key, cert


def _server_is_current(
    cert_path: Path, key_path: Path, ca_cert: x509.Certificate, now: dt.datetime
) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return False
    return key.public_key() == cert.public_key() and (
        cert.not_valid_after_utc - now > _RENEW_BEFORE
    )


def ensure_tls(data_dir: Path) -> RangeTLS:
    """The range CA (made on first use) and a current server certificate, as files."""
    tls_dir = data_dir / "tls"
    ca_cert_path, ca_key_path = tls_dir / CA_CERT_NAME, tls_dir / CA_KEY_NAME
    cert_path, key_path = tls_dir / SERVER_CERT_NAME, tls_dir / SERVER_KEY_NAME
    now = dt.datetime.now(dt.UTC)
    try:
        tls_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if ca_cert_path.exists() and ca_key_path.exists():
            ca_key, ca_cert = _load_ca(ca_cert_path, ca_key_path)
        else:
            ca_key, ca_cert = _make_ca(now)
            write_atomic(ca_key_path, _key_pem(ca_key), private=True)
            write_atomic(
                ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM), private=True
            )
        if ca_cert.not_valid_after_utc - now < _RENEW_BEFORE:
            raise RangeError(
                f"the range CA in {ca_cert_path} expires soon: delete {tls_dir} to make a new one",
                f"靶场根证书（{ca_cert_path}）即将过期：删除 {tls_dir} 后重新生成",
            )
        if not _server_is_current(cert_path, key_path, ca_cert, now):
            key, cert = _make_server(ca_key, ca_cert, now)
            write_atomic(key_path, _key_pem(key), private=True)
            write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=True)
    except OSError as exc:
        raise RangeError(
            f"cannot write the range certificates in {tls_dir}: {exc}",
            f"无法写入靶场证书（{tls_dir}）：{exc}",
        ) from exc
    return RangeTLS(ca_cert_path, cert_path, key_path)
