"""Verification of cases (and, through the same checks, packages): FORMATS.md §3.

``verify_*`` runs every check, collects every finding and returns a frozen
``VerificationReport`` with one verdict (``bottom_line``). ``require_valid()`` is the gate
that raises. The numbered comments follow the checks of FORMATS.md §3.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from forensics.canonical import canonical_bytes, format_time, parse_time
from forensics.errors import InputError, IntegrityError
from forensics.hashing import CHUNK_SIZE, DualHasher
from forensics.identity import (
    cert_fingerprint,
    cert_key_fingerprint,
    load_certs_pem,
    verify_signature,
)
from forensics.ledger import KINDS, STAMPED_KINDS, Record, entry_hash, parse_record
from forensics.store import iter_blob_files
from forensics.timestamp import TokenError, check_time_agreement, verify_token
from forensics.timestamp.verify import MAX_TOKEN_BYTES
from forensics.x509names import issued_by_name, issuer_text, self_issued, subject_text


class Severity(StrEnum):
    ERROR = "error"  # integrity failure: the verdict is FAIL
    WARNING = "warning"  # the evidence is intact, but a reviewer must look
    INFO = "info"  # a fact the reviewer should know (e.g. self-signed officer key)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    subject: str  # the file or ledger entry the finding is about
    en: str
    zh: str

    def text(self, lang: str = "en") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def as_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "subject": self.subject,
            "message_en": self.en,
            "message_zh": self.zh,
        }


@dataclass(frozen=True)
class VerificationReport:
    subject: str
    findings: tuple[Finding, ...]
    checks: tuple[str, ...]
    entries: int
    items: int

    @property
    def bottom_line(self) -> bool:
        """True when no finding is an integrity failure."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def require_valid(self) -> None:
        if not self.bottom_line:
            first = self.errors[0]
            raise IntegrityError(
                f"verification failed: {len(self.errors)} finding(s); first: {first.subject}: {first.en}",
                f"校验未通过：{len(self.errors)} 项问题；首项：{first.subject}：{first.zh}",
            )

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "verdict": "pass" if self.bottom_line else "fail",
            "entries": self.entries,
            "items": self.items,
            "checks": list(self.checks),
            "findings": [f.as_json() for f in self.findings],
        }


class EvidenceSource(Protocol):
    """What the verifier reads: a case directory or an opened package."""

    label: str
    unlisted_is_error: bool

    def ledger_lines(self) -> list[str]: ...

    def cert_pem(self, key_fp: str) -> bytes | None: ...

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None: ...

    def unlisted(self, referenced: set[str]) -> list[str]: ...


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.checks: list[str] = []

    def add(self, code: str, sev: Severity, subject: str, en: str, zh: str) -> None:
        self.findings.append(Finding(code, sev, subject, en, zh))


def _entry_label(seq: object) -> str:
    return f"ledger entry {seq}"


def _digest_item(f: BinaryIO) -> tuple[int, str, str]:
    hasher = DualHasher()
    try:
        while chunk := f.read(CHUNK_SIZE):
            hasher.update(chunk)
    except BaseException:
        hasher.abort()
        raise
    d = hasher.finish()
    return d.size, d.sha256, d.sm3


# A token's genTime may differ from its entry's local time by the TSA's accuracy plus this.
DEFAULT_TIME_TOLERANCE_US = 5 * 60 * 1_000_000


def verify_source(
    source: EvidenceSource,
    trusted_cas: list[x509.Certificate],
    trusted_tsas: Sequence[bytes] = (),
    *,
    time_tolerance_us: int = DEFAULT_TIME_TOLERANCE_US,
) -> VerificationReport:
    out = _Collector()
    records = _check_ledger(source, out)
    _check_signatures(source, records, trusted_cas, out)
    items = _check_items(source, records, out)
    _check_timestamps(source, records, trusted_tsas, time_tolerance_us, out)
    return VerificationReport(
        source.label, tuple(out.findings), tuple(out.checks), len(records), items
    )


