"""``quzheng vault …`` (docs/vault.md): the service (serve, init, grant, sweep — run where the
vault's configuration is) and the officer's client (deposit, list, fetch, reverify,
transfer, receive — signed with the officer's own key, against ``--url`` or
``QUZHENG_VAULT_URL``).

Wiring (the lead's ``build_parser``): ``add_vault_parser(sub, _Parser)``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from app.i18n import cli_lang, t
from app.installation import Installation
from app.secrets import read_secret
from forensics.errors import InputError
from forensics.identity import Signer


def _out(text: str) -> None:
    print(text, flush=True)


def _signer(args: argparse.Namespace, inst: Installation) -> Signer:
    badge = args.as_badge or os.environ.get("QUZHENG_OFFICER")
    if not badge:
        badges = inst.ids.list_badges()
        if len(badges) != 1:
            raise InputError(
                "say which officer acts: --as BADGE (or set QUZHENG_OFFICER)",
                "请用 --as 执法证号 指明操作的执法人员（或设置 QUZHENG_OFFICER）",
            )
        badge = badges[0]
    secret = read_secret(
        args.passphrase_file, "QUZHENG_PASSPHRASE", f"Passphrase for {badge}",
        f"口令（{badge}）", cli_lang(),
    )  # fmt: skip
    return inst.ids.unlock(badge, secret)


def _vault(args: argparse.Namespace, *, signing: bool, check_bucket: bool = True) -> Any:
    from app.vault.config import VaultConfig
    from app.vault.service import Vault

    inst = Installation.current()
    signer = _signer(args, inst) if signing else None
    return Vault(
        VaultConfig.from_env(),
        inst.trust_policy(),
        signer,
        inst.tsa_config() if signing else None,
        check_bucket=check_bucket,
    )


def _client(args: argparse.Namespace, signing: bool = True) -> Any:
    from app.vault.client import VaultClient

    inst = Installation.current()
    url = args.url or os.environ.get("QUZHENG_VAULT_URL", "") or str(inst.setting("vault.url"))
    if not url.strip():
        raise InputError(
            "say where the vault is: --url URL (or set QUZHENG_VAULT_URL, or the setting "
            "vault.url: quzheng config set vault.url URL)",
            "请用 --url 指明保管库地址（或设置 QUZHENG_VAULT_URL，或设置项 vault.url："
            "quzheng config set vault.url 地址）",
        )
    return VaultClient(url.strip(), _signer(args, inst) if signing else None)


# -- service side -------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from app.vault.config import VaultConfig
    from app.vault.storage import ObjectStore

    cfg = VaultConfig.from_env()
    ObjectStore(cfg).create_bucket()
    _vault(args, signing=False)  # migrates the index
    _out(t(f"vault ready: bucket {cfg.bucket} (Object Lock, COMPLIANCE "
           f"{cfg.retention_days} days) and the index",
           f"保管库已就绪：存储桶 {cfg.bucket}（对象锁定，合规保留 {cfg.retention_days} 天）及索引"))  # fmt: skip
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app.vault.server import serve

    return serve(_vault(args, signing=True), args.host, args.port, args.sweep_every)


def cmd_grant(args: argparse.Namespace) -> int:
    _vault(args, signing=False).grant(args.key, args.role)
    _out(t(f"{args.key}: {args.role}", f"{args.key}：{args.role}"))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    results = _vault(args, signing=False).sweep(args.older_than)
    bad = [r for r in results if r["verdict"] != "pass"]
    for r in results:
        _out(f"{r['sha256']}\t{r['verdict']}\t{r['detail']}")
    _out(t(f"re-verified {len(results)}, not PASS: {len(bad)}",
           f"已复核 {len(results)} 个，未通过 {len(bad)} 个"))  # fmt: skip
    return 1 if bad else 0


# -- officer side ---------------------------------------------------------------------------


def cmd_deposit(args: argparse.Namespace) -> int:
    from app.vault.client import save_receipt
    from app.vault.custody import seal_deposit

    inst = Installation.current()
    package = Path(args.file)
    if not package.is_file():
        raise InputError(f"not a readable file: {package}", f"不是可读取的文件：{package}")
    client = _client(args)
    receipt = client.deposit(package, Path(args.seal) if args.seal else None)
    receipt.pop("existing", None)
    path = save_receipt(package, receipt)
    body = receipt["receipt"]
    _out(t("Deposited: ", "已存入保管库：") + f"sha256:{body['package_sha256']}")
    _out(t("Receipt: ", "入库回执：") + str(path))
    case_ref = args.case or body.get("case_id", "")
    try:
        case = inst.open_case(case_ref, acting=client.signer)
    except InputError:
        if args.case:
            raise
        _out(t("(the case is not on this computer: keep the receipt with it)",
               "（本机没有此案件：请将回执与案件一并保存）"))  # fmt: skip
        return 0
    with case:
        rec = seal_deposit(case, client.signer, receipt, inst.trust_policy())
        from forensics.stamping import stamp_pending

        stamp_pending(case, client.signer, inst.tsa_config())
    _out(t(f"sealed in case {case.case_id} as ledger entry {rec.seq}",
           f"已封存于案件 {case.case_id}，账本第 {rec.seq} 条"))  # fmt: skip
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = _client(args).search(
        case_number=args.case_number, party=args.party, platform=args.platform,
        officer=args.officer, since=args.since, until=args.until, limit=args.limit,
    )  # fmt: skip
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        _out("\t".join(str(r[k]) for k in ("sha256", "case_number", "title", "party",
                                           "platform", "deposited_at", "verdict")))  # fmt: skip
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    out = _client(args).fetch(args.sha256, Path(args.out))
    _out(t("Fetched: ", "已取回：") + str(out))
    _out(t("Check it with: quzheng verify ", "请用以下命令校验：quzheng verify ") + str(out))
    return 0


def cmd_reverify(args: argparse.Namespace) -> int:
    r = _client(args).reverify(args.sha256)
    _out(f"{r['sha256']}\t{r['verdict']}\t{r['detail']}")
    return 0 if r["verdict"] == "pass" else 1


def cmd_transfer(args: argparse.Namespace) -> int:
    from app.vault.custody import seal_transfer
    from forensics.stamping import stamp_pending

    inst = Installation.current()
    client = _client(args)
    case = inst.open_case(args.case, acting=client.signer) if args.case else None
    try:
        r = client.transfer(args.sha256, args.to_name, args.to_agency, args.reason, args.expires)
        if case is not None:
            info = client.request("GET", f"/v1/packages/{args.sha256}")
            rec = seal_transfer(
                case, client.signer, info, to_name=args.to_name, to_agency=args.to_agency,
                reason=args.reason, expires_at=r["expires_at"],
            )  # fmt: skip
            stamp_pending(case, client.signer, inst.tsa_config())
            _out(t(f"Transfer sealed in case {case.case_id} as ledger entry {rec.seq}",
                   f"移交已封存于案件 {case.case_id}，账本第 {rec.seq} 条"))  # fmt: skip
    finally:
        if case is not None:
            case.close()
    _out(t("Transfer link (until ", "移交链接（有效期至 ") + r["expires_at"] + "):")
    _out(f"{client.url}/v1/links/{r['token']}")
    _out(t("The receiver: quzheng vault receive LINK --out DIR, then quzheng verify",
           "接收方：quzheng vault receive 链接 --out 目录，然后 quzheng verify"))  # fmt: skip
    return 0


def cmd_receive(args: argparse.Namespace) -> int:
    from app.vault.client import VaultClient

    base, sep, token = args.link.rpartition("/v1/links/")
    if not sep or not token:
        raise InputError(
            f"not a vault transfer link: {args.link}", f"不是保管库移交链接：{args.link}"
        )
    out = VaultClient(base, None).fetch_link(token, Path(args.out))
    _out(t("Received: ", "已接收：") + str(out))
    return 0


def add_vault_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    v = sub.add_parser("vault", help="the agency vault: sealed packages under object lock")
    vs = v.add_subparsers(dest="vault_cmd", required=True, parser_class=parser_class)

    def officer(p: argparse.ArgumentParser, url: bool = True) -> argparse.ArgumentParser:
        p.add_argument(
            "--passphrase-file", type=Path, help="read the officer passphrase from a file"
        )
        p.add_argument("--as", dest="as_badge", metavar="BADGE", help="the acting officer's badge")
        if url:
            p.add_argument("--url", help="the vault (default: QUZHENG_VAULT_URL)")
        return p

    p = vs.add_parser("init", help="create the object-lock bucket and the index (service side)")
    p.set_defaults(func=cmd_init)
    p = officer(
        vs.add_parser("serve", help="run the vault service (as the vault's identity)"), False
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8780)
    p.add_argument(
        "--sweep-every", type=int, default=0, metavar="SECONDS",
        help="re-verify every stored package this often (one instance at a time)",
    )  # fmt: skip
    p.set_defaults(func=cmd_serve)
    p = vs.add_parser("grant", help="give an officer's key a role (service side)")
    p.add_argument("key", help="the officer's key fingerprint (quzheng identity list)")
    p.add_argument("role", choices=["officer", "reviewer", "admin"])
    p.set_defaults(func=cmd_grant)
    p = vs.add_parser("sweep", help="re-verify stored packages (service side; cron)")
    p.add_argument("--older-than", type=int, default=0, metavar="SECONDS")
    p.set_defaults(func=cmd_sweep)

    p = officer(vs.add_parser("deposit", help="deposit a sealed package; seals the receipt"))
    p.add_argument("file", help="FILE.qzp (its seal FILE.qzp.seal.json beside it)")
    p.add_argument("--seal", help="the detached seal, if not beside the package")
    p.add_argument("--case", help="the case to seal the receipt in (default: the package's)")
    p.set_defaults(func=cmd_deposit)
    p = officer(vs.add_parser("list", help="list and search deposited packages"))
    for name in ("case-number", "party", "platform", "officer", "since", "until"):
        p.add_argument(f"--{name}", default="")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = officer(vs.add_parser("fetch", help="download a package and its seal (access recorded)"))
    p.add_argument("sha256")
    p.add_argument("--out", required=True, help="directory")
    p.set_defaults(func=cmd_fetch)
    p = officer(vs.add_parser("reverify", help="re-verify a stored package now"))
    p.add_argument("sha256")
    p.set_defaults(func=cmd_reverify)
    p = officer(vs.add_parser("transfer", help="a time-limited link for a court or agency"))
    p.add_argument("sha256")
    p.add_argument("--to-name", required=True)
    p.add_argument("--to-agency", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--expires", type=int, default=7 * 86400, metavar="SECONDS")
    p.add_argument("--case", help="seal the hand-over in this case as custody.transfer")
    p.set_defaults(func=cmd_transfer)
    p = vs.add_parser("receive", help="download a package from a transfer link")
    p.add_argument("link")
    p.add_argument("--out", required=True, help="directory")
    p.set_defaults(func=cmd_receive)
