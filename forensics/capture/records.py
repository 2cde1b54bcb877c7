"""The record format: how mitmproxy's HTTP messages and connections are written in WARC.

- HTTP/2 and HTTP/3 messages are stored HTTP/1.1-style (as warcprox and browsertrix do): a
  request line or status line and the header fields as received; ``:authority`` becomes a
  ``Host`` field when the request has none (RFC 9113 §8.3.1). ``WARC-Protocol`` names the
  real protocol. Bodies are byte-exact as received, content-encoding kept. mitmproxy has
  already removed chunked transfer framing, so a ``Transfer-Encoding`` field is renamed
  ``X-Archive-Orig-Transfer-Encoding`` (the pywb convention) to keep the record parseable.
- The connection is described by ``WARC-IP-Address``, ``WARC-Protocol`` (HTTP, then TLS)
  and ``WARC-Cipher-Suite`` under its IANA name.
- A certificate chain is recorded as JSON (PEM, SHA-256, names, validity); a certificate
  that cannot be parsed is recorded as such.

The records themselves (which record, when, linked to what) are planned by ``addon``;
the WARC framing and segments are ``warc``.
"""

from __future__ import annotations

import http
from typing import Any, Final

# OpenSSL names the TLS 1.2 suites its own way; WARC-Cipher-Suite wants the IANA name.
# TLS 1.3 names are already IANA names. An unknown suite is recorded under OpenSSL's name.
_IANA_CIPHERS: Final = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-ECDSA-AES256-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-RSA-AES256-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "DHE-RSA-AES256-GCM-SHA384": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
}

_HTTP_PROTOCOLS: Final = {
    "HTTP/2.0": "h2",
    "HTTP/3": "h3",
    "HTTP/1.1": "http/1.1",
    "HTTP/1.0": "http/1.0",
    "HTTP/0.9": "http/0.9",
}


def _header_block(first_line: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    out = [first_line, b"\r\n"]
    for name, value in fields:
        if name.lower() == b"transfer-encoding":
            name = b"X-Archive-Orig-Transfer-Encoding"
        out += [name, b": ", value, b"\r\n"]
    out.append(b"\r\n")
    return b"".join(out)


def request_head(req: Any) -> bytes:
    """The request as an HTTP/1.1-style header block (see module doc)."""
    version: str = req.http_version
    fields: list[tuple[bytes, bytes]] = list(req.headers.fields)
    if version.startswith("HTTP/1") or version == "HTTP/0.9":
        line_version: bytes = req.data.http_version
    else:
        line_version = b"HTTP/1.1"
        if not any(name.lower() == b"host" for name, _ in fields):
            authority: bytes = req.data.authority or req.host_header.encode("idna")
            fields.insert(0, (b"Host", authority))
    path: bytes = req.data.path
    return _header_block(req.data.method + b" " + path + b" " + line_version, fields)


def response_head(resp: Any) -> bytes:
    version: str = resp.http_version
    reason: bytes = resp.data.reason
    if version.startswith("HTTP/1"):
        line_version: bytes = resp.data.http_version
    else:
        line_version = b"HTTP/1.1"
    if not reason and not version.startswith("HTTP/1"):
        try:
            reason = http.HTTPStatus(resp.status_code).phrase.encode("ascii")
        except ValueError:
            reason = b""
    line = line_version + b" " + str(resp.status_code).encode("ascii")
    if reason:
        line += b" " + reason
    return _header_block(line, list(resp.headers.fields))


def sensitive_present(headers: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if n in headers)


def tls_protocol(version: str | None) -> str | None:
    if not version:
        return None
    # "TLSv1.3" -> "tls/1.3"
    return version.lower().replace("tlsv", "tls/").replace("sslv", "ssl/")


def connection_fields(server: Any, http_version: str | None) -> list[tuple[str, str]]:
    """WARC-IP-Address, WARC-Protocol (repeated: HTTP then TLS) and WARC-Cipher-Suite."""
    out: list[tuple[str, str]] = []
    peer = server.peername
    if peer:
        out.append(("WARC-IP-Address", str(peer[0])))
    if http_version:
        out.append(("WARC-Protocol", _HTTP_PROTOCOLS.get(http_version, http_version.lower())))
    if server.tls_established:
        tls = tls_protocol(server.tls_version)
        if tls:
            out.append(("WARC-Protocol", tls))
        if server.cipher:
            out.append(("WARC-Cipher-Suite", iana_cipher(server.cipher)))
    return out


def _cert_json(cert: Any) -> dict[str, object]:
    """``cert`` is a cryptography certificate (a web server's: its names may be malformed)."""
    from cryptography.hazmat.primitives import hashes, serialization

    from forensics.x509names import issuer_text, subject_text

    return {
        "pem": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "subject": subject_text(cert),
        "issuer": issuer_text(cert),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def chain_json(certs: Any) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for cert in certs or []:
        try:
            crypto = cert.to_cryptography()
        except Exception:  # a malformed upstream certificate is still recorded, as such
            out.append({"error": "certificate could not be parsed"})
            continue
        out.append(_cert_json(crypto))
    return out


def iana_cipher(name: str) -> str:
    """The IANA name of a cipher suite OpenSSL names its own way (unknown: OpenSSL's name)."""
    return _IANA_CIPHERS.get(name, name)