def _check_ledger(source: EvidenceSource, out: _Collector) -> list[Record]:
    out.checks.append("ledger")
    records: list[Record] = []
    lines = source.ledger_lines()
    if not lines:
        out.add("ledger-empty", Severity.ERROR, "ledger", "the ledger is empty", "账本为空")
        return records
    for i, line in enumerate(lines):
        try:
            records.append(parse_record(line))
        except InputError as exc:
            out.add(
                "ledger-malformed",
                Severity.ERROR,
                f"ledger line {i + 1}",
                f"ledger line {i + 1} is malformed: {exc.message_en}",
                f"账本第 {i + 1} 行格式错误：{exc.message_zh}",
            )
    case_id = records[0].entry.get("case") if records else None
    prev_hash: str | None = None
    prev_time = ""
    for i, rec in enumerate(records):
        label = _entry_label(rec.entry.get("seq"))
        # (1) the stored hash is the SHA-256 of the canonical entry
        try:
            actual = hashlib.sha256(canonical_bytes(rec.entry)).hexdigest()
        except InputError:
            actual = ""
        if actual != rec.hash:
            out.add(
                "entry-hash-mismatch",
                Severity.ERROR,
                label,
                f"{label} was altered: its content does not match its hash",
                f"账本第 {rec.entry.get('seq')} 条被篡改：内容与其哈希值不符",
            )
        # (2) seq numbers are contiguous from 0
        if rec.entry.get("seq") != i:
            out.add(
                "ledger-seq-break",
                Severity.ERROR,
                label,
                f"ledger position {i} holds entry seq {rec.entry.get('seq')}: an entry was removed, inserted or reordered",
                f"账本第 {i} 个位置为序号 {rec.entry.get('seq')} 的条目：条目被删除、插入或调换",
            )
        # (3) prev equals the hash of the entry before (recomputed, not as stored)
        if rec.entry.get("prev") != prev_hash:
            out.add(
                "ledger-prev-mismatch",
                Severity.ERROR,
                label,
                f"{label} does not link to the entry before it (broken hash chain)",
                f"账本第 {rec.entry.get('seq')} 条与前一条目的哈希链断裂",
            )
        prev_hash = actual
        if rec.entry.get("case") != case_id:
            out.add(
                "ledger-case-mismatch",
                Severity.ERROR,
                label,
                f"{label} belongs to another case ({rec.entry.get('case')})",
                f"账本第 {rec.entry.get('seq')} 条属于其他案件（{rec.entry.get('case')}）",
            )
        if rec.kind not in KINDS:
            out.add(
                "entry-kind-unknown",
                Severity.WARNING,
                label,
                f"{label} has an unknown kind {rec.kind!r}",
                f"账本第 {rec.entry.get('seq')} 条类型未知：{rec.kind!r}",
            )
        t = str(rec.entry.get("time", ""))
        try:
            parse_time(t)
        except InputError:
            out.add(
                "entry-time-invalid",
                Severity.ERROR,
                label,
                f"{label} has an invalid time {t!r}",
                f"账本第 {rec.entry.get('seq')} 条时间无效：{t!r}",
            )
        else:
            if prev_time and t < prev_time:
                out.add(
                    "ledger-time-order",
                    Severity.WARNING,
                    label,
                    f"{label} is dated before the entry preceding it ({t} < {prev_time})",
                    f"账本第 {rec.entry.get('seq')} 条的时间早于前一条（{t} < {prev_time}）",
                )
            prev_time = max(prev_time, t)
    if records and records[0].kind != "case.open":
        out.add(
            "ledger-no-open",
            Severity.ERROR,
            _entry_label(0),
            "the ledger does not start with case.open",
            "账本不是以立案条目（case.open）开始",
        )
    return records


@dataclass
class _CertInfo:
    chain: tuple[x509.Certificate, ...] = field(default_factory=tuple)
    ok: bool = False


def _load_cert(
    source: EvidenceSource,
    key_fp: str,
    cache: dict[str, _CertInfo],
    trusted: list[x509.Certificate],
    out: _Collector,
) -> _CertInfo:
    if key_fp in cache:
        return cache[key_fp]
    info = _CertInfo()
    cache[key_fp] = info
    subject = f"certs/{key_fp}.pem"
    pem = source.cert_pem(key_fp)
    if pem is None:
        out.add(
            "cert-missing",
            Severity.ERROR,
            subject,
            f"no certificate for signing key {key_fp[:16]}…",
            f"缺少签名密钥 {key_fp[:16]}… 的证书",
        )
        return info
    try:
        chain = load_certs_pem(pem, subject)
        if not chain:
            raise InputError("empty", "空")
        leaf_fp = cert_key_fingerprint(chain[0])
    except InputError:
        out.add(
            "cert-unreadable",
            Severity.ERROR,
            subject,
            f"certificate file {subject} is unreadable",
            f"证书文件 {subject} 无法读取",
        )
        return info
    if leaf_fp != key_fp:
        out.add(
            "cert-key-mismatch",
            Severity.ERROR,
            subject,
            f"certificate {subject} holds another key ({leaf_fp[:16]}…): it was replaced",
            f"证书 {subject} 的公钥不符（{leaf_fp[:16]}…）：证书被替换",
        )
        return info
    info.chain = chain
    info.ok = True
    _check_chain(subject, chain, trusted, out)
    return info


