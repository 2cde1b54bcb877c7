"""A verification report as a person reads it (verifier guide §2.3): the bottom line first,
then what was proven in words (who signed, which TSA vouched for time, the earliest and
latest proven times), then the findings grouped by code, one line each. ``--json`` keeps
every finding; this text is for the screen and the terminal (CLI and GUI share it).
"""

from __future__ import annotations

import re
from collections import defaultdict

from forensics.timeproof import ranges
from forensics.verdict import (
    Finding,
    OmittedFindings,
    Severity,
    SignerFact,
    Verdict,
    VerificationReport,
)

MARKS = {
    Severity.ERROR: "✗",
    Severity.UNTRUSTED: "?",
    Severity.UNCHECKED: "-",
    Severity.WARNING: "!",
    Severity.INFO: "i",
}
_SHOWN = (Severity.ERROR, Severity.UNTRUSTED, Severity.UNCHECKED, Severity.WARNING)
_ENTRY = re.compile(r"^ledger entr(?:y|ies) ([0-9,–]+)$")


def _t(en: str, zh: str, lang: str) -> str:
    return zh if lang.startswith("zh") else en


def group_findings(findings: tuple[Finding, ...] | list[Finding], lang: str) -> list[str]:
    """One line per (severity, code): how many, which subjects, the first message."""
    groups: dict[tuple[Severity, str], list[Finding]] = defaultdict(list)
    omitted: dict[str, int] = defaultdict(int)
    for f in findings:
        if isinstance(f, OmittedFindings):
            omitted[f.subject] += f.count
        elif f.severity in _SHOWN:
            groups[(f.severity, f.code)].append(f)
    lines = []
    for sev in _SHOWN:
        for (s, code), items in groups.items():
            if s is not sev:
                continue
            more = omitted.pop(code, 0)
            lines.append(
                f"  {MARKS[sev]} [{code}] {_subjects(items, lang, more)}: {items[0].text(lang)}"
            )
    for f in findings:  # a count whose code kept no finding of a shown severity
        if isinstance(f, OmittedFindings) and f.subject in omitted and f.severity in _SHOWN:
            lines.append(f"  {MARKS[f.severity]} [{f.subject}] {f.text(lang)}")
    return lines


def _subjects(items: list[Finding], lang: str, omitted: int = 0) -> str:
    seqs: list[int] = []
    others: list[str] = []
    for f in items:
        m = _ENTRY.match(f.subject)
        if m is None:
            others.append(f.subject)
            continue
        for part in m.group(1).split(","):
            a, _, b = part.partition("–")
            seqs.extend(range(int(a), int(b or a) + 1))
    parts = []
    if seqs:
        parts.append(_t("entries ", "账本第 ", lang) + ranges(seqs) + _t("", " 条", lang))
    unique = list(dict.fromkeys(others))
    if unique:
        shown = ", ".join(unique[:3])
        more = len(unique) - 3
        parts.append(
            shown + (_t(f" and {more} more", f" 等共 {len(unique)} 项", lang) if more > 0 else "")
        )
    if omitted:
        parts.append(
            _t(
                f"and {omitted} more not listed (only the first {len(items)} are kept)",
                f"另有 {omitted} 项未列出（仅保留前 {len(items)} 项）",
                lang,
            )
        )
    total = len(items) + omitted
    count = f"{total}× " if total > 1 else ""
    return count + "; ".join(parts)


def _signer_line(s: SignerFact, lang: str) -> str:
    who = f"{s.name} ({s.badge}, {s.agency})" if s.badge else f"{s.name} ({s.agency})"
    if s.trusted_by == "agency-ca":
        trust = _t(
            f"certified by {s.ca_subject}, CA SHA-256 {s.ca_sha256[:16]}…: trusted",
            f"由 {s.ca_subject} 签发，CA SHA-256 {s.ca_sha256[:16]}…：受信任",
            lang,
        )
    elif s.trusted_by == "pinned":
        trust = _t("trusted by a pinned fingerprint", "经指纹核对受信任", lang)
    elif s.trusted_by == "training":
        trust = _t("training identity", "训练身份", lang)
    elif s.trusted_by == "forged":
        trust = _t(
            "FORGED: claims a trusted agency whose CA did not issue it",
            "伪造：自称受信任机构，但并非该机构 CA 签发",
            lang,
        )
    else:
        trust = _t("NOT trusted", "未受信任", lang)
    role = _t(" [signed the detached seal]", "［独立封签签名人］", lang) if s.role == "seal" else ""
    return f"  {who}{role}: {trust}"


