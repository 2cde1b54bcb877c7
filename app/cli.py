"""``quzheng``'s subcommands (README "Command line"). The program's entry point is
``ui.entry``: it opens the GUI with no arguments and passes everything else here.

Every error reaches the user as one clear line and an exit code: 0 success, 1 a failed
verification, 2 unreadable input, a wrong passphrase or a usage error; ``verify`` adds 3
(intact, trust not established) and 4 (sealed file intact, contents not checked).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import settings
from app.capture.leftovers import pending, require_ready_for_export
from app.i18n import cli_lang, t
from app.installation import Installation
from app.reporting import report_hook
from app.secrets import read_secret, secret_from_env
from app.train import add_train_parser
from app.vault.cli import add_vault_parser
from forensics import __version__
from forensics.case import Case, import_batches, list_cases, resolve_case_dir
from forensics.custody import import_package, record_transfer, transfer_record_path
from forensics.errors import InputError, QuzhengError
from forensics.identity import (
    IdentityStore,
    Officer,
    Profile,
    Signer,
    cert_fingerprint,
    load_certs_pem,
)
from forensics.ledger_checks import VerificationReport
from forensics.package import export_package, verify_package
from forensics.package.layout import EXTENSIONS as PACKAGE_EXTENSIONS
from forensics.stamping import TsaConfig, stamp_pending
from forensics.verdict_text import render_report
from forensics.x509names import subject_text


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, like every other input error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"usage: {message} (see '{self.prog} --help')", f"用法错误：{message}")


def _out(text: str) -> None:
    print(text, flush=True)


# -- trusted time -----------------------------------------------------------------------


def _stamp(
    case: Case,
    signer: Signer,
    inst: Installation,
    *,
    tsa: TsaConfig | None = None,
    quiet: bool = False,
) -> int:
    """Stamp what is queued; say so on stderr when tokens stay queued (stdout stays data),
    unless ``quiet``. Returns how many stay queued."""
    outcome = stamp_pending(case, signer, tsa or inst.tsa_config())
    if outcome.pending and not quiet:
        reason = t(outcome.reason_en, outcome.reason_zh)
        print(
            t(
                f"quzheng: {outcome.pending} seal point(s) queued for a time-stamp: {reason}",
                f"quzheng：{outcome.pending} 个封存点等待时间戳：{reason}",
            ),
            file=sys.stderr,
        )
    return outcome.pending


def cmd_stamp(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        outcome = stamp_pending(case, signer, inst.tsa_config())
        _out(
            t(
                f"stamped {len(outcome.stamped)}, still queued {outcome.pending}",
                f"已获取时间戳 {len(outcome.stamped)} 个，仍在排队 {outcome.pending} 个",
            )
        )
        if outcome.pending:
            _out(t(outcome.reason_en, outcome.reason_zh))
    return 0


# -- identities -------------------------------------------------------------------------


def _passphrase(args: argparse.Namespace, confirm: bool = False, who: str = "") -> str:
    return read_secret(
        getattr(args, "passphrase_file", None),
        "QUZHENG_PASSPHRASE",
        f"Passphrase{' for ' + who if who else ''}",
        f"口令{'（' + who + '）' if who else ''}",
        cli_lang(),
        confirm,
    )


def _warn(text: str) -> None:
    print("quzheng: " + text, file=sys.stderr)


def _acting(inst: Installation, ref: str, signer: Signer) -> Case:
    """Open a case for a command that acts as ``signer``: what an interrupted capture left
    unsealed is sealed first (app.capture.leftovers)."""
    return inst.open_case(ref, acting=signer, say=_warn)


def _signer(args: argparse.Namespace, ids: IdentityStore, badge: str | None = None) -> Signer:
    badge = badge or getattr(args, "as_badge", None) or os.environ.get("QUZHENG_OFFICER")
    if not badge:
        badges = ids.list_badges()
        if len(badges) != 1:
            raise InputError(
                "say which officer acts: --as BADGE (or set QUZHENG_OFFICER)",
                "请用 --as 执法证号 指明操作的执法人员（或设置 QUZHENG_OFFICER）",
            )
        badge = badges[0]
    return ids.unlock(badge, _passphrase(args, who=badge))


def cmd_identity_init(args: argparse.Namespace) -> int:
    ids = Installation.current().ids
    profile = Profile(args.name, args.badge, args.agency, args.role)
    officer = ids.init_officer(profile, _passphrase(args, confirm=True))
    _out(t("Officer profile created.", "已创建执法人员档案。"))
    _out(f"  {profile.name}  {profile.badge}  {profile.agency}")
    _out(t("  key fingerprint (SHA-256): ", "  公钥指纹（SHA-256）：") + officer.key_fp)
    _out(
        t(
            "  Keep the passphrase safe: without it the key cannot sign, and nobody can recover it.",
            "  请妥善保管口令：没有口令将无法签名，且无人能够找回。",
        )
    )
    return 0


def cmd_identity_list(args: argparse.Namespace) -> int:
    ids = Installation.current().ids
    for badge in ids.list_badges():
        o = ids.officer(badge)
        issuer = (
            "self-signed" if o.cert.issuer == o.cert.subject else o.cert.issuer.rfc4514_string()
        )
        _out(f"{badge}\t{o.profile.name}\t{o.profile.agency}\t{o.key_fp}\t{issuer}")
    anchors = ids.trust_anchors()
    if anchors:
        _out("")
        _out(
            t(
                "Trusted roots (kind, labels, SHA-256, subject):",
                "信任的根证书（类别、标签、SHA-256、主体）：",
            )
        )
    for a in anchors:
        kind = ("tsa-training" if a.builtin_only else "tsa") if a.tsa else "agency-ca"
        _out(f"{kind}\t{','.join(a.labels) or '-'}\t{a.fingerprint}\t{subject_text(a.cert)}")
    return 0


def _ca_passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    return read_secret(
        args.ca_passphrase_file,
        "QUZHENG_CA_PASSPHRASE",
        "Agency CA passphrase",
        "机构 CA 口令",
        cli_lang(),
        confirm,
    )


def cmd_ca_init(args: argparse.Namespace) -> int:
    ids = Installation.current().ids
    agencies = {ids.officer(b).profile.agency for b in ids.list_badges()}
    agency = args.agency or (agencies.pop() if len(agencies) == 1 else args.name)
    cert = ids.init_ca(args.name, _ca_passphrase(args, confirm=True), agency=agency)
    _out(
        t("Agency CA created and trusted: ", "已创建并信任机构 CA：")
        + str(ids.ca_dir / "ca-cert.pem")
    )
    _out("  SHA-256: " + cert_fingerprint(cert))
    return 0


def cmd_ca_issue(args: argparse.Namespace) -> int:
    ids = Installation.current().ids
    officer = ids.issue(args.badge, _ca_passphrase(args))
    _out(
        t("Certificate issued by the agency CA for ", "已由机构 CA 签发证书：")
        + f"{officer.profile.name} ({officer.profile.badge})"
    )
    return 0


def cmd_identity_trust(args: argparse.Namespace) -> int:
    ids = Installation.current().ids
    try:
        pem = Path(args.file).read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {args.file}: {exc.strerror}", f"无法读取 {args.file}"
        ) from None
    # Stored under its fingerprint: another agency's "agency-ca.pem" must not replace ours.
    certs = load_certs_pem(pem, args.file)
    if not certs:
        raise InputError(f"no certificate in {args.file}", f"{args.file} 中没有证书")
    label = f"trusted-{cert_fingerprint(certs[0])[:16]}"
    if args.tsa:
        ids.trust_tsa(pem, label)
    else:
        ids.trust_ca(pem, label)
    _out(t("Trusted: ", "已信任：") + args.file)
    return 0


# -- cases ------------------------------------------------------------------------------


def cmd_case_new(args: argparse.Namespace) -> int:
    inst = Installation.current()
    ids = inst.ids
    officers: list[Officer | tuple[Officer, str]] = [ids.officer(b) for b in args.officer]
    officers += [(ids.officer(b), "recorder") for b in args.recorder]
    officers += [(ids.officer(b), "assistant") for b in args.assistant]
    lead = args.as_badge or os.environ.get("QUZHENG_OFFICER")
    signer = _signer(args, ids, lead or (args.officer[0] if args.officer else None))
    target = {
        k: v
        for k, v in (
            ("platform", args.platform),
            ("shop", args.shop),
            ("account", args.account),
            ("room", args.room),
            ("url", args.target_url),
        )
        if v
    }
    case = Case.create(
        inst.cases,
        signer,
        title=args.title,
        number=args.number,
        cause=args.cause,
        target=target,
        location=args.location,
        purpose=args.purpose,
        officers=officers,
        training=args.training,
        agency=args.agency,
        document_number=args.document_number,
        party=args.party,
        party_not_signed_reason=args.party_not_signed_reason,
        carrier_statement=args.carrier_statement,
    )
    with case:
        _out(case.case_id)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    for info in list_cases(Installation.current().cases):
        _out(
            "\t".join(
                [
                    info.case_id,
                    info.number or "-",
                    info.title,
                    ",".join(info.officers),
                    info.status,
                    info.last_activity,
                ]
            )
        )
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    with Installation.current().open_case(args.case, recover=False) as case:
        info = case.info()
        rows = [
            (t("Case id", "案件编号"), info.case_id),
            (t("Number", "案号"), info.number),
            (t("Title", "标题"), info.title),
            (t("Status", "状态"), info.status),
            (t("Training", "训练"), str(info.training)),
            (t("Last activity", "最后活动"), info.last_activity),
        ]
        for label, value in rows:
            _out(f"{label}: {value}")
        target = case.target()
        if target:
            _out(t("Target:", "取证对象："))
            for key, value in target.items():
                _out(f"  {key}: {value}")
        _out(t("Officers:", "办案人员："))
        for fp, o in case.officers().items():
            _out(f"  {o.name}  {o.badge}  {o.agency}  {o.role}  {fp}")
        n_items = case.store.item_totals()
        _out(t("Items: ", "证据文件：") + f"{n_items[0]} ({n_items[1]} bytes)")
        for session in case.unclosed_sessions():
            _out(t("Session not closed: ", "未结束的取证会话：") + session)
        left = pending(case.store.dir / "work")
        if left:
            _warn(
                t(
                    f"{len(left)} file(s) left by an interrupted capture wait to be sealed: the "
                    "next command that acts as an officer of this case seals them",
                    f"中断的取证留下 {len(left)} 个文件待封存：本案办案人员执行的下一个操作会先封存它们",
                )
            )
    return 0


# Roles ``case add-officer`` can give (the lead is named when the case opens).
_ROLE_ZH = {"officer": "办案人员", "recorder": "记录人", "assistant": "技术辅助人员"}


def _officer_by_ref(ids: IdentityStore, ref: str) -> Officer:
    """An officer profile by badge number, or by key fingerprint (a unique prefix of at least
    8 hex digits will do, as ``quzheng identity list`` and ``case show`` print it)."""
    if ref in ids.list_badges():
        return ids.officer(ref)
    key = ref.lower()
    if len(key) >= 8 and all(c in "0123456789abcdef" for c in key):
        found = [o for o in map(ids.officer, ids.list_badges()) if o.key_fp.startswith(key)]
        if len(found) == 1:
            return found[0]
    return ids.officer(ref)  # NotFoundError: "no officer with badge …", one line


def cmd_case_add_officer(args: argparse.Namespace) -> int:
    inst = Installation.current()
    ids = inst.ids
    officer = _officer_by_ref(ids, args.officer)
    signer = _signer(args, ids)
    with _acting(inst, args.case, signer) as case:
        rec = case.add_officer(signer, officer, role=args.role)
    p = officer.profile
    _out(
        t(
            f"{p.name} ({p.badge}) added to the case as {args.role}: ledger entry {rec.seq}",
            f"已将 {p.name}（{p.badge}）添加为本案{_ROLE_ZH[args.role]}：账本第 {rec.seq} 条",
        )
    )
    return 0


def cmd_case_log(args: argparse.Namespace) -> int:
    with Installation.current().open_case(args.case, recover=False) as case:
        for _, _, line in case.store.ledger_rows():
            _out(line)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    inst = Installation.current()
    paths = [Path(p) for p in args.files]
    for p in paths:
        if not p.is_file():
            raise InputError(f"not a readable file: {p}", f"不是可读取的文件：{p}")
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        tsa = inst.tsa_config()
        waiting, done = 0, 0
        for batch in import_batches(paths):
            for rec in case.import_files(signer, batch):
                item = rec.items[0]
                _out(f"{rec.seq}\t{item.path}\tsha256:{item.sha256}\tsm3:{item.sm3}")
            done += len(batch)
            if not waiting or done == len(paths):
                # Each batch's tokens right after its seal, before the next files are read.
                # While no TSA answers, the rest wait for one more try when all are sealed.
                waiting = _stamp(case, signer, inst, tsa=tsa, quiet=done < len(paths))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        rec = case.note(signer, args.text)
        _out(f"{rec.seq}\t{rec.hash}")
    return 0


def cmd_session_start(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        _out(case.start_session(signer))
    return 0


def cmd_session_end(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signers = [_signer(args, inst.ids, b) for b in args.officer]
    with _acting(inst, args.case, signers[0]) as case:
        rec = case.end_session(args.session, signers, allow_single_officer=args.training_single)
        _out(f"{rec.seq}\t{rec.hash}")
        _stamp(case, signers[0], inst)
    return 0


# -- verification -----------------------------------------------------------------------


def _print_report(report: VerificationReport, lang: str) -> None:
    for line in render_report(report, lang):
        _out(line)


def _progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A one-line progress bar on a terminal; nothing when output is redirected."""
    if not sys.stderr.isatty():
        return None
    state = {"last": -1}

    def show(done: int, total: int) -> None:
        pct = 100 if total <= 0 else done * 100 // total
        if pct != state["last"]:
            state["last"] = pct
            bar = "#" * (pct // 4)
            end = "\n" if pct >= 100 else ""
            print(f"\r{label} [{bar:<25}] {pct:3d}%", end=end, file=sys.stderr, flush=True)

    return show


def _package_password(args: argparse.Namespace) -> str | None:
    f = getattr(args, "password_file", None)
    if f is None:
        return secret_from_env("QUZHENG_PACKAGE_PASSWORD")
    return read_secret(f, "QUZHENG_PACKAGE_PASSWORD", "Package password", "证据包密码", cli_lang())


def cmd_verify(args: argparse.Namespace) -> int:
    inst = Installation.current()
    lang = args.lang or cli_lang()
    target = Path(args.target)
    if target.suffix.lower() in PACKAGE_EXTENSIONS and not target.exists():
        raise InputError(f"file not found: {target}", f"文件不存在：{target}")
    policy = inst.trust_policy(
        args.trust_fingerprint, training=args.training, max_stamp_gap_s=args.max_stamp_gap
    )
    if target.is_file():
        report = verify_package(
            target,
            policy,
            password=_package_password(args),
            seal_path=args.seal,
            progress=_progress_bar(t("verifying", "校验中", lang)),
        )
    else:
        with inst.open_case(args.target, recover=False) as case:
            report = case.verify(policy)
            _record_verification(args, inst, case, report)
    if args.json:
        _out(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, lang)
    return report.verdict.exit_code


def _recording_officer(args: argparse.Namespace, ids: IdentityStore) -> Signer | None:
    """The officer who signs the ledger record of a verification or a report: the one
    ``--as`` (or QUZHENG_OFFICER) names; None when nobody is named."""
    badge = getattr(args, "as_badge", None) or os.environ.get("QUZHENG_OFFICER")
    return _signer(args, ids, badge) if badge else None


def _record_verification(
    args: argparse.Namespace, inst: Installation, case: Case, report: VerificationReport
) -> None:
    """Append the ``verify`` entry (forensics.custody_records); the verdict stands either way."""
    from forensics.custody_records import record_verification

    try:
        signer = _recording_officer(args, inst.ids)
        if signer is None:
            _warn(
                t(
                    "this verification is not recorded in the case's ledger: "
                    "name the acting officer with --as BADGE to record it",
                    "本次校验未记入案件账本：用 --as 执法证号 指明操作的执法人员即可记录",
                )
            )
            return
        rec = record_verification(case, signer, report, via="cli")
    except QuzhengError as exc:
        what = t("the verification is not recorded: ", "校验未能记入账本：")
        _warn(what + exc.diagnostics(cli_lang()))
        return
    _warn(t(f"verification recorded as ledger entry {rec.seq}", f"校验已记入账本第 {rec.seq} 条"))


def cmd_export(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        require_ready_for_export(case)
        result = export_package(
            case,
            signer,
            Path(args.out),
            password=_package_password(args),
            tsa=inst.tsa_config(),
            report=report_hook(args.lang),  # the case's language unless --lang says
            backup=Path(args.backup) if args.backup else None,
            progress=_progress_bar(t("exporting", "导出中")),
        )
    _out(t("Package: ", "证据包：") + str(result.path))
    _out(t("Package id: ", "证据包编号：") + result.package_id)
    _out(f"SHA-256: {result.sha256}")
    _out(f"SM3:     {result.sm3}")
    _out(t("Seal: ", "封签：") + str(result.seal_path))
    if result.backup_path:
        _out(t("Backup (identical, compared): ", "备份（已比对一致）：") + str(result.backup_path))
    for w in result.warnings:
        print("quzheng: " + w, file=sys.stderr)
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    inst = Installation.current()
    signer = _signer(args, inst.ids)
    with _acting(inst, args.case, signer) as case:
        rec = record_transfer(
            case,
            signer,
            Path(args.package),
            to_name=args.to_name,
            to_badge=args.to_badge,
            to_agency=args.to_agency,
            reason=args.reason,
        )
        _stamp(case, signer, inst)
    _out(t(f"Transfer sealed as ledger entry {rec.seq}", f"移交已封存为账本第 {rec.seq} 条"))
    _out(
        t("Hand over with the package: ", "随证据包一并移交：")
        + str(transfer_record_path(Path(args.package)))
    )
    return 0


def cmd_import_package(args: argparse.Namespace) -> int:
    inst = Installation.current()
    receiver = _signer(args, inst.ids)
    case = import_package(
        inst.cases,
        Path(args.package),
        receiver,
        inst.trust_policy(
            args.trust_fingerprint, training=args.training, max_stamp_gap_s=args.max_stamp_gap
        ),
        password=_package_password(args),
        reason=args.reason,
    )
    with case:
        _stamp(case, receiver, inst)
        _out(case.case_id)
    return 0


def cmd_env_check(args: argparse.Namespace) -> int:
    from app.envcheck import env_check_command

    inst = Installation.current()
    signer = _signer(args, inst.ids)
    servers = inst.env_servers()
    return env_check_command(
        inst,
        args.case,
        list(args.target),
        signer,
        list(servers.ntp),
        list(servers.echo),
        args.phase,
        args.lang or cli_lang(),
        session=args.session,
    )


# -- settings ---------------------------------------------------------------------------


def cmd_config(args: argparse.Namespace) -> int:
    inst = Installation.current()
    if args.action == "get":
        keys = [args.key] if args.key else sorted(settings.SETTINGS)
        for key in keys:
            _out(f"{key}={inst.setting(key)}")
        return 0
    if args.key is None or args.value is None:
        raise InputError("usage: quzheng config set KEY VALUE", "用法：quzheng config set 键 值")
    _out(f"{args.key}={inst.set_setting(args.key, args.value)}")
    return 0


# -- services ---------------------------------------------------------------------------


def cmd_range_serve(args: argparse.Namespace) -> int:
    from forensics.range.command import serve

    return serve(args.port, Installation.current().home / "range", args.seed)


def cmd_tsa_serve(args: argparse.Namespace) -> int:
    from forensics.timestamp import create_tsa_identity
    from forensics.timestamp.command import serve

    inst = Installation.current()
    home = inst.home
    identity = create_tsa_identity(home / "tsa")
    # This installation trusts its own built-in TSA (training, small agencies); others
    # trust it explicitly with 'quzheng identity trust --tsa'.
    inst.ids.trust_tsa(identity.root_path.read_bytes(), "builtin-tsa")
    return serve(args.port, home / "tsa", args.host)


def cmd_report(args: argparse.Namespace) -> int:
    from forensics.report.command import report_command

    # The case's language (Chinese for a Chinese agency), not the locale's, unless --lang.
    inst = Installation.current()
    signer = _recording_officer(args, inst.ids)
    if signer is None:
        _warn(
            t(
                "this report is not recorded in the case's ledger: "
                "name the acting officer with --as BADGE to record it",
                "本次生成笔录未记入案件账本：用 --as 执法证号 指明操作的执法人员即可记录",
            )
        )
    return report_command(inst.cases, args.case, Path(args.out), args.lang, signer)


def cmd_capture(args: argparse.Namespace) -> int:
    from app.capture.headless import practice_range_mapping, run_capture

    inst = Installation.current()
    badges = list(args.officer) or ([args.as_badge] if args.as_badge else [])
    if len(badges) < 2:
        raise InputError(
            "name the officers present with --officer BADGE (at least two)",
            "请用 --officer 执法证号 指明在场的执法人员（至少两名）",
        )
    map_hosts, cas = (
        practice_range_mapping(inst.home / "range", args.range_port)
        if args.range_port
        else (None, None)
    )
    return run_capture(
        inst,
        str(resolve_case_dir(inst.cases, args.case)),  # found before any passphrase is asked
        args.url,
        signers=[_signer(args, inst.ids, b) for b in badges],
        full_page=args.full_page,
        snapshot=args.snapshot,
        video_seconds=args.video or 0,
        map_hosts=map_hosts,
        upstream_cas=cas,
        tsa=inst.tsa_config(),
        out=_out,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import run_demo

    return run_demo(Path(args.out), live_seconds=args.live_seconds)


# -- parser -----------------------------------------------------------------------------


def _trust_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--trust-fingerprint",
        action="append",
        default=[],
        metavar="SHA256",
        help="trust a certificate (agency CA, officer or TSA root) by the SHA-256 of its DER, "
        "as read from the paper report; repeatable, colons allowed",
    )
    p.add_argument(
        "--training",
        action="store_true",
        help="accept a training package (training identities, the built-in TSA) as an exercise",
    )
    p.add_argument(
        "--max-stamp-gap",
        type=int,
        metavar="SECONDS",
        help="largest allowed gap between an entry's time and its first token (default 3600)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="quzheng",
        description="Quzheng (取证): sealed evidence of online infringement",
        epilog="quzheng --selftest checks this installation (seal, verify, report, proxy, browser).",
    )
    p.add_argument("--version", action="version", version=f"quzheng {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def with_pass(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument(
            "--passphrase-file", type=Path, help="read the officer passphrase from a file"
        )
        sp.add_argument(
            "--as", dest="as_badge", metavar="BADGE", help="the acting officer's badge number"
        )
        return sp

    ident = sub.add_parser("identity", help="officer profiles, keys and the agency CA")
    isub = ident.add_subparsers(dest="identity_cmd", required=True, parser_class=_Parser)
    ii = with_pass(isub.add_parser("init", help="create an officer profile and key"))
    ii.add_argument("--name", required=True)
    ii.add_argument("--badge", required=True, help="执法证号")
    ii.add_argument("--agency", required=True)
    ii.add_argument("--role", default="officer")
    ii.set_defaults(func=cmd_identity_init)
    isub.add_parser("list", help="list officer profiles").set_defaults(func=cmd_identity_list)
    it = isub.add_parser("trust", help="trust another agency's CA (or, with --tsa, a TSA root)")
    it.add_argument("file")
    it.add_argument("--tsa", action="store_true", help="the file is a time-stamp authority root")
    it.set_defaults(func=cmd_identity_trust)
    ca = isub.add_parser("ca", help="an agency CA for small agencies and training")
    casub = ca.add_subparsers(dest="ca_cmd", required=True, parser_class=_Parser)
    ci = casub.add_parser("init", help="create the agency CA")
    ci.add_argument("--name", required=True)
    ci.add_argument(
        "--agency",
        help="the agency whose officers it certifies (default: the officers' agency, else --name)",
    )
    ci.add_argument("--ca-passphrase-file", type=Path)
    ci.set_defaults(func=cmd_ca_init)
    cs = casub.add_parser("issue", help="issue an officer's certificate from the agency CA")
    cs.add_argument("--badge", required=True)
    cs.add_argument("--ca-passphrase-file", type=Path)
    cs.set_defaults(func=cmd_ca_issue)

    case = sub.add_parser("case", help="cases")
    csub = case.add_subparsers(dest="case_cmd", required=True, parser_class=_Parser)
    cn = with_pass(csub.add_parser("new", help="open a new case; prints its id"))
    cn.add_argument("--title", required=True)
    cn.add_argument("--number", default="", help="案号")
    cn.add_argument("--cause", default="", help="案由")
    cn.add_argument("--officer", action="append", default=[], metavar="BADGE")
    cn.add_argument("--platform", default="")
    cn.add_argument("--shop", default="")
    cn.add_argument("--account", default="")
    cn.add_argument("--room", default="", help="the live-stream room ID (直播间)")
    cn.add_argument("--target-url", default="")
    cn.add_argument("--location", default="")
    cn.add_argument("--purpose", default="")
    cn.add_argument(
        "--training", action="store_true", help="a training case (may allow one officer)"
    )
    cn.add_argument("--recorder", action="append", default=[], metavar="BADGE", help="记录人")
    cn.add_argument(
        "--assistant", action="append", default=[], metavar="BADGE", help="技术辅助人员"
    )
    cn.add_argument("--agency", default="", help="the agency named in the report header")
    cn.add_argument("--document-number", default="", help="文书编号 of the report")
    cn.add_argument("--party", default="", help="当事人, where known")
    cn.add_argument("--party-not-signed-reason", default="", help="why the party did not sign")
    cn.add_argument(
        "--carrier-statement",
        default="",
        help="原始存储介质情况说明 for the report (default: the data were extracted online "
        "from the target's servers, which could not be seized)",
    )
    cn.set_defaults(func=cmd_case_new)
    csub.add_parser("list").set_defaults(func=cmd_case_list)
    cao = with_pass(
        csub.add_parser("add-officer", help="add an officer to a case (signed by an officer of it)")
    )
    cao.add_argument("--case", required=True)
    cao.add_argument(
        "--officer", required=True, metavar="BADGE_OR_ID", help="badge number or key fingerprint"
    )
    cao.add_argument("--role", choices=list(_ROLE_ZH), default="officer")
    cao.set_defaults(func=cmd_case_add_officer)
    for name, func in (("show", cmd_case_show), ("log", cmd_case_log)):
        sp = csub.add_parser(name)
        sp.add_argument("case")
        sp.set_defaults(func=func)

    imp = with_pass(sub.add_parser("import", help="seal external files into a case"))
    imp.add_argument("files", nargs="+")
    imp.add_argument("--case", required=True)
    imp.set_defaults(func=cmd_import)

    note = with_pass(sub.add_parser("note", help="add a sealed note"))
    note.add_argument("text")
    note.add_argument("--case", required=True)
    note.set_defaults(func=cmd_note)

    ses = sub.add_parser("session", help="capture sessions (start, and end with two officers)")
    ssub = ses.add_subparsers(dest="session_cmd", required=True, parser_class=_Parser)
    ss = with_pass(ssub.add_parser("start"))
    ss.add_argument("--case", required=True)
    ss.set_defaults(func=cmd_session_start)
    se = with_pass(ssub.add_parser("end"))
    se.add_argument("--case", required=True)
    se.add_argument("--session", required=True)
    se.add_argument("--officer", action="append", default=[], metavar="BADGE", required=True)
    se.add_argument("--training-single", action="store_true")
    se.set_defaults(func=cmd_session_end)

    env = sub.add_parser("env", help="the clean-environment check (清洁性检查)")
    esub = env.add_subparsers(dest="env_cmd", required=True, parser_class=_Parser)
    ec = with_pass(esub.add_parser("check", help="check and seal the capture environment"))
    ec.add_argument("--case", required=True)
    ec.add_argument("--target", action="append", default=[], metavar="URL")
    ec.add_argument("--phase", choices=["before", "after"], default="before")
    ec.add_argument("--session", help="the capture session this check belongs to")
    ec.add_argument("--lang", choices=["zh", "en"])
    ec.set_defaults(func=cmd_env_check)

    cap = with_pass(
        sub.add_parser("capture", help="headless browser capture through the recording proxy")
    )
    cap.add_argument("url")
    cap.add_argument("--case", required=True)
    cap.add_argument(
        "--officer", action="append", default=[], metavar="BADGE", help="officers present (≥ 2)"
    )
    cap.add_argument("--full-page", action="store_true")
    cap.add_argument("--snapshot", action="store_true")
    cap.add_argument("--video", type=int, default=0, metavar="SECONDS")
    cap.add_argument(
        "--range-port", type=int, help="the practice range's port (quzheng range serve)"
    )
    cap.set_defaults(func=cmd_capture)

    stp = with_pass(sub.add_parser("stamp", help="obtain queued RFC 3161 time-stamps now"))
    stp.add_argument("--case", required=True)
    stp.set_defaults(func=cmd_stamp)

    ver = with_pass(
        sub.add_parser("verify", help="verify a case (or package) and print every finding")
    )
    ver.add_argument("target", help="case id or case directory")
    ver.add_argument("--json", action="store_true")
    ver.add_argument("--lang", choices=["zh", "en"])
    ver.add_argument("--password-file", type=Path, help="password of an encrypted package")
    ver.add_argument("--seal", type=Path, help="the detached seal (default: FILE.qzp.seal.json)")
    _trust_options(ver)
    ver.set_defaults(func=cmd_verify)

    exp = with_pass(sub.add_parser("export", help="export a case as a sealed package"))
    exp.add_argument("--case", required=True)
    exp.add_argument("--out", required=True, help="FILE.qzp (or FILE.wacz: the same package)")
    exp.add_argument("--password-file", type=Path, help="encrypt the package (AES-256)")
    exp.add_argument("--backup", help="also write an identical copy here, compared after writing")
    exp.add_argument("--lang", choices=["zh", "en"], help="language of the report")
    exp.set_defaults(func=cmd_export)

    tr = with_pass(
        sub.add_parser("transfer", help="seal a transfer of custody of an exported package")
    )
    tr.add_argument("--case", required=True)
    tr.add_argument("--package", required=True, help="the exported FILE.qzp")
    tr.add_argument("--to-name", required=True)
    tr.add_argument("--to-badge", default="")
    tr.add_argument("--to-agency", required=True)
    tr.add_argument("--reason", required=True)
    tr.set_defaults(func=cmd_transfer)

    ip = with_pass(
        sub.add_parser("import-package", help="verify, then import a package as a received case")
    )
    ip.add_argument("package")
    ip.add_argument("--password-file", type=Path)
    ip.add_argument("--reason", default="")
    _trust_options(ip)
    ip.set_defaults(func=cmd_import_package)

    cfg = sub.add_parser("config", help="settings")
    cfg.add_argument("action", choices=["get", "set"])
    cfg.add_argument("key", nargs="?")
    cfg.add_argument("value", nargs="?")
    cfg.set_defaults(func=cmd_config)

    rng = sub.add_parser("range", help="the practice range")
    rsub = rng.add_subparsers(dest="range_cmd", required=True, parser_class=_Parser)
    rs = rsub.add_parser("serve", help="serve the simulated shop and live stream")
    rs.add_argument("--port", type=int, default=8443)
    rs.add_argument("--seed", type=int, default=2026)
    rs.set_defaults(func=cmd_range_serve)

    tsa = sub.add_parser("tsa", help="the built-in RFC 3161 time-stamp authority")
    tsub = tsa.add_subparsers(dest="tsa_cmd", required=True, parser_class=_Parser)
    ts = tsub.add_parser("serve")
    ts.add_argument("--port", type=int, default=3161)
    ts.add_argument("--host", default="127.0.0.1")
    ts.set_defaults(func=cmd_tsa_serve)

    rep = with_pass(
        sub.add_parser("report", help="the chain-of-custody report (电子数据提取笔录) as PDF")
    )
    rep.add_argument("--case", required=True)
    rep.add_argument("--out", required=True, help="FILE.pdf")
    rep.add_argument("--lang", choices=["zh", "en"])
    rep.set_defaults(func=cmd_report)

    add_train_parser(sub, _Parser)
    add_vault_parser(sub, _Parser)

    demo = sub.add_parser("demo", help="the whole job, headless, on the practice range")
    demo.add_argument("--out", required=True)
    demo.add_argument(
        "--live-seconds", type=int, default=30, help="how long to record the live room"
    )
    demo.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None, *, run: Callable[[], int] | None = None) -> int:
    """The command line. ``run``: a program to run instead of a subcommand, under the same
    error handling — the program's entry point (``ui.entry``) passes the GUI (no arguments)
    and the self-test (``--selftest``) here; app/ never imports ui/. Without it, no
    arguments print the usage."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = cli_lang()
    try:
        if run is not None:
            return int(run())
        args = build_parser().parse_args(argv)
        if not hasattr(args, "func"):
            build_parser().print_help()
            return 2
        return int(args.func(args))
    except QuzhengError as exc:
        print(f"quzheng: {exc.diagnostics(lang)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("quzheng: " + t("interrupted", "已中断", lang), file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"quzheng: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
