"""The verifier's trust policy: what a verdict of PASS is proven against (verifier guide §2.2).

One ``TrustPolicy`` is built once per verification from what the verifier holds: the agency
CAs it trusts, the TSA roots it trusts, certificate fingerprints read from paper or a phone
call (``--trust-fingerprint``), and whether training packages and this installation's own
built-in TSA count. Every caller (CLI, GUI, import, training scoring) passes the same object
to ``verify_package`` / ``verify_case_dir``; nothing else decides trust.

Fingerprints are the SHA-256 of a certificate's DER, as ``openssl x509 -fingerprint
-sha256`` prints it (colons allowed, any case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from forensics.errors import InputError
from forensics.timestamp.tsa import DEFAULT_POLICY_OID

# A token naming the built-in TSA's policy OID came from a Quzheng built-in TSA (anyone can
# run one): the verifier and the report say so, and trust it only as the policy allows.
BUILTIN_TSA_POLICY = DEFAULT_POLICY_OID

# Check T5: an entry's claimed time may precede the first token covering it by
# at most this much before the verdict is FAIL (back-dated, or stamped too late to prove
# when it was made). Overridable per run (``quzheng verify --max-stamp-gap``).
DEFAULT_MAX_STAMP_GAP_S = 3600
# Check T6: a token's genTime may precede its entry's claimed time by the TSA's accuracy plus this
# (clocks disagree a little); more is an entry dated after its own proof.
DEFAULT_TIME_TOLERANCE_S = 300

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def cert_sha256(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lowercase hex (what ``--trust-fingerprint`` names)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def parse_fingerprint(text: str) -> str:
    """``AB:CD:…`` or ``abcd…`` (64 hex digits) → lowercase hex; InputError otherwise."""
    value = text.strip().replace(":", "").replace(" ", "").lower()
    if value.startswith("sha256="):  # openssl's "SHA256 Fingerprint=" output, pasted whole
        value = value.removeprefix("sha256=")
    if not _HEX64.match(value):
        raise InputError(
            f"not a SHA-256 certificate fingerprint: {text!r} (64 hex digits, colons allowed)",
            f"不是 SHA-256 证书指纹：{text!r}（64 位十六进制数字，可含冒号）",
        )
    return value


def organization(cert: x509.Certificate) -> str:
    """The certificate subject's organisation (the agency), or ''."""
    try:
        attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    except ValueError:
        return ""
    return str(attrs[0].value) if attrs else ""


@dataclass(frozen=True)
class TrustPolicy:
    """What this verifier trusts. Immutable; build it once and pass it to every check."""

    agency_cas: tuple[x509.Certificate, ...] = ()
    tsa_roots: tuple[bytes, ...] = ()  # PEM; explicitly trusted time-stamp roots
    # This installation's own built-in TSA, trusted implicitly when it was set up: good
    # enough for training packages, never for evidence unless also trusted explicitly.
    builtin_tsa_roots: tuple[bytes, ...] = ()
    pinned: frozenset[str] = field(default_factory=frozenset)  # cert_sha256 values
    accept_training: bool = False  # a training package may PASS (as an exercise)
    max_stamp_gap_s: int = DEFAULT_MAX_STAMP_GAP_S
    time_tolerance_s: int = DEFAULT_TIME_TOLERANCE_S

    @classmethod
    def of(
        cls,
        agency_cas: Iterable[x509.Certificate] = (),
        tsa_roots: Iterable[bytes] = (),
        *,
        pins: Iterable[str] = (),
        builtin_tsa_roots: Iterable[bytes] = (),
        accept_training: bool = False,
    ) -> TrustPolicy:
        return cls(
            tuple(agency_cas),
            tuple(tsa_roots),
            tuple(builtin_tsa_roots),
            frozenset(parse_fingerprint(p) for p in pins),
            accept_training,
        )

    def pin(self, fingerprints: Iterable[str]) -> TrustPolicy:
        return replace(self, pinned=self.pinned | {parse_fingerprint(p) for p in fingerprints})

    def for_training(self) -> TrustPolicy:
        return replace(self, accept_training=True)

    def with_max_gap(self, seconds: int) -> TrustPolicy:
        if seconds <= 0:
            raise InputError(
                "the largest allowed stamp gap must be a positive number of seconds",
                "允许的最大盖戳间隔须为正的秒数",
            )
        return replace(self, max_stamp_gap_s=seconds)

    def is_pinned(self, cert: x509.Certificate) -> bool:
        return cert_sha256(cert) in self.pinned

    def tsa_anchor_pems(self, training: bool) -> tuple[bytes, ...]:
        """The TSA roots a token may chain to for the verdict to be PASS."""
        if training and self.accept_training:
            return self.tsa_roots + self.builtin_tsa_roots
        return self.tsa_roots
