"""Private ASN.1 helpers shared by the TSA and the verifier: OIDs, hashes, small encoders."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Final

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

OID_SIGNED_DATA: Final = "1.2.840.113549.1.7.2"
OID_TST_INFO: Final = "1.2.840.113549.1.9.16.1.4"
OID_CONTENT_TYPE: Final = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST: Final = "1.2.840.113549.1.9.4"
OID_SIGNING_CERTIFICATE: Final = "1.2.840.113549.1.9.16.2.12"  # ESSCertID (SHA-1), RFC 2634
OID_SIGNING_CERTIFICATE_V2: Final = "1.2.840.113549.1.9.16.2.47"  # ESSCertIDv2, RFC 5035

# Digest algorithms by OID: (hashlib name, digest length). SHA-1 and MD5 are refused for
# imprints and signatures; SHA-1 is only read inside ESSCertID v1, where RFC 2634 fixes it.
DIGESTS: Final[dict[str, tuple[str, int]]] = {
    "2.16.840.1.101.3.4.2.1": ("sha256", 32),
    "2.16.840.1.101.3.4.2.2": ("sha384", 48),
    "2.16.840.1.101.3.4.2.3": ("sha512", 64),
    "1.2.156.10197.1.401": ("sm3", 32),
}
OID_SHA256: Final = "2.16.840.1.101.3.4.2.1"
OID_SHA1: Final = "1.3.14.3.2.26"

# Signature algorithms we verify: OID -> (key type, hashlib name or None = the digest algorithm).
SIGNATURES: Final[dict[str, tuple[str, str | None]]] = {
    "1.2.840.10045.4.3.2": ("ec", "sha256"),
    "1.2.840.10045.4.3.3": ("ec", "sha384"),
    "1.2.840.10045.4.3.4": ("ec", "sha512"),
    "1.2.840.10045.2.1": ("ec", None),  # id-ecPublicKey, as some signers write it
    "1.2.840.113549.1.1.11": ("rsa", "sha256"),
    "1.2.840.113549.1.1.12": ("rsa", "sha384"),
    "1.2.840.113549.1.1.13": ("rsa", "sha512"),
    "1.2.840.113549.1.1.1": ("rsa", None),  # rsaEncryption: hash from digestAlgorithm
}

# PKIFailureInfo bits (RFC 3161 §2.4.2), by asn1crypto's names.
FAIL_INFO_TEXT: Final[dict[str, str]] = {
    "bad_alg": "unrecognized or unsupported hash algorithm",
    "bad_request": "transaction not permitted or supported",
    "bad_data_format": "the data submitted has the wrong format",
    "time_not_available": "the TSA's time source is not available",
    "unaccepted_policy": "the requested TSA policy is not supported",
    "unaccepted_extensions": "the requested extension is not supported",
    "add_info_not_available": "the additional information requested is not available",
    "system_failure": "the request cannot be handled due to system failure",
}

STATUS_TEXT: Final[dict[int, str]] = {
    0: "granted",
    1: "grantedWithMods",
    2: "rejection",
    3: "waiting",
    4: "revocationWarning",
    5: "revocationNotification",
}


def digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element with a single-byte tag."""
    return bytes([tag]) + der_length(len(content)) + content


def der_uint(n: int) -> bytes:
    """A non-negative INTEGER, minimal two's complement."""
    if n < 0:
        raise ValueError("negative")
    return tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def der_generalized_time(t: datetime) -> bytes:
    """GeneralizedTime as RFC 3161 §2.4.2 wants it: UTC, "Z", fraction without trailing
    zeros and no dot when the fraction is zero."""
    t = t.astimezone(UTC)
    text = t.strftime("%Y%m%d%H%M%S")
    if t.microsecond:
        text += "." + f"{t.microsecond:06d}".rstrip("0")
    return tlv(0x18, (text + "Z").encode("ascii"))


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode("ascii")


def load_certificates(blobs: object) -> list[x509.Certificate]:
    """Certificates from PEM (one or many per blob), DER, or certificate objects; a single
    blob may be given instead of a sequence. Raises ValueError."""
    if isinstance(blobs, bytes | bytearray | x509.Certificate):
        blobs = [blobs]
    if not isinstance(blobs, list | tuple):
        raise ValueError("expected a sequence of certificates")
    out: list[x509.Certificate] = []
    for blob in blobs:
        if isinstance(blob, x509.Certificate):
            out.append(blob)
        elif isinstance(blob, bytes | bytearray):
            data = bytes(blob)
            if data.lstrip().startswith(b"-----BEGIN"):
                out.extend(x509.load_pem_x509_certificates(data))
            else:
                out.append(x509.load_der_x509_certificate(data))
        else:
            raise ValueError(f"not a certificate: {type(blob).__name__}")
    return out


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp. asn1crypto's own spec makes the token mandatory; it is not
    (a rejection carries none)."""

    _fields: Final = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]
