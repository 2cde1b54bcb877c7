"""Certificate names read without cryptography's warnings (forensics/x509names.py)."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from forensics.x509names import (
    UNREADABLE,
    issued_by_name,
    issuer_text,
    name_text,
    same_name,
    self_issued,
    subject_text,
)

KEY = ec.generate_private_key(ec.SECP256R1())


def certificate(subject: x509.Name, issuer: x509.Name | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(KEY, hashes.SHA256())
    )


WELL_FORMED = [
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quzheng TSA Root")]),
    x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "上海市"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "示例市市场监督管理局"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "执法, 稽查 + 取证"),
            x509.NameAttribute(NameOID.COMMON_NAME, "#张明 <31000001>"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "zhang@example.gov.cn"),
        ]
    ),
    x509.Name(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "a"),
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, "31000002"),
                ]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, " b ")]),
        ]
    ),
]


@pytest.mark.parametrize("name", WELL_FORMED, ids=["cn", "many", "multi-valued"])
def test_well_formed_names_read_as_cryptography_reads_them(name: x509.Name) -> None:
    cert = certificate(name)
    assert subject_text(cert) == cert.subject.rfc4514_string()
    assert issuer_text(cert) == cert.issuer.rfc4514_string()
    assert self_issued(cert)


def test_names_compare_as_rfc_5280_says() -> None:
    upper = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quzheng  CA")])
    lower = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "quzheng ca")])
    other = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another CA")])
    root = certificate(upper)
    assert issued_by_name(certificate(other, issuer=lower), root)  # case and spaces fold
    assert not issued_by_name(certificate(other, issuer=other), root)
    assert not self_issued(certificate(other, issuer=upper))
    assert same_name(upper.public_bytes(), lower.public_bytes())
    assert not same_name(upper.public_bytes(), b"\x30\x03garbage")


def test_a_malformed_name_is_read_without_a_warning() -> None:
    # A countryName must be two letters; one changed byte in a certificate can turn a
    # commonName into one. cryptography warns when it builds such a name.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = x509.Name(
            [x509.NameAttribute(NameOID.COUNTRY_NAME, "Quzheng TSA Root", _validate=False)]
        )
        cert = certificate(bad)
    # The strict test configuration turns any warning below into an error.
    text = subject_text(cert)
    assert "Quzheng TSA Root" in text
    assert issuer_text(cert) == text
    assert self_issued(cert)


def test_garbage_is_unreadable_not_an_exception() -> None:
    assert name_text(b"\x30\x05\x31\x03\x30\x01\x00") == UNREADABLE  # a broken RDN
    assert name_text(b"not der") == UNREADABLE
    assert name_text(b"\x30\x00") == ""  # an empty name is a name