def _check_chain(
    subject: str,
    chain: tuple[x509.Certificate, ...],
    trusted: list[x509.Certificate],
    out: _Collector,
) -> None:
    leaf = chain[0]
    name = subject_text(leaf)
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
            return
    top = chain[-1]
    trusted_fps = {cert_fingerprint(c) for c in trusted}
    if cert_fingerprint(top) in trusted_fps and len(chain) > 1:
        out.add(
            "cert-agency",
            Severity.INFO,
            subject,
            f"{name} is certified by the trusted agency CA {subject_text(top)}",
            f"{name} 的证书由受信任的机构 CA 签发：{subject_text(top)}",
        )
    elif self_issued(top) and len(chain) == 1:
        out.add(
            "cert-self-signed",
            Severity.INFO,
            subject,
            f"{name} signs with a self-signed key; compare its fingerprint with the paper record",
            f"{name} 使用自签名密钥；请与纸质笔录上的指纹核对",
        )
    else:
        for issuer in trusted:
            if issued_by_name(top, issuer):
                try:
                    top.verify_directly_issued_by(issuer)
                except (ValueError, TypeError, InvalidSignature):
                    continue
                out.add(
                    "cert-agency",
                    Severity.INFO,
                    subject,
                    f"{name} is certified by the trusted CA {subject_text(issuer)}",
                    f"{name} 的证书由受信任的 CA 签发：{subject_text(issuer)}",
                )
                return
        out.add(
            "cert-untrusted-ca",
            Severity.WARNING,
            subject,
            f"{name} is certified by a CA this verifier does not trust ({issuer_text(top)})",
            f"{name} 的证书由本校验方不信任的 CA 签发（{issuer_text(top)}）",
        )


def _check_signatures(
    source: EvidenceSource,
    records: list[Record],
    trusted: list[x509.Certificate],
    out: _Collector,
) -> dict[str, _CertInfo]:
    out.checks.append("signatures")
    cache: dict[str, _CertInfo] = {}
    officers: dict[str, dict[str, Any]] = {}
    opener = ""
    for rec in records:
        label = _entry_label(rec.entry.get("seq"))
        try:
            message = canonical_bytes(rec.entry)
        except InputError:
            continue
        key_fp = str(rec.entry["actor"].get("key", ""))
        info = _load_cert(source, key_fp, cache, trusted, out)
        if info.ok and not verify_signature(info.chain[0], message, rec.sig):
            out.add(
                "signature-invalid",
                Severity.ERROR,
                label,
                f"the signature on {label} is not valid for its content and signer",
                f"账本第 {rec.entry.get('seq')} 条的签名无效",
            )
        if rec.kind == "case.open":
            opener = key_fp
        if rec.kind == "officer.add":
            data = rec.entry.get("data", {})
            # Who may add an officer: an officer of the case; the opener registering
            # themself; or a receiving officer registering on import (custody.receive).
            self_add = key_fp == data.get("key")
            allowed = key_fp in officers or (
                self_add and (key_fp == opener or data.get("role") == "receiver")
            )
            if not allowed:
                out.add(
                    "signer-not-officer",
                    Severity.ERROR,
                    label,
                    f"{label} adds an officer but is signed by a key that is not an officer of the case",
                    f"账本第 {rec.entry.get('seq')} 条添加办案人员，但签名人不是本案办案人员",
                )
            officers[str(data.get("key"))] = data
            added = _load_cert(source, str(data.get("key")), cache, trusted, out)
            if added.ok and cert_fingerprint(added.chain[0]) != data.get("cert_sha256"):
                out.add(
                    "cert-replaced",
                    Severity.ERROR,
                    f"certs/{data.get('key')}.pem",
                    f"the certificate of {data.get('name')} ({data.get('badge')}) is not the one registered in {label}",
                    f"{data.get('name')}（{data.get('badge')}）的证书与账本第 {rec.entry.get('seq')} 条登记的不一致",
                )
        elif rec.kind != "case.open" and key_fp not in officers:
            out.add(
                "signer-not-officer",
                Severity.ERROR,
                label,
                f"{label} is signed by a key that is not an officer of the case",
                f"账本第 {rec.entry.get('seq')} 条的签名人不是本案办案人员",
            )
        if rec.kind == "custody.receive":
            _check_transfer(rec, label, source, cache, trusted, out)
        signed_by = {key_fp} if info.ok else set()
        for co in rec.cosig:
            co_fp = str(co.get("actor", {}).get("key", "")) if isinstance(co, dict) else ""
            co_info = _load_cert(source, co_fp, cache, trusted, out)
            if co_info.ok and verify_signature(co_info.chain[0], message, co):
                signed_by.add(co_fp)
            else:
                out.add(
                    "cosignature-invalid",
                    Severity.ERROR,
                    label,
                    f"a co-signature on {label} is not valid",
                    f"账本第 {rec.entry.get('seq')} 条的会签签名无效",
                )
        if rec.kind == "session.end":
            _check_session_end(rec, label, signed_by, officers, out)
    return cache


