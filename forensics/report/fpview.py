"""The signature page's certificate fingerprints as rows of text: who, subject, and the
SHA-256 in openssl's form, wrapped in two lines of 16 bytes to read out over the phone."""

from __future__ import annotations

from dataclasses import dataclass

from forensics.fingerprints import CertPrint, TrustFingerprints, openssl_lines
from forensics.report.labels import label


@dataclass(frozen=True)
class FingerprintRow:
    title: str
    subject: str
    lines: tuple[str, ...]  # joined without spaces: exactly what openssl prints


def _row(title: str, cert: CertPrint) -> FingerprintRow:
    return FingerprintRow(title, cert.subject, tuple(openssl_lines(cert.sha256)))


def fingerprint_rows(lang: str, fps: TrustFingerprints) -> list[FingerprintRow]:
    rows = [_row(label(lang, "s.fp_ca", ca.name), ca) for ca in fps.cas]
    rows += [_row(label(lang, "s.fp_officer", name=o.name, badge=o.badge), o) for o in fps.officers]
    for root in fps.tsa_roots:
        name = label(lang, "s.fp_builtin") if root.builtin else root.name
        title = label(lang, "s.fp_tsa", name)
        if not root.self_issued:
            title += label(lang, "s.fp_not_root")
        rows.append(_row(title, root))
    return rows


def fingerprint_notes(lang: str, fps: TrustFingerprints) -> list[str]:
    """What the table cannot say by itself: no agency CA, no time-stamp."""
    notes = []
    if not fps.cas and fps.officers:
        notes.append(label(lang, "s.fp_self_signed"))
    if not fps.tsa_roots:
        notes.append(label(lang, "s.fp_no_tsa"))
    return notes
