"""Private keys encrypted at rest under a memory-hard KDF, in a format OpenSSL reads.

A key file is a standard PKCS#8 ``EncryptedPrivateKeyInfo`` (PEM ``ENCRYPTED PRIVATE
KEY``): PBES2 (RFC 8018) with the scrypt KDF (RFC 7914 §7) and AES-256-CBC, exactly what
``openssl pkcs8 -topk8 -scrypt`` writes and ``openssl pkey -in key.pem`` reads. The
``cryptography`` package reads it; it cannot write it with a chosen cost (its PKCS#8 writer
always uses PBKDF2 at 2048 iterations), so the few DER fields are written here.

The cost, ``PRODUCTION_COST`` (N = 2^14, r = 8, p = 12: 16 MiB per lane, about half a
second), stays inside OpenSSL's default scrypt memory limit (32 MiB), so every OpenSSL ≥ 1.1
can open the file. ``needs_rewrap`` tells a key written under a weaker cost (or the old
PBKDF2 format) so it can be re-wrapped after an unlock.

``KEY_COST`` is what new keys get. Nothing in the program changes it and no environment
variable or setting reaches it; only the test suite lowers it (tests/conftest.py), in its
own process.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


@dataclass(frozen=True)
class ScryptCost:
    n: int  # CPU/memory cost, a power of two
    r: int  # block size
    p: int  # parallelisation (lanes, computed one after the other)

    def at_least(self, other: ScryptCost) -> bool:
        return self.n >= other.n and self.r >= other.r and self.p >= other.p


PRODUCTION_COST = ScryptCost(n=2**14, r=8, p=12)
KEY_COST = PRODUCTION_COST

_OID_PBES2 = "1.2.840.113549.1.5.13"
_OID_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_OID_PBKDF2 = "1.2.840.113549.1.5.12"
_OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
_PEM_LABEL = "ENCRYPTED PRIVATE KEY"


# -- DER, the few forms used here ------------------------------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _octets(value: bytes) -> bytes:
    return _tlv(0x04, value)


def _oid_body(dotted: str) -> bytes:
    arcs = [int(x) for x in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def _oid(dotted: str) -> bytes:
    return _tlv(0x06, _oid_body(dotted))


class _Der:
    """Reads one DER value after another; any surprise raises ValueError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def done(self) -> bool:
        return self.pos == len(self.data)

    def read(self, tag: int) -> bytes:
        d, i = self.data, self.pos
        if i + 2 > len(d) or d[i] != tag:
            raise ValueError("unexpected DER")
        n, i = d[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7F
            if not 1 <= k <= 4 or i + k > len(d):
                raise ValueError("bad DER length")
            n, i = int.from_bytes(d[i : i + k], "big"), i + k
        if i + n > len(d):
            raise ValueError("truncated DER")
        self.pos = i + n
        return d[i : i + n]

    def seq(self) -> _Der:
        return _Der(self.read(0x30))

    def int(self) -> int:
        raw = self.read(0x02)
        if not raw or raw[0] & 0x80:
            raise ValueError("not a positive INTEGER")
        return int.from_bytes(raw, "big")

    def oid(self) -> bytes:
        """The content of an OBJECT IDENTIFIER (compare with ``_oid_body``)."""
        return self.read(0x06)


# -- writing and judging -------------------------------------------------------------------


def wrap_key(key: ec.EllipticCurvePrivateKey, passphrase: str) -> bytes:
    """``key`` as an encrypted PKCS#8 PEM under scrypt at ``KEY_COST`` and AES-256-CBC."""
    cost = KEY_COST
    salt, iv = os.urandom(16), os.urandom(16)
    kek = Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p).derive(
        passphrase.encode("utf-8")
    )
    plain = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(kek), modes.CBC(iv)).encryptor()
    blob = enc.update(padded) + enc.finalize()
    der = _seq(
        _seq(
            _oid(_OID_PBES2),
            _seq(
                _seq(
                    _oid(_OID_SCRYPT),
                    _seq(_octets(salt), _int(cost.n), _int(cost.r), _int(cost.p), _int(32)),
                ),
                _seq(_oid(_OID_AES256_CBC), _octets(iv)),
            ),
        ),
        _octets(blob),
    )
    b64 = base64.b64encode(der).decode("ascii")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "\n".join(
        [f"-----BEGIN {_PEM_LABEL}-----", *lines, f"-----END {_PEM_LABEL}-----", ""]
    ).encode("ascii")


@dataclass(frozen=True)
class KeyKdf:
    """How an encrypted PKCS#8 key file derives its key: ``scrypt`` (with ``scrypt``'s cost)
    or ``pbkdf2`` (with ``iterations``)."""

    name: str
    scrypt: ScryptCost | None = None
    iterations: int | None = None


def key_kdf(pem: bytes) -> KeyKdf | None:
    """The KDF of an encrypted PKCS#8 PEM key, or None when it is not PBES2 with scrypt or
    PBKDF2 (or not readable as one)."""
    try:
        text = pem.decode("ascii")
        begin, end = f"-----BEGIN {_PEM_LABEL}-----", f"-----END {_PEM_LABEL}-----"
        body = text[text.index(begin) + len(begin) : text.index(end)]
        der = base64.b64decode("".join(body.split()), validate=True)
        alg = _Der(der).seq().seq()
        if alg.oid() != _oid_body(_OID_PBES2):
            return None
        kdf = alg.seq().seq()
        kdf_oid = kdf.oid()
        params = kdf.seq()
        params.read(0x04)  # salt
        if kdf_oid == _oid_body(_OID_SCRYPT):
            return KeyKdf("scrypt", scrypt=ScryptCost(params.int(), params.int(), params.int()))
        if kdf_oid == _oid_body(_OID_PBKDF2):
            return KeyKdf("pbkdf2", iterations=params.int())
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def needs_rewrap(pem: bytes) -> bool:
    """True unless the key file is under scrypt at least as costly as ``KEY_COST``."""
    kdf = key_kdf(pem)
    return kdf is None or kdf.scrypt is None or not kdf.scrypt.at_least(KEY_COST)
