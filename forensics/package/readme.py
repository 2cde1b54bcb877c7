"""README.txt of a package: how to verify it, with Quzheng and with standard tools (zh, en)."""

from __future__ import annotations


def readme_text(package_id: str, case_id: str, officer_key: str, has_warc: bool) -> str:
    warc_zh = (
        "\n   warcio check archive/*.warc.gz          # 可选：检查网络流量归档\n"
        if has_warc
        else "\n"
    )
    warc_en = (
        "\n   warcio check archive/*.warc.gz          # optional: check the traffic archives\n"
        if has_warc
        else "\n"
    )
    return f"""取证（Quzheng）电子证据包 / Quzheng sealed evidence package
证据包编号 Package id: {package_id}
案件编号 Case id: {case_id}
导出人员公钥指纹 Exporting officer's key (SHA-256): {officer_key}

==============================  中文  ==============================
一、用取证软件校验（推荐）
   quzheng verify 本文件.qzp [--password-file 密码文件] [--json]
   退出码 0 = 全部通过，1 = 发现完整性问题，2 = 无法读取或密码错误。

二、用通用工具校验（解压后在本目录中执行）
1. 文件哈希：
   sha256sum -c SHA256SUMS
   SM3SUMS 中为 SM3 值，可用 openssl dgst -sm3 文件名 逐一比对。
2. 清单签名（datapackage.json 由导出人员签名）：
   sed -n 's/.*"signature_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.sig
   openssl x509 -in custody/certs/{officer_key}.pem -pubkey -noout > officer.pub
   openssl dgst -sha256 -verify officer.pub -signature datapackage.sig datapackage.json
3. 清单的可信时间戳（RFC 3161）：
   sed -n 's/.*"token_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.tsr
   openssl ts -verify -data datapackage.json -in datapackage.tsr -token_in \\
       -CAfile 时间戳根证书.pem -untrusted custody/certs/tsa-*.pem
   时间戳根证书须由校验人自行取得并核对指纹，不能只信任包内文件。
4. 账本条目的时间戳：custody/timestamps/N.tsr 覆盖账本第 N 条（custody/ledger.jsonl 第 N+1 行）
   的 "hash" 值：
   openssl ts -verify -digest <第 N 条的 hash> -in custody/timestamps/N.tsr -token_in \\
       -CAfile 时间戳根证书.pem -untrusted custody/certs/tsa-*.pem{warc_zh}
三、证据包结构
   evidence/ 原始证据；archive/ 网络流量（WARC 1.1）；custody/ 账本、证书、时间戳；
   report/report.pdf 电子数据提取笔录；datapackage.json 清单（兼容 WACZ 1.1.1）。
   原始证据不做任何修改；派生文件另行封存并注明来源哈希。

==============================  English  ==============================
1. Verify with Quzheng (recommended)
   quzheng verify THIS.qzp [--password-file F] [--json]
   Exit code 0 = every check passed, 1 = an integrity failure, 2 = unreadable or wrong password.

2. Verify with standard tools (in the extracted folder)
 a. File hashes:
   sha256sum -c SHA256SUMS
   SM3SUMS holds the SM3 values; compare with openssl dgst -sm3 FILE.
 b. The manifest signature (the exporting officer signed datapackage.json):
   sed -n 's/.*"signature_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.sig
   openssl x509 -in custody/certs/{officer_key}.pem -pubkey -noout > officer.pub
   openssl dgst -sha256 -verify officer.pub -signature datapackage.sig datapackage.json
 c. The manifest's trusted time-stamp (RFC 3161):
   sed -n 's/.*"token_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.tsr
   openssl ts -verify -data datapackage.json -in datapackage.tsr -token_in \\
       -CAfile TSA-ROOT.pem -untrusted custody/certs/tsa-*.pem
   Obtain the TSA root yourself and check its fingerprint; do not trust the package's copy alone.
 d. Ledger entry time-stamps: custody/timestamps/N.tsr covers the "hash" of ledger entry N
   (line N+1 of custody/ledger.jsonl):
   openssl ts -verify -digest <hash of entry N> -in custody/timestamps/N.tsr -token_in \\
       -CAfile TSA-ROOT.pem -untrusted custody/certs/tsa-*.pem{warc_en}
3. Layout
   evidence/ originals; archive/ network traffic (WARC 1.1); custody/ ledger, certificates,
   time-stamps; report/report.pdf the chain-of-custody report; datapackage.json the manifest
   (WACZ 1.1.1 compatible). Originals are never altered; derived files are sealed separately
   and name their parent's hash.
"""
