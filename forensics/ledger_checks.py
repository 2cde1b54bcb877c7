"""Verification of cases (and, through the same checks, packages): verifier guide §2.4.

``verify_source`` runs every check under one ``TrustPolicy``, collects every finding and
returns a frozen ``VerificationReport`` with one verdict (``forensics.verdict``).
``require_valid()`` is the gate that raises. Comments name the checks by their number in
docs/verifier-guide.md (L = ledger, S = signatures, C = certificates, I = items, T = time,
K = completeness).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cryptography import x509

from forensics.canonical import canonical_bytes, parse_time
from forensics.certtrust import judge_chain
from forensics.entry_data import CaseOpenData, OfficerData, ReceiveData, SessionEndData
from forensics.errors import InputError
from forensics.hashing import CHUNK_SIZE, DualHasher
from forensics.identity import (
    cert_fingerprint,
    cert_key_fingerprint,
    load_certs_pem,
    verify_signature,
)
from forensics.ledger import KINDS, Record, entry_hash, parse_record
from forensics.store import iter_blob_files
from forensics.timeproof import TokenJudge, check_ledger_tokens
from forensics.trust import TrustPolicy
from forensics.verdict import (
    Collector,
    Facts,
    Finding,
    Severity,
    SignerFact,
    Verdict,
    VerificationReport,
)

__all__ = [
    "CaseSource",
    "EvidenceSource",
    "Finding",
    "Severity",
    "TrustPolicy",
    "Verdict",
    "VerificationReport",
    "verify_case_dir",
    "verify_source",
]


class EvidenceSource(Protocol):
    """What the verifier reads: a case directory or an opened package."""

    label: str
    unlisted_is_error: bool

    def ledger_lines(self) -> list[str]: ...

    def cert_pem(self, key_fp: str) -> bytes | None: ...

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None: ...

    def unlisted(self, referenced: set[str]) -> list[str]: ...

    def tsa_certs(self) -> list[x509.Certificate]: ...


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


def is_training(records: Sequence[Record]) -> bool:
    """A training case says so in its signed case.open entry."""
    if not records or records[0].kind != "case.open":
        return False
    return CaseOpenData.from_json(records[0].data).training


def verify_source(
    source: EvidenceSource,
    policy: TrustPolicy,
    *,
    judge: TokenJudge | None = None,
) -> VerificationReport:
    out = Collector()
    records = _check_ledger(source, out)
    training = is_training(records)
    if training:
        out.add(
            "training-package",
            Severity.INFO if policy.accept_training else Severity.UNTRUSTED,
            _entry_label(0),
            "this is a training case: exercise material, not evidence"
            + ("" if policy.accept_training else " (verify with --training to check it as one)"),
            "这是训练案件：练习材料，不是证据"
            + ("" if policy.accept_training else "（作为练习校验请加 --training）"),
        )
    signers = _check_signatures(source, records, policy, training, out)
    items = _check_items(source, records, out)
    judge = judge or TokenJudge(policy, training, source.tsa_certs())
    times = check_ledger_tokens(source, records, judge, source.unlisted_is_error, out)
    _check_sessions(records, source.unlisted_is_error, out)
    facts = Facts(signers, judge.facts(), times, training)
    return VerificationReport(
        source.label, tuple(out.findings), tuple(out.checks), len(records), items, facts
    )


def _check_ledger(source: EvidenceSource, out: Collector) -> list[Record]:
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
        # (L1) the stored hash is the SHA-256 of the canonical entry
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
        # (L2) seq numbers are contiguous from 0
        if rec.entry.get("seq") != i:
            out.add(
                "ledger-seq-break",
                Severity.ERROR,
                label,
                f"ledger position {i} holds entry seq {rec.entry.get('seq')}: an entry was removed, inserted or reordered",
                f"账本第 {i} 个位置为序号 {rec.entry.get('seq')} 的条目：条目被删除、插入或调换",
            )
        # (L3) prev equals the hash of the entry before (recomputed, not as stored)
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
    fact: SignerFact | None = None


@dataclass
class _Certs:
    """Officer certificates as loaded and judged once each (checks C1–C4)."""

    source: EvidenceSource
    policy: TrustPolicy
    training: bool
    out: Collector
    cache: dict[str, _CertInfo] = field(default_factory=dict)

    def load(self, key_fp: str) -> _CertInfo:
        if key_fp in self.cache:
            return self.cache[key_fp]
        info = _CertInfo()
        self.cache[key_fp] = info
        subject = f"certs/{key_fp}.pem"
        out = self.out
        pem = self.source.cert_pem(key_fp)
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
        info.fact = judge_chain(subject, chain, self.policy, self.training, out)
        return info

    def facts(self) -> tuple[SignerFact, ...]:
        return tuple(i.fact for i in self.cache.values() if i.fact is not None)


def _check_signatures(
    source: EvidenceSource,
    records: list[Record],
    policy: TrustPolicy,
    training: bool,
    out: Collector,
) -> tuple[SignerFact, ...]:
    """S1–S5: every signature and co-signature, by an officer of the case (C1–C4 per key)."""
    out.checks.append("signatures")
    certs = _Certs(source, policy, training, out)
    officers: dict[str, OfficerData] = {}
    opener = ""
    for rec in records:
        label = _entry_label(rec.entry.get("seq"))
        try:
            message = canonical_bytes(rec.entry)
        except InputError:
            continue
        key_fp = str(rec.entry["actor"].get("key", ""))
        info = certs.load(key_fp)
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
            added = OfficerData.from_json(rec.data)
            # Who may add an officer: an officer of the case; the opener registering
            # themself; or a receiving officer registering on import (custody.receive).
            self_add = key_fp == added.key
            allowed = key_fp in officers or (
                self_add and (key_fp == opener or added.role == "receiver")
            )
            if not allowed:
                out.add(
                    "signer-not-officer",
                    Severity.ERROR,
                    label,
                    f"{label} adds an officer but is signed by a key that is not an officer of the case",
                    f"账本第 {rec.entry.get('seq')} 条添加办案人员，但签名人不是本案办案人员",
                )
            officers[added.key] = added
            held = certs.load(added.key)
            if held.ok and cert_fingerprint(held.chain[0]) != added.cert_sha256:
                out.add(
                    "cert-replaced",
                    Severity.ERROR,
                    f"certs/{added.key}.pem",
                    f"the certificate of {added.name} ({added.badge}) is not the one registered in {label}",
                    f"{added.name}（{added.badge}）的证书与账本第 {rec.entry.get('seq')} 条登记的不一致",
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
            _check_transfer(rec, label, out)
        signed_by = {key_fp} if info.ok else set()
        for co in rec.cosig:
            co_fp = str(co.get("actor", {}).get("key", "")) if isinstance(co, dict) else ""
            co_info = certs.load(co_fp)
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
    return certs.facts()


def _check_transfer(rec: Record, label: str, out: Collector) -> None:
    """A received case carries the sender's signed transfer record: it must hold."""
    transfer = ReceiveData.from_json(rec.data).transfer
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
    officers: Mapping[str, OfficerData],
    out: Collector,
) -> None:
    end = SessionEndData.from_json(rec.data)
    for fp in (*end.signers, *end.malformed_signers):
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
        # only the JSON value true (forensics.entry_data): "yes" is no excuse
        training = end.training_single_officer
        out.add(
            "session-single-officer",
            Severity.WARNING if training else Severity.ERROR,
            label,
            f"{label} closes a session signed by {len(present)} officer(s); two are required"
            + (" (allowed in training mode)" if training else ""),
            f"账本第 {rec.entry.get('seq')} 条结束的会话只有 {len(present)} 名执法人员签名，依法至少两名"
            + ("（训练模式允许）" if training else ""),
        )


