"""Time proven by RFC 3161 tokens, under the trust policy (verifier guide §2.4, checks T1–T7).

``TokenJudge`` verifies one token against the policy's TSA roots; a token that verifies
only against a root the package carries is consistent but untrusted (its root's fingerprint
is printed). ``check_ledger_tokens`` checks every ``timestamp`` entry, then computes for
every seal point the gap between the entry's claimed time and the genTime of the first token
covering it (a token over entry N covers every entry up to N), ignoring any flag the signer
wrote: a gap over the policy's bound, or a token older than its entry, is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from forensics.canonical import format_time, parse_time
from forensics.entry_data import TimestampData
from forensics.errors import InputError
from forensics.ledger import STAMPED_KINDS, Record, entry_hash
from forensics.timestamp import TokenError, TokenInfo, verify_token
from forensics.timestamp.errors import TSA_UNTRUSTED
from forensics.timestamp.token_check import MAX_TOKEN_BYTES
from forensics.trust import BUILTIN_TSA_POLICY, TrustPolicy, cert_sha256
from forensics.verdict import Collector, Severity, TimeFact, TsaFact
from forensics.x509names import self_issued, subject_text


def token_certs(token: bytes) -> list[x509.Certificate]:
    """The certificates a token carries (unverified: candidates only)."""
    try:
        signed = cms.ContentInfo.load(token)["content"]
        return [
            x509.load_der_x509_certificate(c.chosen.dump())
            for c in (signed["certificates"] or [])
            if c.name == "certificate"
        ]
    except (ValueError, TypeError, KeyError):
        return []


@dataclass(frozen=True)
class JudgedToken:
    info: TokenInfo
    trusted: bool
    root: x509.Certificate

    @property
    def builtin(self) -> bool:
        return self.info.policy == BUILTIN_TSA_POLICY


@dataclass
class _Vouched:
    name: str
    root: x509.Certificate
    policy: str
    trusted: bool
    tokens: int = 0


class TokenJudge:
    """Verifies tokens under one policy and remembers which TSAs vouched (for the facts)."""

    def __init__(
        self, policy: TrustPolicy, training: bool, package_certs: Sequence[x509.Certificate] = ()
    ) -> None:
        self.policy = policy
        self.training = training
        self.package_certs = tuple(package_certs)
        self._anchors = policy.tsa_anchor_pems(training)
        self._builtin = {cert_sha256(c) for pem in policy.builtin_tsa_roots for c in _pems(pem)}
        self._tsas: dict[str, _Vouched] = {}
        self._reported: set[str] = set()

    def judge(self, token: bytes, digest: bytes) -> JudgedToken:
        """Raises TokenError / InputError when the token is wrong in itself."""
        candidates = [
            c for c in (*token_certs(token), *self.package_certs) if self_issued(c) and is_ca(c)
        ]
        anchors = list(self._anchors)
        anchors += [c.public_bytes(Encoding.PEM) for c in candidates if self.policy.is_pinned(c)]
        extras = list(self.package_certs)
        if anchors:
            try:
                info = verify_token(token, digest, anchors, extra_certs=extras)
                return self._remember(info, trusted=True)
            except TokenError as exc:
                if exc.code != TSA_UNTRUSTED or not candidates:
                    raise
        if not candidates:
            raise TokenError(
                TSA_UNTRUSTED,
                "the token's TSA chain ends in no root certificate that could be checked",
                "时间戳的服务证书链没有可供核对的根证书",
            )
        info = verify_token(
            token, digest, [c.public_bytes(Encoding.PEM) for c in candidates], extra_certs=extras
        )
        return self._remember(info, trusted=False)

    def _remember(self, info: TokenInfo, trusted: bool) -> JudgedToken:
        root = x509.load_pem_x509_certificate(info.chain[-1].encode())
        fp = cert_sha256(root)
        seen = self._tsas.setdefault(fp, _Vouched(info.tsa_name, root, info.policy, trusted))
        seen.tokens += 1
        seen.trusted = seen.trusted and trusted
        return JudgedToken(info, trusted, root)

    def report_untrusted(self, judged: JudgedToken, subject: str, out: Collector) -> None:
        """One ``token-tsa-untrusted`` finding per TSA root the policy does not trust."""
        fp = cert_sha256(judged.root)
        if judged.trusted or fp in self._reported:
            return
        self._reported.add(fp)
        name = judged.info.tsa_name
        builtin = " (the Quzheng built-in TSA)" if judged.builtin else ""
        builtin_zh = "（取证软件内置时间戳服务）" if judged.builtin else ""
        why_en, why_zh = (
            (
                "; this installation trusts its own built-in TSA for training packages only",
                "；本机对内置时间戳服务的信任仅适用于训练证据包",
            )
            if fp in self._builtin
            else ("", "")
        )
        out.add(
            "token-tsa-untrusted",
            Severity.UNTRUSTED,
            subject,
            f"time-stamps by {name}{builtin} are intact, but this verifier does not trust its "
            f"root {subject_text(judged.root)} (SHA-256 {fp}){why_en}; compare the fingerprint "
            "with the paper record, then use --trust-fingerprint or 'quzheng identity trust --tsa'",
            f"{name}{builtin_zh}签发的时间戳完好，但本校验方不信任其根证书 "
            f"{subject_text(judged.root)}（SHA-256 {fp}）{why_zh}；请与纸质笔录核对指纹后用 "
            "--trust-fingerprint 或 quzheng identity trust --tsa 信任",
        )

    def facts(self) -> tuple[TsaFact, ...]:
        return tuple(
            TsaFact(
                v.name,
                subject_text(v.root),
                fp,
                v.policy == BUILTIN_TSA_POLICY,
                v.trusted,
                v.tokens,
            )
            for fp, v in self._tsas.items()
        )


def _pems(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        return []


def is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate (basicConstraints cA); unreadable extensions count as not."""
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def token_finding(
    exc: TokenError | InputError, subject: str, what_en: str, what_zh: str, out: Collector
) -> None:
    """A token that is wrong in itself: an error naming what failed."""
    if isinstance(exc, TokenError):
        code = exc.code if exc.code.startswith("token-") else f"token-{exc.code}"
        en, zh = exc.detail_en, exc.detail_zh
    else:
        code, en, zh = "token-malformed", exc.message_en, exc.message_zh
    out.add(
        code, Severity.ERROR, subject, f"time-stamp of {what_en}: {en}", f"{what_zh}的时间戳：{zh}"
    )