def _check_transfer(
    rec: Record,
    label: str,
    source: EvidenceSource,
    cache: dict[str, _CertInfo],
    trusted: list[x509.Certificate],
    out: _Collector,
) -> None:
    """A received case carries the sender's signed transfer record: it must hold."""
    transfer = rec.entry.get("data", {}).get("transfer")
    if not transfer:
        return
    try:
        sent = parse_record(str(transfer["record"]))
        chain = load_certs_pem(str(transfer["sender_chain_pem"]).encode(), "transfer")
        ok = (
            sent.kind == "custody.transfer"
            and entry_hash(sent.entry) == sent.hash
            and bool(chain)
            and cert_key_fingerprint(chain[0]) == sent.entry["actor"]["key"]
            and verify_signature(chain[0], canonical_bytes(sent.entry), sent.sig)
        )
    except (InputError, KeyError, TypeError):
        ok = False
    if not ok:
        out.add(
            "transfer-record-invalid",
            Severity.ERROR,
            label,
            f"the sender's transfer record carried by {label} is altered or not validly signed",
            f"账本第 {rec.entry.get('seq')} 条所附的移交记录被改动或签名无效",
        )


def _check_session_end(
    rec: Record,
    label: str,
    signed_by: set[str],
    officers: dict[str, dict[str, Any]],
    out: _Collector,
) -> None:
    listed = rec.entry.get("data", {}).get("signers", [])
    if not isinstance(listed, list):
        listed = []
    for fp in listed:
        if fp not in signed_by:
            out.add(
                "session-signature-missing",
                Severity.ERROR,
                label,
                f"{label} names officer key {str(fp)[:16]}… as a signer, but carries no valid signature by it",
                f"账本第 {rec.entry.get('seq')} 条列明的签名人 {str(fp)[:16]}… 没有有效签名",
            )
    present = {fp for fp in signed_by if fp in officers}
    if len(present) < 2:
        training = bool(rec.entry.get("data", {}).get("training_single_officer"))
        out.add(
            "session-single-officer",
            Severity.WARNING if training else Severity.ERROR,
            label,
            f"{label} closes a session signed by {len(present)} officer(s); two are required"
            + (" (allowed in training mode)" if training else ""),
            f"账本第 {rec.entry.get('seq')} 条结束的会话只有 {len(present)} 名执法人员签名，依法至少两名"
            + ("（训练模式允许）" if training else ""),
        )


def _check_items(source: EvidenceSource, records: list[Record], out: _Collector) -> int:
    out.checks.append("items")
    referenced: set[str] = set()
    count = 0
    for rec in records:
        items = rec.entry.get("items", [])
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            count += 1
            path = str(item.get("path", "?"))
            referenced.add(str(item.get("sha256", "")))
            referenced.add(path)
            known = getattr(source, "known_digests", None)
            cached = known(item) if known is not None else None
            if cached is not None:
                size, sha256, sm3 = cached
                f = None
            else:
                f = source.open_item(item)
            if f is None and cached is None:
                out.add(
                    "item-missing",
                    Severity.ERROR,
                    path,
                    f"{path} (sealed in entry {rec.entry.get('seq')}) is missing",
                    f"{path}（账本第 {rec.entry.get('seq')} 条封存）缺失",
                )
                continue
            if f is not None:
                with f:
                    size, sha256, sm3 = _digest_item(f)
            for code, want, got, en_name in (
                ("item-size", item.get("size"), size, "size"),
                ("item-sha256", item.get("sha256"), sha256, "SHA-256"),
                ("item-sm3", item.get("sm3"), sm3, "SM3"),
            ):
                if want != got:
                    out.add(
                        code,
                        Severity.ERROR,
                        path,
                        f"{path}: {en_name} is {got}, the ledger sealed {want}: the file was altered",
                        f"{path}：{en_name} 为 {got}，账本封存值为 {want}：文件被改动",
                    )
    for name in source.unlisted(referenced):
        out.add(
            "file-unlisted",
            Severity.ERROR if source.unlisted_is_error else Severity.WARNING,
            name,
            f"{name} is not named by any ledger entry",
            f"{name} 未被任何账本条目登记",
        )
    return count


