"""README.txt of a package: how to verify it, with Quzheng and with standard tools (zh, en)."""

from __future__ import annotations

from forensics.fingerprints import CertPrint, TrustFingerprints, openssl_hex
from forensics.package.layout import LEDGER, Layout


def recompute_command(cert: CertPrint) -> str:
    """The shell command that prints ``cert``'s fingerprint from the package's PEM file."""
    if cert.index == 1:
        return f"openssl x509 -in {cert.file} -noout -fingerprint -sha256"
    return (
        f"awk '/BEGIN CERTIFICATE/{{n++}} n=={cert.index}' {cert.file}"
        " | openssl x509 -noout -fingerprint -sha256"
    )


def _entry(title: str, cert: CertPrint) -> str:
    lines = [title, f"   {cert.subject or '-'}", f"   SHA-256 {openssl_hex(cert.sha256)}"]
    if cert.file:
        lines.append(f"   {recompute_command(cert)}")
    else:
        lines.append("   （证据包中没有这张证书 / the package does not hold this certificate）")
    return "\n".join(lines) + "\n"


def fingerprint_section(fps: TrustFingerprints) -> str:
    out = [
        "==============  指纹 / Fingerprints to compare  ==============\n",
        "证书指纹是证书 DER 编码的 SHA-256，与 openssl x509 -noout -fingerprint -sha256 的输出相同。\n"
        "本文件在证据包内，不能证明自身：请与纸质笔录签名页所印的指纹逐一核对（或电话向签发机关核实）。\n"
        "A fingerprint is the SHA-256 of the certificate's DER, as openssl x509 -noout -fingerprint\n"
        "-sha256 prints it. This file is inside the package and cannot vouch for itself: compare\n"
        "each value with the signature page of the paper report (or with the issuer by phone).\n\n",
    ]
    for ca in fps.cas:
        out.append(_entry(f"执法机关 CA / Agency CA: {ca.name}", ca))
    if not fps.cas and fps.officers:
        out.append(
            "执法人员证书为自签名，没有执法机关 CA：请核对执法人员证书的指纹。\n"
            "The officers' certificates are self-signed (no agency CA): compare their fingerprints.\n"
        )
    for o in fps.officers:
        out.append(_entry(f"执法人员证书 / Officer certificate: {o.name}（{o.badge}）", o))
    for root in fps.tsa_roots:
        name = f"{root.name} (内置时间戳服务)" if root.builtin else root.name
        out.append(_entry(f"时间戳根证书 / TSA root: {name}", root))
        if root.builtin:
            out.append(
                "   内置时间戳服务的时间取自运行它的电脑的系统时钟。\n"
                "   The built-in TSA's time is the system clock of the computer that ran it.\n"
            )
        if not root.self_issued:
            out.append(
                "   证据包中没有它的根证书，以上为证书链最上层的证书。\n"
                "   The package does not hold its root: this is the top of the chain it holds.\n"
            )
    if not fps.tsa_roots:
        out.append("时间戳根证书 / TSA root: 无时间戳 / no time-stamp in the package\n")
    anchor_zh, anchor_en = (
        ("执法机关 CA 指纹", "agency CA SHA-256")
        if fps.cas
        else ("执法人员证书指纹", "officer cert SHA-256")
    )
    out.append(
        "\n核对一致后（指纹请从纸质笔录抄录，不要从本文件复制）：\n"
        f"   quzheng verify 本文件.qzp --trust-fingerprint <{anchor_zh}> --trust-fingerprint <时间戳根证书指纹>\n"
        "   长期信任：quzheng identity trust CA.pem（时间戳根证书加 --tsa）\n"
        "When every value matches (type them from the paper report, do not copy them from this file):\n"
        f"   quzheng verify THIS.qzp --trust-fingerprint <{anchor_en}> --trust-fingerprint <TSA root SHA-256>\n"
        "   To trust them for good: quzheng identity trust CA.pem (add --tsa for a TSA root)\n"
    )
    return "".join(out)


def readme_text(
    package_id: str,
    case_id: str,
    officer_key: str,
    has_warc: bool,
    fingerprints: TrustFingerprints,
    lay: Layout,
) -> str:
    c, t, ledger = lay.certs_dir, lay.tokens_dir, LEDGER
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

{fingerprint_section(fingerprints)}
==============================  中文  ==============================
一、用取证软件校验（推荐）
   quzheng verify 本文件.qzp [--password-file 密码文件] [--json]
   退出码：0 = 通过；1 = 未通过（内容被改动或伪造）；2 = 无法读取或密码错误；
   3 = 内容完好，但信任未建立：将上方“指纹”与纸质笔录核对，再用 --trust-fingerprint
       或 quzheng identity trust 校验；
   4 = 文件封签完好，但内容未校验（加密证据包未提供密码）。

