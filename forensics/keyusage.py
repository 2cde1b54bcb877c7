"""Key usages of the certificates Quzheng makes (officers, agency CA, TSA, range)."""

from __future__ import annotations

from cryptography import x509


def key_usage(
    *, sign: bool = False, non_repudiation: bool = False, ca: bool = False
) -> x509.KeyUsage:
    """A KeyUsage with only the named bits: ``sign`` = digitalSignature,
    ``non_repudiation`` = contentCommitment, ``ca`` = keyCertSign and cRLSign."""
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