class CaseSource:
    """A case directory as the verifier sees it (read-only)."""

    unlisted_is_error = False

    def __init__(self, case_dir: Path, lines: list[str]) -> None:
        self.dir = case_dir
        self.label = str(case_dir)
        self._lines = lines

    def ledger_lines(self) -> list[str]:
        return self._lines

    def cert_pem(self, key_fp: str) -> bytes | None:
        if not all(c in "0123456789abcdef" for c in key_fp) or len(key_fp) != 64:
            return None
        try:
            return (self.dir / "certs" / f"{key_fp}.pem").read_bytes()
        except OSError:
            return None

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None:
        sha = str(item.get("sha256", ""))
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            return None
        try:
            return open(self.dir / "blobs" / sha[:2] / sha, "rb")
        except OSError:
            return None

    def unlisted(self, referenced: set[str]) -> list[str]:
        return [
            f"blobs/{p.parent.name}/{p.name}"
            for p in iter_blob_files(self.dir)
            if p.name not in referenced
        ]


def verify_case_dir(
    case_dir: Path,
    lines: list[str],
    trusted_cas: list[x509.Certificate],
    trusted_tsas: Sequence[bytes] = (),
    *,
    time_tolerance_us: int = DEFAULT_TIME_TOLERANCE_US,
) -> VerificationReport:
    """Verify an opened case: ``lines`` are its ledger records in seq order."""
    return verify_source(
        CaseSource(case_dir, lines),
        trusted_cas,
        trusted_tsas,
        time_tolerance_us=time_tolerance_us,
    )


def _read_bounded(f: BinaryIO, limit: int) -> bytes | None:
    with f:
        data = f.read(limit + 1)
    return None if len(data) > limit else data


