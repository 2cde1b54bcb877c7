"""The WACZ Signing and Verification recommendation's ``signedData`` (format 2), so that
web-archive tools (ReplayWeb.page / wabac.js) show the package as signed.

wabac.js verifies ECDSA with SHA-256 over the UTF-8 bytes of the ``hash`` string
(``sha256:<hex>`` of datapackage.json), the signature in raw ``r||s`` form (base64). A bare
``publicKey`` must be P-384 there, so the officer's P-256 key signs in the certificate form:
``domain`` (shown as "observed by") and ``domainCert`` (PEM, leaf first, certificates
separated by a blank line). Quzheng's own signature (DER, over the datapackage.json bytes)
stays in the ``quzheng`` object; both are checked by the verifier (M4).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from forensics.identity import Signer

_P256_BYTES = 32


def signed_data(signer: Signer, dp_hash: str, created: str, software: str) -> dict[str, str]:
    """``signedData`` over ``dp_hash`` (``sha256:<hex>``), signed by ``signer``."""
    der = base64.b64decode(signer.sign(dp_hash.encode("utf-8"))["value"])
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")
    officer = signer.officer
    pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in officer.chain]
    return {
        "hash": dp_hash,
        "created": created,
        "software": software,
        "signature": base64.b64encode(raw).decode(),
        "domain": f"{officer.profile.agency} {officer.profile.name} ({officer.profile.badge})",
        "domainCert": "\n".join(pems),
    }


def signed_data_problem(sd: Any, dp_hash: str, created: Any, cert: x509.Certificate) -> str:
    """Why ``sd`` does not vouch for ``dp_hash`` by the key of ``cert`` ('' when it does)."""
    if not isinstance(sd, dict):
        return "signedData is missing"
    if sd.get("hash") != dp_hash:
        return "signedData names another datapackage.json hash"
    if sd.get("created") != created:
        return "signedData's created time differs from datapackage.json's"
    pem = sd.get("domainCert")
    try:
        leaf = x509.load_pem_x509_certificate(str(pem).split("\n\n")[0].encode())
    except ValueError:
        return "signedData's domainCert is not a certificate"
    if leaf != cert:
        return "signedData's certificate is not the exporting officer's"
    try:
        raw = base64.b64decode(str(sd.get("signature")), validate=True)
    except (binascii.Error, ValueError):
        return "signedData's signature is not base64"
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or len(raw) != 2 * _P256_BYTES:
        return "signedData's signature is not a raw P-256 signature"
    der = encode_dss_signature(
        int.from_bytes(raw[:_P256_BYTES], "big"), int.from_bytes(raw[_P256_BYTES:], "big")
    )
    try:
        key.verify(der, dp_hash.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "signedData's signature is not valid"
    return ""
