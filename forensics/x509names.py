"""Names of certificates that may come from anyone — a timestamp token, a received package,
a web server — read and compared without trusting them to be well formed.

``cryptography`` builds a certificate's ``subject``/``issuer`` lazily and *warns* (a
``UserWarning`` on stderr, an error under a strict test run) when an attribute breaks its
length rule, e.g. a countryName that is not two letters; a single changed byte in a
certificate's name can do that. These helpers never build such a name: they read the DER
with asn1crypto, compare names the way RFC 5280 does, and print them as RFC 4514 text,
or asn1crypto's readable form when the name is not well formed.
"""

from __future__ import annotations

import functools

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

UNREADABLE = "(unreadable name)"


@functools.lru_cache(maxsize=256)
def _tbs_names(cert_der: bytes) -> tuple[bytes, bytes]:
    tbs = asn1_x509.Certificate.load(cert_der)["tbs_certificate"]
    return bytes(tbs["issuer"].dump()), bytes(tbs["subject"].dump())


def _names(cert: x509.Certificate) -> tuple[bytes, bytes] | None:
    """(issuer DER, subject DER), or None if asn1crypto cannot read the certificate."""
    try:
        return _tbs_names(cert.public_bytes(Encoding.DER))
    except Exception:  # asn1crypto raises many types on malformed input
        return None


@functools.lru_cache(maxsize=256)
def name_key(name_der: bytes) -> str:
    """asn1crypto's RFC 5280 comparison form of a Name (stringprep is slow: cached)."""
    return str(asn1_x509.Name.load(name_der, strict=True).hashable)


def same_name(a_der: bytes, b_der: bytes) -> bool:
    """RFC 5280 name equality; a name that cannot be read equals nothing but its own bytes."""
    if a_der == b_der:
        return True
    try:
        return name_key(a_der) == name_key(b_der)
    except Exception:  # asn1crypto raises many types on malformed input
        return False


@functools.lru_cache(maxsize=256)
def name_text(name_der: bytes) -> str:
    """RFC 4514 text of a Name (``CN=…,O=…``); asn1crypto's readable form if an attribute
    breaks its rules (cryptography then refuses it instead of warning)."""
    try:
        name = asn1_x509.Name.load(name_der)
        rdns = []
        for rdn in name.chosen:
            attributes = []
            for pair in rdn:
                value = pair["value"].native
                if not isinstance(value, str):
                    raise ValueError("not a string attribute")
                attributes.append(
                    x509.NameAttribute(x509.ObjectIdentifier(pair["type"].dotted), value)
                )
            rdns.append(x509.RelativeDistinguishedName(attributes))
        return x509.Name(rdns).rfc4514_string()
    except Exception:  # cryptography refuses the attribute, or asn1crypto the DER
        pass
    try:
        return str(asn1_x509.Name.load(name_der).human_friendly)
    except Exception:
        return UNREADABLE


def subject_text(cert: x509.Certificate) -> str:
    names = _names(cert)
    return UNREADABLE if names is None else name_text(names[1])


def issuer_text(cert: x509.Certificate) -> str:
    names = _names(cert)
    return UNREADABLE if names is None else name_text(names[0])


def issued_by_name(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """The child names the parent as its issuer (RFC 5280 name comparison); a signature
    check must still follow."""
    child_names, parent_names = _names(child), _names(parent)
    if child_names is None or parent_names is None:
        return False
    return same_name(child_names[0], parent_names[1])


def self_issued(cert: x509.Certificate) -> bool:
    """Issuer and subject are the same name (RFC 5280 §3.2)."""
    return issued_by_name(cert, cert)
