"""The recording proxy's own certificate authority, one per installation.

mitmproxy signs a certificate for every site the browser visits with this CA. The browser
trusts it through Chromium's ``--ignore-certificate-errors-spki-list`` (the SPKI hash below),
never through the system store, so nothing outside a capture session trusts it. The key is
readable by the user alone (mode 0600, folder 0700).

The files keep mitmproxy's names (``mitmproxy-ca.pem`` = key and certificate,
``mitmproxy-ca-cert.pem`` = certificate only) because mitmproxy reads them from ``confdir``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from forensics.errors import CaptureError

CA_BASENAME: Final = "mitmproxy"
CA_ORGANIZATION: Final = "Quzheng"
CA_COMMON_NAME: Final = "Quzheng capture proxy CA"
_KEY_FILES: Final = (f"{CA_BASENAME}-ca.pem", f"{CA_BASENAME}-ca.p12")


@dataclass(frozen=True)
class CaInfo:
    """The proxy CA as the record discloses it (REQUIREMENTS.md §B3)."""

    cert_path: Path
    """The certificate alone (PEM): what a client trusts."""
    key_path: Path
    """Key and certificate (PEM), mode 0600: only mitmproxy reads it."""
    sha256: str
    """SHA-256 of the certificate's DER, lowercase hex."""
    spki_sha256_b64: str
    """Base64 SHA-256 of the SubjectPublicKeyInfo, as Chromium's SPKI allow-list wants it."""
    subject: str
    not_after: str


def ca_info_from_pem(cert_path: Path, key_path: Path) -> CaInfo:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return CaInfo(
        cert_path=cert_path,
        key_path=key_path,
        sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
        spki_sha256_b64=base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii"),
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _owner_only(path: Path, mode: int) -> None:
    # POSIX only: on Windows chmod can only toggle read-only, and the user profile's ACL
    # already keeps other users out.
    if os.name != "posix":
        return
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)


def ensure_ca(confdir: Path) -> CaInfo:
    """Create the per-installation CA in ``confdir`` if missing; tighten its permissions.

    Raises ``CaptureError`` when the folder cannot be written or the CA files are unreadable.
    """
    try:
        confdir.mkdir(parents=True, exist_ok=True)
        _owner_only(confdir, 0o700)
        key_path = confdir / f"{CA_BASENAME}-ca.pem"
        cert_path = confdir / f"{CA_BASENAME}-ca-cert.pem"
        if not key_path.exists():
            # Imported here: mitmproxy is heavy and the app only needs it on first start.
            from mitmproxy.certs import CertStore

            CertStore.create_store(
                confdir,
                CA_BASENAME,
                2048,
                organization=CA_ORGANIZATION,
                cn=CA_COMMON_NAME,
            )
        for name in _KEY_FILES:
            if (confdir / name).exists():
                _owner_only(confdir / name, 0o600)
        if not cert_path.exists():
            # The key file holds the certificate too; mitmproxy only needs the key file, but
            # clients need the certificate alone.
            cert = x509.load_pem_x509_certificate(key_path.read_bytes())
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return ca_info_from_pem(cert_path, key_path)
    except (OSError, ValueError) as exc:
        raise CaptureError(
            f"The capture proxy's certificate authority in {confdir} cannot be created or "
            f"read: {exc}",
            f"无法创建或读取抓包代理的证书颁发机构（{confdir}）：{exc}",
        ) from exc


def system_trust_file() -> Path:
    """The trust anchors used for upstream servers in real use.

    OpenSSL's default CA file when the OS has one (Debian, Fedora…), else certifi's Mozilla
    bundle (mitmproxy's own default; Windows and macOS have no PEM file to read).
    """
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    import certifi

    return Path(certifi.where())
