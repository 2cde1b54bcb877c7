"""Verification of a sealed package (FORMATS.md §3), streaming, without extraction.

Every member is hashed once (SHA-256 and SM3 in one pass); the package-level checks and the
ledger checks of ``forensics.verify`` then use those digests. Unreadable input (not a ZIP,
hostile names, wrong password, malformed control files) raises ``InputError``/``AuthError``
(exit 2); everything that parses but does not match is a finding (exit 1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from forensics.canonical import canonical_bytes
from forensics.errors import AuthError, InputError
from forensics.hashing import Digests, digest_file, digest_stream
from forensics.identity import cert_key_fingerprint, load_certs_pem
from forensics.package import layout as L
from forensics.package.reader import PackageReader
from forensics.timestamp import TokenError, verify_token
from forensics.verify import (
    DEFAULT_TIME_TOLERANCE_US,
    Finding,
    Severity,
    VerificationReport,
    verify_source,
)

Progress = Callable[[int, int], None]


class PackageSource:
    """The package as the ledger verifier sees it."""

    unlisted_is_error = True

    def __init__(self, reader: PackageReader, lines: list[str], digests: dict[str, Digests]):
        self.reader = reader
        self.label = str(reader.path)
        self._lines = lines
        self._digests = digests

    def ledger_lines(self) -> list[str]:
        return self._lines

    def cert_pem(self, key_fp: str) -> bytes | None:
        name = f"{L.CERTS_DIR}{key_fp}.pem"
        if len(key_fp) != 64 or not self.reader.has(name):
            return None
        return self.reader.read_control(name)

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None:
        path = str(item.get("path", ""))
        return self.reader.open(path) if self.reader.has(path) else None

    def known_digests(self, item: dict[str, Any]) -> tuple[int, str, str] | None:
        d = self._digests.get(str(item.get("path", "")))
        return None if d is None else (d.size, d.sha256, d.sm3)

    def unlisted(self, referenced: set[str]) -> list[str]:
        return []  # the package checks list-completeness against datapackage.json


def _json(reader: PackageReader, name: str) -> Any:
    try:
        return json.loads(reader.read_control(name))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{reader.path}: {name} is not valid JSON ({exc})",
            f"{reader.path}：{name} 不是有效的 JSON",
        ) from None


def _parse_sums(data: bytes) -> dict[str, str] | None:
    out: dict[str, str] = {}
    try:
        for line in data.decode("utf-8").splitlines():
            if not line.strip():
                continue
            value, name = line.split("  ", 1)
            out[name] = value
    except (ValueError, UnicodeDecodeError):
        return None
    return out


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, code: str, sev: Severity, subject: str, en: str, zh: str) -> None:
        self.items.append(Finding(code, sev, subject, en, zh))


_DAMAGED = Digests(-1, "damaged", "damaged")


def _hash_members(
    reader: PackageReader, progress: Progress | None, f: _Findings
) -> dict[str, Digests]:
    total = sum(reader.size(n) for n in reader.names)
    done = 0
    out: dict[str, Digests] = {}
    for name in reader.names:
        try:
            with reader.open(name) as stream:
                out[name] = digest_stream(stream)
        except AuthError:
            raise
        except InputError as exc:
            # A member whose bytes no longer match the ZIP's own CRC was altered in place:
            # an integrity finding about that file, not unreadable input.
            out[name] = _DAMAGED
            f.add("file-damaged", Severity.ERROR, name, exc.message_en, exc.message_zh)
            continue
        done += out[name].size
        if progress:
            progress(done, total)
    return out


def _verify_sig(cert: x509.Certificate, data: bytes, sig_b64: object) -> bool:
    pub = cert.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey) or not isinstance(sig_b64, str):
        return False
    try:
        pub.verify(base64.b64decode(sig_b64, validate=True), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _check_token(
    f: _Findings,
    code: str,
    subject: str,
    token: object,
    digest_hex: str,
    tsa_roots: Sequence[bytes],
    what_en: str,
    what_zh: str,
) -> None:
    if not isinstance(token, dict):
        f.add(
            f"{code}-unstamped",
            Severity.WARNING,
            subject,
            f"{what_en} carries no RFC 3161 time-stamp",
            f"{what_zh}没有 RFC 3161 时间戳",
        )
        return
    try:
        der = base64.b64decode(str(token.get("token_der_b64", "")), validate=True)
    except (ValueError, binascii.Error):
        der = b""
    if not tsa_roots:
        f.add(
            "token-tsa-untrusted",
            Severity.ERROR,
            subject,
            f"the time-stamp on {what_en} cannot be checked: no TSA root is trusted",
            f"{what_zh}的时间戳无法验证：未信任任何时间戳根证书",
        )
        return
    try:
        verify_token(der, bytes.fromhex(digest_hex), list(tsa_roots))
    except TokenError as exc:
        code = exc.code if exc.code.startswith("token-") else f"token-{exc.code}"
        f.add(
            code,
            Severity.ERROR,
            subject,
            f"time-stamp on {what_en}: {exc.message_en}",
            f"{what_zh}的时间戳：{exc.message_zh}",
        )
    except (InputError, ValueError) as exc:
        f.add(
            "token-malformed",
            Severity.ERROR,
            subject,
            f"time-stamp on {what_en} is unreadable ({exc})",
            f"{what_zh}的时间戳无法读取",
        )


def verify_seal(
    package: Path,
    seal_path: Path,
    trusted_tsas: Sequence[bytes],
    f: _Findings,
    whole: Digests | None = None,
) -> None:
    """(10) the detached seal: whole-file size and digests, signature, token."""
    subject = seal_path.name
    try:
        seal = json.loads(seal_path.read_bytes()[: L.MAX_CONTROL_BYTES])
        body = seal["seal"]
        certs = load_certs_pem(str(seal["signer_cert_pem"]).encode(), subject)
        if not isinstance(body, dict) or not certs:
            raise TypeError("seal")
    except (OSError, ValueError, KeyError, TypeError, InputError):
        f.add(
            "seal-unreadable",
            Severity.ERROR,
            subject,
            f"{subject} is unreadable",
            f"{subject} 无法读取",
        )
        return
    whole = whole or digest_file(package)
    for key, got in (("size", whole.size), ("sha256", whole.sha256), ("sm3", whole.sm3)):
        if body.get(key) != got:
            f.add(
                f"seal-{key}-mismatch",
                Severity.ERROR,
                package.name,
                f"the package file's {key} is {got}, its seal says {body.get(key)}: the file was altered",
                f"证据包文件的 {key} 为 {got}，封签记载为 {body.get(key)}：文件被改动",
            )
    signer = body.get("signer", {})
    if not isinstance(signer, dict) or cert_key_fingerprint(certs[0]) != signer.get("key"):
        f.add(
            "seal-signer-mismatch",
            Severity.ERROR,
            subject,
            "the seal's certificate is not its signer's",
            "封签证书与签名人不符",
        )
    elif not _verify_sig(certs[0], canonical_bytes(body), seal.get("signature_der_b64")):
        f.add(
            "seal-signature-invalid",
            Severity.ERROR,
            subject,
            "the seal's signature is not valid",
            "封签签名无效",
        )
    _check_token(
        f,
        "seal",
        subject,
        seal.get("timestamp"),
        whole.sha256,
        trusted_tsas,
        "the package file",
        "证据包文件",
    )


def verify_package(
    path: Path,
    *,
    password: str | None = None,
    trusted_cas: list[x509.Certificate] | None = None,
    trusted_tsas: Sequence[bytes] = (),
    seal_path: Path | None = None,
    time_tolerance_us: int = DEFAULT_TIME_TOLERANCE_US,
    progress: Progress | None = None,
) -> VerificationReport:
    f = _Findings()
    checks = ["package"]
    seal_path = seal_path or path.with_name(path.name + ".seal.json")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seal") as pool:
        # The whole-file digests for the seal run on the second core while the members are
        # hashed, so the package is read twice at the cost of once.
        future = None
        if seal_path.is_file() and path.is_file():
            checks.append("seal")
            future = pool.submit(digest_file, path)
        done = [future is None]

        def check_seal() -> None:
            if not done[0] and future is not None:
                done[0] = True
                verify_seal(path, seal_path, trusted_tsas, f, future.result())

        return _verify(
            path, password, f, checks, progress, trusted_cas, trusted_tsas,
            time_tolerance_us, check_seal,
        )  # fmt: skip


def _verify(
    path: Path,
    password: str | None,
    f: _Findings,
    checks: list[str],
    progress: Progress | None,
    trusted_cas: list[x509.Certificate] | None,
    trusted_tsas: Sequence[bytes],
    time_tolerance_us: int,
    check_seal: Callable[[], None],
) -> VerificationReport:
    try:
        reader = PackageReader(path, password)
    except AuthError as exc:
        if password is not None or "seal" not in checks:
            raise
        # FORMATS.md §2: the detached seal lets a recipient check an encrypted package
        # before the password is known. The contents wait for the password.
        check_seal()
        f.add(
            "contents-not-checked",
            Severity.WARNING,
            path.name,
            f"{exc.message_en}: only the detached seal was checked (the whole file's digests, "
            "signature and time-stamp); verify again with the password to check the contents",
            f"{exc.message_zh}：仅校验了独立封签（整个文件的摘要、签名与时间戳）；"
            "取得密码后请再次校验证据包内容",
        )
        return _done(path, f, checks, None)
    except InputError as exc:
        check_seal()
        if not _altered(f):
            raise
        # The seal already proves the file was altered: that is the finding, not bad input.
        f.add("package-unreadable", Severity.ERROR, path.name, exc.message_en, exc.message_zh)
        return _done(path, f, checks, None)
    with reader:
        try:
            return _verify_open(
                path, reader, f, checks, progress, trusted_cas, trusted_tsas,
                time_tolerance_us, check_seal,
            )  # fmt: skip
        except AuthError:
            raise
        except InputError as exc:
            check_seal()
            if not _altered(f):
                raise
            # Members already found altered cannot be parsed either: report, don't crash.
            f.add("package-unreadable", Severity.ERROR, path.name, exc.message_en, exc.message_zh)
            return _done(path, f, checks, None)


def _verify_open(
    path: Path,
    reader: PackageReader,
    f: _Findings,
    checks: list[str],
    progress: Progress | None,
    trusted_cas: list[x509.Certificate] | None,
    trusted_tsas: Sequence[bytes],
    time_tolerance_us: int,
    check_seal: Callable[[], None],
) -> VerificationReport:
    digests = _hash_members(reader, progress, f)
    check_seal()
    names = set(digests)
    for name in L.REQUIRED:
        if name not in names:
            f.add(
                "file-missing",
                Severity.ERROR,
                name,
                f"{name} is missing from the package",
                f"证据包缺少 {name}",
            )
    dp = _json(reader, L.DATAPACKAGE) if L.DATAPACKAGE in names else None
    if dp is None or L.LEDGER not in names:
        return _done(path, f, checks, None)
    if not isinstance(dp, dict) or not isinstance(dp.get("resources"), list):
        raise InputError(
            f"{path}: datapackage.json has no resources list",
            f"{path}：datapackage.json 缺少 resources 列表",
        )
    qz = dp.get("quzheng") if isinstance(dp.get("quzheng"), dict) else {}
    assert isinstance(qz, dict)
    sm3_map = qz.get("sm3") if isinstance(qz.get("sm3"), dict) else {}
    assert isinstance(sm3_map, dict)

    # (1) every listed file exists with its size, SHA-256 and SM3; nothing unlisted.
    listed: set[str] = set()
    for res in dp["resources"]:
        if not isinstance(res, dict):
            continue
        name = str(res.get("path", ""))
        listed.add(name)
        d = digests.get(name)
        if d is None:
            f.add(
                "file-missing",
                Severity.ERROR,
                name,
                f"{name} is listed in datapackage.json but missing",
                f"{name} 已列入清单但缺失",
            )
            continue
        for code, want, got, label in (
            ("file-size", res.get("bytes"), d.size, "size"),
            ("file-sha256", res.get("hash"), f"sha256:{d.sha256}", "SHA-256"),
            ("file-sm3", sm3_map.get(name), d.sm3, "SM3"),
        ):
            if want != got:
                f.add(
                    code,
                    Severity.ERROR,
                    name,
                    f"{name}: {label} does not match the manifest: the file was altered",
                    f"{name}：{label} 与清单不符，文件被改动",
                )
    for name in sorted(names - listed - L.NOT_IN_DATAPACKAGE):
        f.add(
            "file-unlisted",
            Severity.ERROR,
            name,
            f"{name} is in the package but not in its manifest",
            f"{name} 在证据包中但未列入清单",
        )

    # (2) the sums files agree with the content.
    checks.append("sums")
    for sums_name, algo in ((L.SHA256SUMS, "sha256"), (L.SM3SUMS, "sm3")):
        if sums_name not in names:
            continue
        sums = _parse_sums(reader.read_control(sums_name))
        if sums is None:
            f.add(
                "sums-malformed",
                Severity.ERROR,
                sums_name,
                f"{sums_name} is malformed",
                f"{sums_name} 格式错误",
            )
            continue
        for name, value in sorted(sums.items()):
            d = digests.get(name)
            got_sum: str | None = None if d is None else (d.sha256 if algo == "sha256" else d.sm3)
            if got_sum != value:
                f.add(
                    "sums-mismatch",
                    Severity.ERROR,
                    name,
                    f"{sums_name} does not match {name}",
                    f"{sums_name} 与 {name} 不符",
                )
        for name in sorted(names - set(sums) - L.NOT_IN_SUMS):
            f.add(
                "sums-unlisted",
                Severity.ERROR,
                name,
                f"{name} is not listed in {sums_name}",
                f"{name} 未列入 {sums_name}",
            )

    # (3) the manifest digest: hash, exporting officer's signature, time-stamp.
    checks.append("manifest")
    dp_bytes = reader.read_control(L.DATAPACKAGE)
    dp_sha = hashlib.sha256(dp_bytes).hexdigest()
    digest_signer = ""
    if L.DIGEST in names:
        dg = _json(reader, L.DIGEST)
        dq = (
            dg.get("quzheng")
            if isinstance(dg, dict) and isinstance(dg.get("quzheng"), dict)
            else {}
        )
        assert isinstance(dq, dict)
        if not isinstance(dg, dict) or dg.get("hash") != f"sha256:{dp_sha}":
            f.add(
                "manifest-hash-mismatch",
                Severity.ERROR,
                L.DATAPACKAGE,
                "datapackage.json does not match its digest: the manifest was edited",
                "datapackage.json 与其摘要不符：清单被编辑",
            )
        signer = dq.get("signer", {})
        key = str(signer.get("key", "")) if isinstance(signer, dict) else ""
        digest_signer = key
        cert_name = f"{L.CERTS_DIR}{key}.pem"
        cert = None
        if len(key) == 64 and reader.has(cert_name):
            try:
                cert = load_certs_pem(reader.read_control(cert_name), cert_name)[0]
            except (InputError, IndexError):
                cert = None
        if cert is None or cert_key_fingerprint(cert) != key:
            f.add(
                "manifest-signer-unknown",
                Severity.ERROR,
                L.DIGEST,
                "the manifest's signer has no certificate in the package",
                "清单签名人的证书不在证据包中",
            )
        elif not _verify_sig(cert, dp_bytes, dq.get("signature_der_b64")):
            f.add(
                "manifest-signature-invalid",
                Severity.ERROR,
                L.DIGEST,
                "the signature over datapackage.json is not valid",
                "datapackage.json 的签名无效",
            )
        _check_token(
            f,
            "manifest",
            L.DIGEST,
            dq.get("timestamp"),
            dp_sha,
            trusted_tsas,
            "the manifest",
            "清单",
        )

    # (4) the ledger: continuity, hashes, signatures, items, tokens (forensics.verify).
    text = reader.read_control(L.LEDGER).decode("utf-8", errors="replace")
    lines = [line for line in text.split("\n") if line.strip()]
    ledger_report = verify_source(
        PackageSource(reader, lines, digests),
        trusted_cas or [],
        trusted_tsas,
        time_tolerance_us=time_tolerance_us,
    )
    f.items.extend(ledger_report.findings)
    checks.extend(ledger_report.checks)

    # (5) the ledger head named by the manifests is the ledger's last entry.
    last_hash = None
    if lines:
        try:
            last_hash = json.loads(lines[-1]).get("hash")
        except (ValueError, AttributeError):
            last_hash = None
    head = qz.get("ledger_head", {})
    if not isinstance(head, dict) or head.get("hash") != last_hash:
        f.add(
            "ledger-head-mismatch",
            Severity.ERROR,
            L.LEDGER,
            "the ledger does not end at the head the manifest names (truncated or extended)",
            "账本末条与清单记载的账本头不符（被截断或追加）",
        )
    if L.MANIFEST in names:
        manifest = _json(reader, L.MANIFEST)
        mhead = manifest.get("ledger_head", {}) if isinstance(manifest, dict) else {}
        if not isinstance(mhead, dict) or mhead.get("hash") != last_hash:
            f.add(
                "ledger-head-mismatch",
                Severity.ERROR,
                L.MANIFEST,
                "the evidence manifest names another ledger head",
                "证据清单记载的账本头不符",
            )
        for entry in manifest.get("files", []) if isinstance(manifest, dict) else []:
            if not isinstance(entry, dict):
                continue
            d = digests.get(str(entry.get("path")))
            if d is None or (d.sha256, d.sm3, d.size) != (
                entry.get("sha256"),
                entry.get("sm3"),
                entry.get("size"),
            ):
                f.add(
                    "manifest-file-mismatch",
                    Severity.ERROR,
                    str(entry.get("path")),
                    "a file does not match the evidence manifest the report is bound to",
                    "文件与笔录绑定的证据清单不符",
                )
    exporters: dict[object, str] = {}
    for line in lines:
        if '"package.export"' not in line:
            continue
        try:
            entry = json.loads(line).get("entry", {})
            exporters[entry.get("data", {}).get("package_id")] = str(entry["actor"]["key"])
        except (ValueError, AttributeError, KeyError, TypeError):
            continue
    exporter = exporters.get(qz.get("package_id"))
    if exporter is not None and L.DIGEST in names and digest_signer != exporter:
        # (3b) only the officer who sealed this export may sign its manifest: a re-signed
        # manifest (after the ledger's tail was cut and the sums rewritten) fails here.
        f.add(
            "manifest-signer-not-exporter",
            Severity.ERROR,
            L.DIGEST,
            "the manifest is not signed by the officer whose package.export entry names this package",
            "清单签名人不是账本中导出本证据包的执法人员",
        )
    if exporter is None:
        f.add(
            "package-id-mismatch",
            Severity.ERROR,
            L.DATAPACKAGE,
            "no package.export entry in the ledger names this package",
            "账本中没有导出本证据包的条目",
        )
    if L.REPORT not in names:
        f.add(
            "report-missing",
            Severity.ERROR,
            L.REPORT,
            "the report is missing",
            "缺少电子数据提取笔录",
        )
    return _done(path, f, checks, ledger_report)


def _altered(f: _Findings) -> bool:
    """Proof of alteration found so far (the seal, or a member failing its own CRC)."""
    return any(
        x.severity is Severity.ERROR and (x.code.startswith("seal-") or x.code == "file-damaged")
        for x in f.items
    )


def _done(
    path: Path, f: _Findings, checks: list[str], ledger: VerificationReport | None
) -> VerificationReport:
    return VerificationReport(
        str(path),
        tuple(f.items),
        tuple(checks),
        ledger.entries if ledger else 0,
        ledger.items if ledger else 0,
    )