def _check_timestamps(
    source: EvidenceSource,
    records: list[Record],
    tsa_roots: Sequence[bytes],
    tolerance_us: int,
    out: _Collector,
) -> None:
    """(9) every token: imprint equals the entry hash, TSA signature, chain, time order."""
    out.checks.append("timestamps")
    actual: dict[int, tuple[str, str]] = {}
    for rec in records:
        seq = rec.entry.get("seq")
        if isinstance(seq, int):
            try:
                actual[seq] = (entry_hash(rec.entry), str(rec.entry.get("time", "")))
            except InputError:
                continue
    own: set[int] = set()
    last_gen: tuple[int, str] | None = None
    for rec in records:
        if rec.kind != "timestamp":
            continue
        data = rec.entry.get("data", {})
        stamped = data.get("stamped_seq") if isinstance(data, dict) else None
        label = _entry_label(rec.entry.get("seq"))
        if not isinstance(stamped, int) or stamped not in actual:
            out.add(
                "token-target-missing",
                Severity.ERROR,
                label,
                f"{label} stamps entry {stamped!r}, which is not in the ledger",
                f"账本第 {rec.entry.get('seq')} 条的时间戳指向不存在的条目 {stamped!r}",
            )
            continue
        subject = f"custody/timestamps/{stamped}.tsr"
        item = next(
            (
                i
                for i in rec.entry.get("items", [])
                if isinstance(i, dict) and i.get("path") == subject
            ),
            None,
        )
        f = source.open_item(item) if item is not None else None
        token = _read_bounded(f, MAX_TOKEN_BYTES) if f is not None else None
        if token is None:
            out.add(
                "token-missing",
                Severity.ERROR,
                subject,
                f"the time-stamp token of entry {stamped} is missing or oversized",
                f"账本第 {stamped} 条的时间戳令牌缺失或过大",
            )
            continue
        target_hash, target_time = actual[stamped]
        if data.get("stamped_hash") != target_hash:
            out.add(
                "token-entry-mismatch",
                Severity.ERROR,
                label,
                f"{label} records a hash for entry {stamped} that is not that entry's hash",
                f"账本第 {rec.entry.get('seq')} 条记录的被盖戳条目哈希与第 {stamped} 条不符",
            )
        if not tsa_roots:
            out.add(
                "token-tsa-untrusted",
                Severity.ERROR,
                subject,
                f"time-stamp token of entry {stamped} cannot be checked: this verifier trusts no "
                "TSA root (add one with 'quzheng identity trust --tsa ROOT.pem')",
                f"账本第 {stamped} 条的时间戳无法验证：本校验方未信任任何时间戳根证书"
                "（用 quzheng identity trust --tsa 根证书.pem 添加）",
            )
            continue
        try:
            info = verify_token(token, bytes.fromhex(target_hash), list(tsa_roots))
        except TokenError as exc:
            out.add(
                exc.code if exc.code.startswith("token-") else f"token-{exc.code}",
                Severity.ERROR,
                subject,
                f"time-stamp token of entry {stamped}: {exc.message_en}",
                f"账本第 {stamped} 条的时间戳令牌：{exc.message_zh}",
            )
            continue
        except InputError as exc:
            out.add(
                "token-malformed",
                Severity.ERROR,
                subject,
                f"time-stamp token of entry {stamped} is unreadable: {exc.message_en}",
                f"账本第 {stamped} 条的时间戳令牌无法读取：{exc.message_zh}",
            )
            continue
        own.add(stamped)
        try:
            local = parse_time(target_time)
        except InputError:
            continue
        agreement = check_time_agreement(info, local, tolerance_us, queued=bool(data.get("queued")))
        gen = format_time(info.gen_time)
        if agreement.finding == "clock-ahead":
            out.add(
                "token-before-entry",
                Severity.ERROR,
                subject,
                f"entry {stamped} claims {target_time}, but the TSA fixed its hash at {gen}, "
                f"{-agreement.delta_us // 1_000_000} s earlier: the local clock was wrong or the time was manipulated",
                f"账本第 {stamped} 条自称时间 {target_time}，但时间戳服务在 {gen} 已固定其哈希，"
                f"早 {-agreement.delta_us // 1_000_000} 秒：本地时钟有误或时间被篡改",
            )
        elif agreement.finding == "clock-behind":
            out.add(
                "token-late",
                Severity.WARNING,
                subject,
                f"entry {stamped} was stamped {agreement.delta_us // 1_000_000} s after its local time ({gen})",
                f"账本第 {stamped} 条在其本地时间之后 {agreement.delta_us // 1_000_000} 秒才盖戳（{gen}）",
            )
        if last_gen is not None and stamped > last_gen[0] and gen < last_gen[1]:
            out.add(
                "token-time-order",
                Severity.ERROR,
                subject,
                f"token of entry {stamped} ({gen}) is older than the token of entry {last_gen[0]} ({last_gen[1]})",
                f"账本第 {stamped} 条的时间戳（{gen}）早于第 {last_gen[0]} 条的时间戳（{last_gen[1]}）",
            )
        last_gen = (stamped, gen)
    _report_coverage(records, own, out)


def _report_coverage(records: list[Record], own: set[int], out: _Collector) -> None:
    points = [
        r.seq for r in records if r.kind in STAMPED_KINDS and isinstance(r.entry.get("seq"), int)
    ]
    if not points:
        return
    last = max(own, default=-1)
    missing = [s for s in points if s not in own]
    later = [s for s in missing if s < last]
    bare = [s for s in missing if s > last]
    if not missing:
        out.add(
            "timestamps-complete",
            Severity.INFO,
            "custody/timestamps",
            f"all {len(points)} seal points carry a verified RFC 3161 token",
            f"全部 {len(points)} 个封存点均有经验证的 RFC 3161 时间戳",
        )
        return
    if later:
        out.add(
            "entry-unstamped",
            Severity.WARNING,
            "ledger entries " + ",".join(map(str, later)),
            f"{len(later)} seal point(s) have no token of their own; a later token covers them",
            f"{len(later)} 个封存点没有自己的时间戳，由其后的时间戳覆盖",
        )
    if bare:
        out.add(
            "entry-unstamped",
            Severity.WARNING,
            "ledger entries " + ",".join(map(str, bare)),
            f"{len(bare)} seal point(s) are not covered by any time-stamp token yet (queued or offline)",
            f"{len(bare)} 个封存点尚无任何时间戳覆盖（排队中或离线）",
        )
