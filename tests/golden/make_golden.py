"""Make a golden sample package of the format the exporter writes now, with the real code.

Two officers under an agency CA, the built-in TSA, a headless capture of the practice
range's shop through the recording proxy (screenshot and traffic; the capture closes its
session with both officers' signatures), then ``quzheng export`` with the report. The
result is small enough to commit and is verified on every test run
(tests/golden/test_golden.py); a sample of each format is kept so that old packages keep
verifying, importing and scoring after the format changes (docs/package-format.md).

    .venv/bin/python -m tests.golden.make_golden tests/golden/format-N

writes ``case.qzp``, ``case.qzp.seal.json``, ``trust/agency-ca.pem``, ``trust/tsa-root.pem``
and ``facts.json`` (what the tests expect of it). Never run by the tests themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "golden sample passphrase"
AGENCY = "示例市市场监督管理局"


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make(out: Path) -> None:
    from forensics.case import Case
    from forensics.identity import IdentityStore, Profile
    from forensics.range import SHOP_HOST, RangeServer
    from forensics.timestamp import TsaServer

    out.mkdir(parents=True, exist_ok=False)
    with tempfile.TemporaryDirectory(prefix="qz-golden-") as tmp_dir:
        tmp = Path(tmp_dir)
        home = tmp / "home"
        ids = IdentityStore(home)
        ids.init_ca("示例市市场监督管理局 CA", PASSPHRASE, agency=AGENCY)
        for name, badge in (("张明", "31000001"), ("李华", "31000002")):
            ids.init_officer(Profile(name, badge, AGENCY), PASSPHRASE)
            ids.issue(badge, PASSPHRASE)
        lead = ids.unlock("31000001", PASSPHRASE)
        with TsaServer(tmp / "tsa") as tsa:
            ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "golden-tsa")
            with Case.create(
                home,
                lead,
                title="网店销售假冒商品案（样本）",
                number="示市监案〔2026〕1号",
                cause="涉嫌销售侵犯注册商标专用权的商品",
                target={"platform": "练习靶场", "shop": "示例旗舰店"},
                location="示例市市场监督管理局 取证室",
                purpose="固定网店销售假冒商品的电子数据",
                officers=[ids.officer("31000002")],
            ) as case:
                case_id = case.case_id
            env = {
                **os.environ,
                "QUZHENG_HOME": str(home),
                "QUZHENG_PASSPHRASE": PASSPHRASE,
                "QUZHENG_LANG": "zh",
                "QUZHENG_OFFICER": "31000001",
                "QUZHENG_TSA_URLS": tsa.url,
                "QT_QPA_PLATFORM": "offscreen",
                "PYTHONPATH": str(ROOT),
            }
            with RangeServer(home / "range", seed=2026) as server:
                url = server.manifest.url(SHOP_HOST, "/")
                _run(
                    ["-m", "ui.entry", "capture", url, "--case", case_id,
                     "--officer", "31000001", "--officer", "31000002",
                     "--range-port", str(server.port)],
                    env,
                )  # fmt: skip
            _run(
                ["-m", "app.cli", "export", "--case", case_id, "--out", str(out / "case.qzp")], env
            )
        trust = out / "trust"
        trust.mkdir()
        shutil.copyfile(ids.ca_dir / "ca-cert.pem", trust / "agency-ca.pem")
        shutil.copyfile(tsa.trust_anchor_path, trust / "tsa-root.pem")
        facts = {"case": case_id, "shop_url": url, "officers": ["31000001", "31000002"]}
        (out / "facts.json").write_text(json.dumps(facts, ensure_ascii=False, indent=2) + "\n")
    for p in out.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.golden.make_golden OUT_DIR")
    make(Path(sys.argv[1]))