def _check_items(source: EvidenceSource, records: list[Record], out: Collector) -> int:
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

    def tsa_certs(self) -> list[x509.Certificate]:
        return []  # a live case's tokens carry their own chains


def verify_case_dir(case_dir: Path, lines: list[str], policy: TrustPolicy) -> VerificationReport:
    """Verify an opened case: ``lines`` are its ledger records in seq order."""
    return verify_source(CaseSource(case_dir, lines), policy)


def _check_sessions(records: list[Record], is_package: bool, out: Collector) -> None:
    """K1: every session.start has its session.end (an error in a package: its tail was cut)."""
    open_sessions: dict[str, int] = {}
    for rec in records:
        session = rec.entry.get("session")
        if not isinstance(session, str):
            continue
        if rec.kind == "session.start":
            open_sessions[session] = rec.seq
        elif rec.kind == "session.end":
            open_sessions.pop(session, None)
    for session, seq in open_sessions.items():
        label = _entry_label(seq)
        out.add(
            "session-unclosed",
            Severity.ERROR if is_package else Severity.WARNING,
            label,
            f"the session started in {label} ({session}) has no session.end"
            + (
                ": its tail (last captures, after-check, officers' signatures) is missing"
                if is_package
                else " yet (still open, or interrupted)"
            ),
            f"账本第 {seq} 条开始的取证会话（{session}）没有结束条目"
            + (
                "：其末尾（最后的截取、事后检查、执法人员签名）缺失"
                if is_package
                else "（仍在进行或被中断）"
            ),
        )