class ItemOpener(Protocol):
    def open_item(self, item: dict[str, Any]) -> BinaryIO | None: ...


def check_ledger_tokens(
    source: ItemOpener,
    records: list[Record],
    judge: TokenJudge,
    is_package: bool,
    out: Collector,
) -> tuple[TimeFact, ...]:
    """T1–T7: every ledger token, then every seal point's proven time."""
    out.checks.append("timestamps")
    actual: dict[int, tuple[str, str]] = {}
    for rec in records:
        seq = rec.entry.get("seq")
        if isinstance(seq, int):
            try:
                actual[seq] = (entry_hash(rec.entry), str(rec.entry.get("time", "")))
            except InputError:
                continue
    proofs: dict[int, TokenInfo] = {}  # stamped seq -> verified token
    last_gen: tuple[int, str] | None = None
    for rec in records:
        if rec.kind != "timestamp":
            continue
        stamp = TimestampData.from_json(rec.data)
        stamped = stamp.stamped_seq
        label = f"ledger entry {rec.entry.get('seq')}"
        if stamped is None or stamped not in actual:
            named = rec.data.get("stamped_seq")  # as written: a hostile value is shown
            out.add(
                "token-target-missing",
                Severity.ERROR,
                label,
                f"{label} stamps entry {named!r}, which is not in the ledger",
                f"账本第 {rec.entry.get('seq')} 条的时间戳指向不存在的条目 {named!r}",
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
        token = None
        if f is not None:
            with f:
                token = f.read(MAX_TOKEN_BYTES + 1)
            if len(token) > MAX_TOKEN_BYTES:
                token = None
        if token is None:
            out.add(
                "token-missing",
                Severity.ERROR,
                subject,
                f"the time-stamp token of entry {stamped} is missing or oversized",
                f"账本第 {stamped} 条的时间戳令牌缺失或过大",
            )
            continue
        target_hash, _ = actual[stamped]
        if stamp.stamped_hash != target_hash:
            out.add(
                "token-entry-mismatch",
                Severity.ERROR,
                label,
                f"{label} records a hash for entry {stamped} that is not that entry's hash",
                f"账本第 {rec.entry.get('seq')} 条记录的被盖戳条目哈希与第 {stamped} 条不符",
            )
        try:
            judged = judge.judge(token, bytes.fromhex(target_hash))
        except (TokenError, InputError) as exc:
            token_finding(exc, subject, f"entry {stamped}", f"账本第 {stamped} 条", out)
            continue
        judge.report_untrusted(judged, subject, out)
        proofs[stamped] = judged.info
        gen = format_time(judged.info.gen_time)
        if last_gen is not None and stamped > last_gen[0] and gen < last_gen[1]:
            out.add(
                "token-time-order",
                Severity.ERROR,
                subject,
                f"token of entry {stamped} ({gen}) is older than the token of entry "
                f"{last_gen[0]} ({last_gen[1]})",
                f"账本第 {stamped} 条的时间戳（{gen}）早于第 {last_gen[0]} 条的时间戳（{last_gen[1]}）",
            )
        last_gen = (stamped, gen)
    return _prove_seal_points(records, proofs, judge, is_package, out)


def _prove_seal_points(
    records: list[Record],
    proofs: dict[int, TokenInfo],
    judge: TokenJudge,
    is_package: bool,
    out: Collector,
) -> tuple[TimeFact, ...]:
    policy = judge.policy
    # The first token covering entry s: the earliest genTime among tokens over entries >= s.
    first: dict[int, tuple[int, TokenInfo]] = {}
    best: tuple[int, TokenInfo] | None = None
    for stamped in sorted(proofs, reverse=True):
        info = proofs[stamped]
        if best is None or info.gen_time <= best[1].gen_time:
            best = (stamped, info)
        first[stamped] = best
    stamped_seqs = sorted(first)
    times: list[TimeFact] = []
    unstamped: list[int] = []
    gaps: list[tuple[int, int, str, str]] = []
    early: list[tuple[int, int, str, str]] = []
    for rec in records:
        point = rec.entry.get("seq")
        if rec.kind not in STAMPED_KINDS or not isinstance(point, int):
            continue
        seq: int = point
        cover = next((first[s] for s in stamped_seqs if s >= seq), None)
        if cover is None:
            unstamped.append(seq)
            continue
        claimed_text = str(rec.entry.get("time", ""))
        try:
            claimed = parse_time(claimed_text)
        except InputError:
            continue  # reported by the ledger check
        token_seq, info = cover
        gap_us = (info.gen_time - claimed).total_seconds()
        fact = TimeFact(seq, claimed_text, format_time(info.gen_time), token_seq, int(gap_us))
        times.append(fact)
        allowed_early = (info.accuracy_us or 0) / 1e6 + policy.time_tolerance_s
        if gap_us > policy.max_stamp_gap_s:
            gaps.append((seq, fact.gap_s, claimed_text, fact.proven))
        elif gap_us < -allowed_early:
            early.append((seq, -fact.gap_s, claimed_text, fact.proven))
    for seq, gap, claimed_text, proven in gaps:
        out.add(
            "stamp-gap",
            Severity.ERROR,
            f"ledger entry {seq}",
            f"entry {seq} claims {claimed_text}, but the first time-stamp covering it is "
            f"{proven}, {_span(gap, 'en')} later (bound {_span(policy.max_stamp_gap_s, 'en')}): "
            "back-dated, or stamped too late to prove when it was sealed",
            f"账本第 {seq} 条自称时间 {claimed_text}，但覆盖它的第一个时间戳为 {proven}，晚 "
            f"{_span(gap, 'zh')}（上限 {_span(policy.max_stamp_gap_s, 'zh')}）：时间被倒签，"
            "或盖戳过晚，无法证明其封存时间",
        )
    for seq, ahead, claimed_text, proven in early:
        out.add(
            "token-before-entry",
            Severity.ERROR,
            f"ledger entry {seq}",
            f"entry {seq} claims {claimed_text}, but a time-stamp fixed it at {proven}, "
            f"{_span(ahead, 'en')} earlier: the local clock was ahead or the time was altered",
            f"账本第 {seq} 条自称时间 {claimed_text}，但时间戳在 {proven} 已将其固定，早 "
            f"{_span(ahead, 'zh')}：本地时钟超前或时间被篡改",
        )
    if times and not unstamped:
        out.add(
            "timestamps-complete",
            Severity.INFO,
            "custody/timestamps",
            f"all {len(times)} seal points are covered by a verified RFC 3161 token",
            f"全部 {len(times)} 个封存点均有经验证的 RFC 3161 时间戳覆盖",
        )
    if unstamped:
        hard = is_package and not judge.training
        out.add(
            "seal-point-unstamped",
            Severity.ERROR if hard else Severity.WARNING,
            "ledger entries " + ranges(unstamped),
            f"{len(unstamped)} seal point(s) are covered by no time-stamp token"
            + ("" if hard else " (queued, or a training package)"),
            f"{len(unstamped)} 个封存点没有任何时间戳覆盖"
            + ("" if hard else "（排队中，或为训练证据包）"),
        )
    return tuple(times)


def _span(seconds: int, lang: str) -> str:
    seconds = abs(int(seconds))
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    units = (("d", "天"), ("h", "小时"), ("min", "分"), ("s", "秒"))
    parts = [
        f"{v} {u[0]}" if lang == "en" else f"{v}{u[1]}"
        for v, u in zip((d, h, m, s), units, strict=True)
        if v
    ]
    return (" ".join(parts) if lang == "en" else "".join(parts)) or (
        "0 s" if lang == "en" else "0秒"
    )


def ranges(numbers: Sequence[int]) -> str:
    """4,5,6,7,33 -> '4–7,33'."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ",".join(out)
