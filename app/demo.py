"""``quzheng demo --out DIR``: the job end to end, headless, with nothing to set up.

It creates two officers and a case inside ``DIR``, runs a session that seals evidence, closes
it with both officers' signatures, verifies the case and prints where everything is. Later
stages (practice-range capture, trusted time, the package and its report) join this script
as they land.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.i18n import t
from forensics.case import Case
from forensics.errors import InputError
from forensics.identity import IdentityStore, Profile
from forensics.verify import verify_case_dir


def run_demo(out: Path) -> int:
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise InputError(
            f"{out} is not empty; the demo needs a new or empty folder",
            f"{out} 不是空目录；演示需要新的或空的目录",
        )
    home = out / "home"
    home.mkdir(parents=True, exist_ok=True)
    passphrase = secrets.token_urlsafe(12)
    (out / "demo-passphrase.txt").write_text(passphrase + "\n", encoding="utf-8")
    os.chmod(out / "demo-passphrase.txt", 0o600)

    ids = IdentityStore(home)
    ids.init_ca("示例市市场监督管理局 演示 CA", passphrase)
    for name, badge in (("张明", "31000001"), ("李华", "31000002")):
        ids.init_officer(Profile(name, badge, "示例市市场监督管理局"), passphrase)
        ids.issue(badge, passphrase)
    lead = ids.unlock("31000001", passphrase)
    second = ids.unlock("31000002", passphrase)
    print(t("1/4 officers and agency CA created", "1/4 已创建执法人员与机构 CA"), flush=True)

    case = Case.create(
        home,
        lead,
        title="某网店销售假冒“示例”品牌商品案（演示）",
        number="示市监案〔2026〕演示1号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        target={"platform": "练习靶场", "shop": "示例旗舰店"},
        location="示例市市场监督管理局 取证室",
        purpose="固定网店销售假冒商品的电子数据",
        officers=[second.officer],
    )
    with case:
        session = case.start_session(lead, {"method": "demo"})
        sample = out / "sample-listing.html"
        sample.write_text(
            "<html><body><h1>示例 正品保证 ¥199</h1></body></html>\n", encoding="utf-8"
        )
        case.import_file(lead, sample, session=session)
        case.note(lead, "演示：页面标称“正品保证”，售价 199 元。", session=session)
        case.end_session(session, [lead, second])
        print(
            t("2/4 session sealed by two officers", "2/4 取证会话已由两名执法人员签名封存"),
            flush=True,
        )
        lines = [line for _, _, line in case.store.ledger_rows()]
        report = verify_case_dir(case.store.dir, lines, ids.trusted_cas())
        print(t("3/4 case verified", "3/4 案件已校验"), flush=True)
        verdict = t("PASS", "通过") if report.bottom_line else t("FAIL", "未通过")
        print(t("4/4 done", "4/4 完成"))
        print(t("Case directory: ", "案件目录：") + str(case.store.dir))
        print(t("Data home (QUZHENG_HOME): ", "数据目录（QUZHENG_HOME）：") + str(home))
        print(t("Verdict: ", "校验结论：") + verdict)
        return 0 if report.bottom_line else 1
