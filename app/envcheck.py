"""``quzheng env check``: a sealed clean-environment check (REQUIREMENTS §B).

Prints what was found, seals it as an ``env.check`` entry and asks for its time-stamp.
Findings are warnings for the officer, not failures: the command returns 0 whenever the
check was sealed. Errors (no such case, an officer not on the case) raise ``QuzhengError``,
which the CLI turns into one line and exit code 2.
"""

from __future__ import annotations

import sys

from app.i18n import t
from app.installation import Installation
from forensics.case import Case
from forensics.environment import PHASES, Resolver, seal_snapshot, snapshot
from forensics.errors import InputError
from forensics.identity import Signer
from forensics.stamping import stamp_pending


def _out(text: str) -> None:
    print(text, flush=True)


def _case_target(case: Case) -> list[str]:
    """The target URL recorded when the case was opened, if any."""
    url = case.target().get("url")
    return [url] if url else []


def env_check_command(
    inst: Installation,
    case_ref: str,
    targets: list[str],
    signer: Signer,
    ntp_servers: list[str],
    echo_urls: list[str],
    phase: str,
    lang: str,
    *,
    session: str | None = None,
    resolver: Resolver | None = None,
    timeout: float = 3.0,
) -> int:
    """Check, print, seal, stamp. ``targets`` default to the case's recorded target URL;
    ``ntp_servers`` and ``echo_urls`` are whom to ask (``inst.env_servers()`` for the CLI)."""
    lang = "zh" if lang.startswith("zh") else "en"
    if phase not in PHASES:
        raise InputError(
            f"--phase is 'before' or 'after', not {phase!r}",
            f"--phase 应为 before 或 after，而不是 {phase!r}",
        )
    with inst.open_case(case_ref) as case:
        # Refuse before the network round trips, not after them.
        case.require_member(signer)
        targets = list(targets) or _case_target(case)
        _out(t("Checking the capture environment…", "正在进行清洁性检查……", lang))
        snap = snapshot(
            targets,
            ntp_servers=ntp_servers,
            echo_urls=echo_urls,
            resolver=resolver,
            timeout=timeout,
        )
        rec = seal_snapshot(case, signer, snap, phase=phase, session=session)
        for line in snap.lines(lang):
            _out(line)
        data = rec.data
        if phase == "after":
            if data.get("compared_with") is None:
                _out(
                    t(
                        "No check before capture to compare with.",
                        "没有取证前的检查可供比对。",
                        lang,
                    )
                )
            else:
                changes = data.get("changes") or []
                _out(
                    t(
                        f"Compared with the check before capture (entry #{data['compared_with']}): "
                        f"{len(changes)} change(s).",
                        f"与取证前的检查（第 {data['compared_with']} 条）比对：{len(changes)} 处变化。",
                        lang,
                    )
                )
                for change in changes:
                    _out(f"  ! {change['zh'] if lang == 'zh' else change['en']}")
        n = len(data["warnings"])
        _out(
            t(
                f"{n} warning(s). Sealed as ledger entry #{rec.seq} ({rec.hash}).",
                f"共 {n} 项告警。已封存为账本第 {rec.seq} 条（{rec.hash}）。",
                lang,
            )
        )
        _stamp(inst, case, signer, lang)
    return 0


def _stamp(inst: Installation, case: Case, signer: Signer, lang: str) -> None:
    """Ask for the queued time-stamp now; say so on stderr when it stays queued."""
    outcome = stamp_pending(case, signer, inst.tsa_config())
    if outcome.pending:
        reason = t(outcome.reason_en, outcome.reason_zh, lang)
        print(
            t(
                f"quzheng: {outcome.pending} seal point(s) queued for a time-stamp: {reason}",
                f"quzheng：{outcome.pending} 个封存点等待时间戳：{reason}",
                lang,
            ),
            file=sys.stderr,
        )
