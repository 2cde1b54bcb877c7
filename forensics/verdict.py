"""What verification concludes: findings, the verdict with its exit code, and the facts it
proved (verifier guide §2.1).

A verification collects every finding and ends in exactly one of four verdicts:

* ``PASS`` (exit 0): intact, every signer and every token chains to an anchor this verifier
  trusts, and every seal point is proven in time;
* ``FAIL`` (exit 1): altered, forged, or incomplete (at least one ``error`` finding);
* ``UNTRUSTED`` (exit 3): cryptographically consistent, but the verifier holds no anchor
  for an officer's CA or a TSA (``untrusted`` findings, which print the fingerprints);
* ``SEALED_ONLY`` (exit 4): the package file's detached seal is intact, but its contents
  were not checked (an encrypted package verified without its password).

Exit code 2 is unreadable input, a wrong password or a usage error (``InputError``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from forensics.errors import IntegrityError


class Severity(StrEnum):
    ERROR = "error"  # altered, forged or incomplete: the verdict is FAIL
    UNTRUSTED = "untrusted"  # consistent, but not proven to this verifier's anchors
    UNCHECKED = "unchecked"  # a part that could not be checked (contents without password)
    WARNING = "warning"  # the evidence is intact, but a reviewer must look
    INFO = "info"  # a fact the reviewer should know


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNTRUSTED = "untrusted"
    SEALED_ONLY = "sealed-only"

    @property
    def exit_code(self) -> int:
        return _EXIT[self]

    def text(self, lang: str = "en") -> str:
        en, zh = _TEXT[self]
        return zh if lang.startswith("zh") else en


_EXIT = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.UNTRUSTED: 3, Verdict.SEALED_ONLY: 4}
_TEXT = {
    Verdict.PASS: ("PASS", "校验通过"),
    Verdict.FAIL: ("FAIL", "校验未通过"),
    Verdict.UNTRUSTED: ("INTACT, TRUST NOT ESTABLISHED", "内容完好，但信任未建立"),
    Verdict.SEALED_ONLY: (
        "FILE SEALED AND INTACT, CONTENTS NOT CHECKED",
        "文件封签完好，内容未校验",
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    subject: str  # the file or ledger entry the finding is about
    en: str
    zh: str

    def text(self, lang: str = "en") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "subject": self.subject,
            "message_en": self.en,
            "message_zh": self.zh,
        }


OMITTED = "findings-omitted"
MAX_PER_CODE = 50  # findings kept per code; the rest are counted (hostile packages)


@dataclass(frozen=True)
class OmittedFindings(Finding):
    """Stands for ``count`` further findings of code ``subject`` that were not kept."""

    count: int = 0

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "omitted_code": self.subject, "omitted": self.count}


def omitted_finding(code: str, severity: Severity, count: int) -> OmittedFindings:
    return OmittedFindings(
        OMITTED,
        severity,
        code,
        f"… and {count} more {code} findings (only the first {MAX_PER_CODE} are listed)",
        f"……另有 {count} 项 {code} 问题（仅列出前 {MAX_PER_CODE} 项）",
        count,
    )


@dataclass(frozen=True)
class SignerFact:
    """One certificate that signed something, as the verifier judged it."""

    name: str
    badge: str
    agency: str
    key: str  # SHA-256 of the public key (the ledger's actor.key)
    cert_sha256: str
    ca_subject: str  # the top of its chain ('' when self-signed)
    ca_sha256: str
    trusted_by: str  # "agency-ca", "pinned", "training", "forged" or "" (not trusted)
    role: str = "officer"  # "officer" or "seal"

    def as_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TsaFact:
    """A time-stamp authority whose tokens verified (to a trusted anchor or not)."""

    name: str
    root_subject: str
    root_sha256: str
    builtin: bool
    trusted: bool
    tokens: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TimeFact:
    """A seal point proven in time: it existed no later than ``proven`` (a token's genTime)."""

    seq: int
    claimed: str
    proven: str
    token_seq: int  # the entry whose token proves it (itself, or a later seal point)
    gap_s: int  # proven - claimed, in whole seconds (negative when the clock was ahead)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Facts:
    signers: tuple[SignerFact, ...] = ()
    tsas: tuple[TsaFact, ...] = ()
    times: tuple[TimeFact, ...] = ()
    training: bool = False

    @property
    def earliest(self) -> TimeFact | None:
        return min(self.times, key=lambda t: t.proven, default=None)

    @property
    def latest(self) -> TimeFact | None:
        return max(self.times, key=lambda t: t.proven, default=None)

    @property
    def largest_gap(self) -> TimeFact | None:
        return max(self.times, key=lambda t: t.gap_s, default=None)

    def fingerprints(self) -> dict[str, list[dict[str, Any]]]:
        """What to compare with the paper record: agency CAs, officer certificates, TSA roots."""
        cas = {s.ca_sha256: s.ca_subject for s in self.signers if s.ca_sha256}
        officers = {s.cert_sha256: s for s in self.signers}
        return {
            "agency_ca": [{"subject": v, "sha256": k} for k, v in sorted(cas.items())],
            "officer": [
                {"name": s.name, "badge": s.badge, "role": s.role, "sha256": k}
                for k, s in officers.items()
            ],
            "tsa_root": [
                {"subject": t.root_subject, "sha256": t.root_sha256, "builtin": t.builtin}
                for t in self.tsas
            ],
        }

    def as_json(self) -> dict[str, Any]:
        largest = self.largest_gap
        return {
            "training": self.training,
            "signers": [s.as_json() for s in self.signers],
            "tsas": [t.as_json() for t in self.tsas],
            "earliest_proven": self.earliest.proven if self.earliest else None,
            "latest_proven": self.latest.proven if self.latest else None,
            "largest_gap": largest.as_json() if largest else None,
            "seal_points": [t.as_json() for t in self.times],
            "fingerprints": self.fingerprints(),
        }


@dataclass(frozen=True)
class VerificationReport:
    subject: str
    findings: tuple[Finding, ...]
    checks: tuple[str, ...]
    entries: int
    items: int
    facts: Facts = field(default_factory=Facts)

    @property
    def verdict(self) -> Verdict:
        severities = {f.severity for f in self.findings}
        if Severity.ERROR in severities:
            return Verdict.FAIL
        if Severity.UNTRUSTED in severities:
            return Verdict.UNTRUSTED
        if Severity.UNCHECKED in severities:
            return Verdict.SEALED_ONLY
        return Verdict.PASS

    @property
    def bottom_line(self) -> bool:
        """True only for PASS: intact and proven to this verifier's own anchors."""
        return self.verdict is Verdict.PASS

    @property
    def omitted(self) -> dict[str, int]:
        """Findings counted but not kept, by code (``MAX_PER_CODE`` are kept per code)."""
        out: dict[str, int] = {}
        for f in self.findings:
            if isinstance(f, OmittedFindings):
                out[f.subject] = out.get(f.subject, 0) + f.count
        return out

    def finding_counts(self) -> dict[str, int]:
        """How many findings of each code verification made (kept and omitted)."""
        out: dict[str, int] = {}
        for f in self.findings:
            if not isinstance(f, OmittedFindings):
                out[f.code] = out.get(f.code, 0) + 1
        for code, n in self.omitted.items():
            out[code] = out.get(code, 0) + n
        return out

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def require_valid(self) -> None:
        """Raise unless the verdict is PASS (the gate before import and similar acts)."""
        verdict = self.verdict
        if verdict is Verdict.PASS:
            return
        blocking = self.errors or [
            f for f in self.findings if f.severity in (Severity.UNTRUSTED, Severity.UNCHECKED)
        ]
        first = blocking[0]
        raise IntegrityError(
            f"verification: {verdict.text('en')}: {len(blocking)} finding(s); "
            f"first: {first.subject}: {first.en}",
            f"校验结论：{verdict.text('zh')}：{len(blocking)} 项问题；首项：{first.subject}：{first.zh}",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "verdict": str(self.verdict),
            "exit_code": self.verdict.exit_code,
            "entries": self.entries,
            "items": self.items,
            "checks": list(self.checks),
            "facts": self.facts.as_json(),
            "findings": [f.as_json() for f in self.findings],
            "finding_counts": self.finding_counts(),
            "findings_omitted": self.omitted,
        }


class Collector:
    """Findings and checks gathered while verifying.

    A hostile package can make millions of findings of one kind (a manifest listing a
    million files): per code the first ``MAX_PER_CODE`` are kept and the rest only counted;
    ``findings`` then ends with one ``findings-omitted`` finding per such code.
    """

    def __init__(self, per_code: int = MAX_PER_CODE) -> None:
        self._kept: list[Finding] = []
        self._count: dict[str, int] = {}
        self._omitted: dict[str, tuple[Severity, int]] = {}
        self._per_code = per_code
        self.checks: list[str] = []

    def add(self, code: str, sev: Severity, subject: str, en: str, zh: str) -> None:
        self.add_finding(Finding(code, sev, subject, en, zh))

    def add_finding(self, finding: Finding) -> None:
        if isinstance(finding, OmittedFindings):
            self._omit(finding.subject, finding.severity, finding.count)
            return
        n = self._count.get(finding.code, 0)
        self._count[finding.code] = n + 1
        if n < self._per_code:
            self._kept.append(finding)
        else:
            self._omit(finding.code, finding.severity, 1)

    def _omit(self, code: str, sev: Severity, count: int) -> None:
        old_sev, old = self._omitted.get(code, (sev, 0))
        self._omitted[code] = (old_sev, old + count)

    def merge(self, findings: Iterable[Finding]) -> None:
        """Another collector's findings (its omitted counts included)."""
        for finding in findings:
            self.add_finding(finding)

    @property
    def findings(self) -> list[Finding]:
        """The kept findings, then one summary per code with findings omitted (a copy)."""
        return self._kept + [
            omitted_finding(code, sev, n) for code, (sev, n) in self._omitted.items()
        ]