def render_report(report: VerificationReport, lang: str = "en") -> list[str]:
    v = report.verdict
    facts = report.facts
    lines = [_bottom_line(report, lang), _t("Subject: ", "校验对象：", lang) + report.subject]
    # Each certificate once: officers, then the detached seal's signer (always named).
    signers = list({(s.cert_sha256, s.role): s for s in facts.signers}.values())
    if signers:
        lines.append(_t("Signed by:", "签名人：", lang))
        lines += [_signer_line(s, lang) for s in signers]
    for tsa in facts.tsas:
        name = tsa.name.removeprefix("CN=") if tsa.name.count("=") == 1 else tsa.name
        if tsa.builtin and (lang.startswith("zh") or "built-in" not in name):
            name += _t(" (Quzheng built-in TSA)", "（内置时间戳服务）", lang)
        trust = (
            _t("trusted", "受信任", lang) if tsa.trusted else _t("NOT trusted", "未受信任", lang)
        )
        lines.append(
            _t(
                f"Time vouched by {name}: {tsa.tokens} token(s), root SHA-256 {tsa.root_sha256[:16]}…, {trust}",
                f"时间由 {name} 证明：{tsa.tokens} 个时间戳，根证书 SHA-256 {tsa.root_sha256[:16]}…，{trust}",
                lang,
            )
        )
    first, last, gap = facts.earliest, facts.latest, facts.largest_gap
    if first and last and gap:
        lines.append(
            _t(
                f"Proven: {len(facts.times)} seal point(s) existed no later than their tokens, "
                f"earliest {first.proven}, latest {last.proven}; largest gap {gap.gap_s} s (entry {gap.seq})",
                f"已证明：{len(facts.times)} 个封存点不晚于其时间戳时间存在，最早 {first.proven}，"
                f"最晚 {last.proven}；最大间隔 {gap.gap_s} 秒（第 {gap.seq} 条）",
                lang,
            )
        )
    lines += group_findings(report.findings, lang)
    if v is Verdict.UNTRUSTED:
        lines += _fingerprint_lines(report, lang)
    return lines


def _bottom_line(report: VerificationReport, lang: str) -> str:
    v = report.verdict
    head = v.text(lang)
    if v is Verdict.PASS:
        return head + _t(
            f": {report.entries} ledger entries and {report.items} items intact, signed and "
            "time-stamped under this verifier's trust anchors",
            f"：{report.entries} 条账本记录、{report.items} 个证据文件完好，签名与时间戳均可追溯至本校验方的信任锚",
            lang,
        )
    if v is Verdict.FAIL:
        n = sum(x.count if isinstance(x, OmittedFindings) else 1 for x in report.errors)
        return head + _t(f": {n} error finding(s)", f"：{n} 项错误", lang)
    if v is Verdict.UNTRUSTED:
        return head + _t(
            ": the package is consistent, but this verifier holds no anchor for some signer or "
            "TSA (compare the fingerprints below with the paper report)",
            "：证据包自洽，但本校验方对部分签名人或时间戳服务没有信任锚（请将下列指纹与纸质笔录核对）",
            lang,
        )
    return head


def _fingerprint_lines(report: VerificationReport, lang: str) -> list[str]:
    fps = report.facts.fingerprints()
    lines = [
        _t(
            "Fingerprints (SHA-256 of the certificate, as 'openssl x509 -fingerprint -sha256' "
            "prints it); compare them with the report's signature page or README.txt, or by "
            "telephone with the agency, then: quzheng verify FILE --trust-fingerprint SHA256 …",
            "指纹（证书的 SHA-256，与 openssl x509 -fingerprint -sha256 的输出一致）；请与提取笔录"
            "签名页或 README.txt 核对，或电话向机构核实，然后运行：quzheng verify 文件 "
            "--trust-fingerprint SHA256 …",
            lang,
        )
    ]
    for ca in fps["agency_ca"]:
        lines.append(
            _t("  agency CA  ", "  机构 CA    ", lang) + f"{ca['sha256']}  {ca['subject']}"
        )
    for o in fps["officer"]:
        lines.append(
            _t("  officer    ", "  执法人员   ", lang) + f"{o['sha256']}  {o['name']} {o['badge']}"
        )
    for r in fps["tsa_root"]:
        builtin = _t(" (built-in TSA)", "（内置时间戳服务）", lang) if r["builtin"] else ""
        lines.append(
            _t("  TSA root   ", "  时间戳根证书 ", lang) + f"{r['sha256']}  {r['subject']}{builtin}"
        )
    return lines


def verdict_summary(report: VerificationReport, lang: str = "en") -> list[str]:
    """The rendered report without the finding lines (a window lists the findings itself)."""
    marks = tuple(f"  {m} " for m in MARKS.values())
    return [line for line in render_report(report, lang) if not line.startswith(marks)]