二、用通用工具校验（解压后在本目录中执行）
1. 文件哈希：
   sha256sum -c SHA256SUMS
   SM3SUMS 中为 SM3 值，可用 openssl dgst -sm3 文件名 逐一比对。
   两个校验和文件列出除 datapackage.json、datapackage-digest.json 及其自身外的全部文件；
   datapackage.json 记载两个校验和文件的哈希，并由第 2 步的签名保护。
2. 清单签名（datapackage.json 由导出人员签名）：
   sed -n 's/.*"signature_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.sig
   openssl x509 -in {c}{officer_key}.pem -pubkey -noout > officer.pub
   openssl dgst -sha256 -verify officer.pub -signature datapackage.sig datapackage.json
3. 清单的可信时间戳（RFC 3161）：
   sed -n 's/.*"token_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.tsr
   openssl ts -verify -data datapackage.json -in datapackage.tsr -token_in \\
       -CAfile 时间戳根证书.pem -untrusted {c}tsa-*.pem
   时间戳根证书须由校验人自行取得，或从 {c}tsa-*.pem 中取出后按上方“指纹”一节
   与纸质笔录核对，不能只信任包内文件。
4. 账本条目的时间戳：{t}N.tsr 覆盖账本第 N 条（{ledger} 第 N+1 行）
   的 "hash" 值：
   openssl ts -verify -digest <第 N 条的 hash> -in {t}N.tsr -token_in \\
       -CAfile 时间戳根证书.pem -untrusted {c}tsa-*.pem{warc_zh}
三、证据包结构
   evidence/ 原始证据；archive/ 网络流量（WARC 1.1）；custody/ 账本与证据清单；
   {c} 证书；{t} 时间戳；report/ 电子数据提取笔录与本说明；
   datapackage.json 清单（WACZ 1.1.1，证据包格式 {lay.format}）。
   原始证据不做任何修改；派生文件另行封存并注明来源哈希。
四、在网页存档工具中查看
   证据包本身就是 WACZ 网页存档：复制一份并改名为 .wacz（或导出时直接命名为 .wacz），
   即可在 ReplayWeb.page 中打开，回放所截取的网页（未加密的证据包）。

==============================  English  ==============================
1. Verify with Quzheng (recommended)
   quzheng verify THIS.qzp [--password-file F] [--json]
   Exit code: 0 = PASS; 1 = FAIL (altered or forged); 2 = unreadable input or wrong password;
   3 = intact, but trust not established: compare the fingerprints above with the paper
       report, then use --trust-fingerprint or quzheng identity trust;
   4 = the file's seal is intact, but the contents were not checked (an encrypted package
       verified without its password).

2. Verify with standard tools (in the extracted folder)
 a. File hashes:
   sha256sum -c SHA256SUMS
   SM3SUMS holds the SM3 values; compare with openssl dgst -sm3 FILE.
   The sums files list every file but datapackage.json, datapackage-digest.json and
   themselves; datapackage.json lists the sums files' hashes and is signed (step b).
 b. The manifest signature (the exporting officer signed datapackage.json):
   sed -n 's/.*"signature_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.sig
   openssl x509 -in {c}{officer_key}.pem -pubkey -noout > officer.pub
   openssl dgst -sha256 -verify officer.pub -signature datapackage.sig datapackage.json
 c. The manifest's trusted time-stamp (RFC 3161):
   sed -n 's/.*"token_der_b64": "\\(.*\\)".*/\\1/p' datapackage-digest.json | base64 -d > datapackage.tsr
   openssl ts -verify -data datapackage.json -in datapackage.tsr -token_in \\
       -CAfile TSA-ROOT.pem -untrusted {c}tsa-*.pem
   Obtain the TSA root yourself, or take it from {c}tsa-*.pem once its fingerprint
   matches the paper report (see Fingerprints above); do not trust the package's copy alone.
 d. Ledger entry time-stamps: {t}N.tsr covers the "hash" of ledger entry N
   (line N+1 of {ledger}):
   openssl ts -verify -digest <hash of entry N> -in {t}N.tsr -token_in \\
       -CAfile TSA-ROOT.pem -untrusted {c}tsa-*.pem{warc_en}
3. Layout
   evidence/ originals; archive/ network traffic (WARC 1.1); custody/ the ledger and the
   evidence manifest; {c} certificates; {t} time-stamps; report/ the chain-of-custody report
   and this file; datapackage.json the manifest (WACZ 1.1.1; package format {lay.format}).
   Originals are never altered; derived files are sealed separately and name their
   parent's hash.
4. Viewing in web-archive tools
   The package is a WACZ web archive: copy it to a name ending in .wacz (or export it under
   such a name) and open it in ReplayWeb.page to replay the captured pages (unencrypted
   packages).
"""
