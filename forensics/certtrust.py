"""Judging an officer's (or a seal's) certificate chain against the trust policy
(verifier guide §2.4, checks C2–C4; C1 is the loading in ``forensics.ledger_checks``).

A signature counts toward PASS only when its certificate chains to an agency CA the verifier
trusts, or a certificate of its chain is pinned by fingerprint. A chain that names a trusted
agency (its issuer name or its organisation) without being issued by that agency's CA is a
forgery (FAIL); any other chain is "trust not established" (or, for a training package the
policy accepts, a training identity).
"""

from __future__ import annotations

import itertools

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from forensics.errors import InputError
from forensics.identity import cert_key_fingerprint
from forensics.trust import TrustPolicy, cert_sha256, organization
from forensics.verdict import Collector, Severity, SignerFact
from forensics.x509names import issued_by_name, issuer_text, self_issued, subject_text


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    try:
        attrs = cert.subject.get_attributes_for_oid(oid)
    except ValueError:
        return ""
    return str(attrs[0].value) if attrs else ""


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if not issued_by_name(child, parent):
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _trusted_ca(
    chain: tuple[x509.Certificate, ...], policy: TrustPolicy
) -> x509.Certificate | None:
    top = chain[-1]
    for ca in policy.agency_cas:
        if cert_sha256(ca) == cert_sha256(top) and len(chain) > 1:
            return ca
        if _issued_by(top, ca):
            return ca
    return None


def _claimed_ca(
    chain: tuple[x509.Certificate, ...], policy: TrustPolicy
) -> x509.Certificate | None:
    """A trusted agency CA this chain names without being issued by it."""
    leaf = chain[0]
    agency = organization(leaf)
    for ca in policy.agency_cas:
        if any(issued_by_name(c, ca) for c in chain):
            return ca  # an issuer name copied from the trusted CA, not its signature
        if agency and agency == organization(ca):
            return ca  # the trusted agency's name on a certificate its CA did not issue
    return None


def judge_chain(
    subject: str,
    chain: tuple[x509.Certificate, ...],
    policy: TrustPolicy,
    training: bool,
    out: Collector,
    role: str = "officer",
) -> SignerFact:
    """Add the chain's findings to ``out``; return what is known of the signer."""
    leaf, top = chain[0], chain[-1]
    name = subject_text(leaf)
    try:
        key = cert_key_fingerprint(leaf)
    except InputError:
        key = ""
    fact = dict(
        name=_attr(leaf, NameOID.COMMON_NAME),
        badge=_attr(leaf, NameOID.SERIAL_NUMBER),
        agency=organization(leaf),
        key=key,
        cert_sha256=cert_sha256(leaf),
        ca_subject=subject_text(top) if len(chain) > 1 else "",
        ca_sha256=cert_sha256(top) if len(chain) > 1 else "",
        role=role,
    )
    for child, parent in itertools.pairwise(chain):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            out.add(
                "cert-chain-invalid",
                Severity.ERROR,
                subject,
                f"certificate chain of {name} is broken",
                f"{name} 的证书链无效",
            )
            return SignerFact(**fact, trusted_by="")
    if any(policy.is_pinned(c) for c in chain):
        out.add(
            "cert-trusted",
            Severity.INFO,
            subject,
            f"{name} is trusted by a pinned fingerprint",
            f"{name} 经指纹核对后受信任",
        )
        return SignerFact(**fact, trusted_by="pinned")
    ca = _trusted_ca(chain, policy)
    if ca is not None:
        out.add(
            "cert-trusted",
            Severity.INFO,
            subject,
            f"{name} is certified by the trusted agency CA {subject_text(ca)}",
            f"{name} 的证书由受信任的机构 CA 签发：{subject_text(ca)}",
        )
        return SignerFact(
            **{**fact, "ca_subject": subject_text(ca), "ca_sha256": cert_sha256(ca)},
            trusted_by="agency-ca",
        )
    claimed = _claimed_ca(chain, policy)
    if claimed is not None:
        out.add(
            "cert-agency-forged",
            Severity.ERROR,
            subject,
            f"{name} claims the trusted agency {subject_text(claimed)}, but that agency's CA "
            f"did not issue it (certificate SHA-256 {fact['cert_sha256']}): a forged identity",
            f"{name} 自称受信任机构 {subject_text(claimed)} 的人员，但该机构 CA 并未签发此证书"
            f"（证书 SHA-256 {fact['cert_sha256']}）：身份系伪造",
        )
        return SignerFact(**fact, trusted_by="forged")
    if training and policy.accept_training:
        out.add(
            "cert-training",
            Severity.INFO,
            subject,
            f"{name} signs with a training identity (accepted for a training package)",
            f"{name} 使用训练身份签名（训练证据包可接受）",
        )
        return SignerFact(**fact, trusted_by="training")
    if self_issued(top) and len(chain) == 1:
        out.add(
            "cert-self-signed",
            Severity.UNTRUSTED,
            subject,
            f"{name} signs with a self-signed certificate (SHA-256 {fact['cert_sha256']}); "
            "compare it with the paper record, then trust it with --trust-fingerprint",
            f"{name} 使用自签名证书（SHA-256 {fact['cert_sha256']}）；请与纸质笔录核对后用 "
            "--trust-fingerprint 信任",
        )
    else:
        top_fp = cert_sha256(top)
        out.add(
            "cert-untrusted-ca",
            Severity.UNTRUSTED,
            subject,
            f"{name} is certified by a CA this verifier does not trust ({issuer_text(leaf)}; "
            f"CA SHA-256 {top_fp}); compare it with the paper record, then trust it with "
            "--trust-fingerprint or 'quzheng identity trust'",
            f"{name} 的证书由本校验方未信任的 CA 签发（{issuer_text(leaf)}；CA SHA-256 {top_fp}）；"
            "请与纸质笔录核对后用 --trust-fingerprint 或 quzheng identity trust 信任",
        )
    return SignerFact(**fact, trusted_by="")
