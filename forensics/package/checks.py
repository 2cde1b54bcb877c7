"""Verification of a sealed package (verifier guide §2.4: checks P, M, D, K2–K5),
streaming, without extraction.

Every member is hashed once (SHA-256 and SM3 in one pass); the package-level checks and the
ledger checks of ``forensics.ledger_checks`` then use those digests. Unreadable input (not a ZIP,
hostile names, wrong password, malformed control files) raises ``InputError``/``AuthError``
(exit 2); everything that parses is judged under the trust policy into one verdict.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from forensics import safejson
from forensics.certtrust import judge_chain
from forensics.entry_data import ExportData
from forensics.errors import AuthError, InputError
from forensics.hashing import Digests, digest_file, digest_stream
from forensics.identity import cert_key_fingerprint, load_certs_pem
from forensics.ledger import LEDGER_VERSION, Record, parse_record
from forensics.ledger_checks import is_training, verify_source
from forensics.package import layout as L
from forensics.package.documents import DataPackage, PackageDigest, Seal
from forensics.package.reader import MemberAltered, PackageReader, Span
from forensics.package.scan import Scan, file_id, scan_package
from forensics.package.wacz_signing import signed_data_problem
from forensics.timeproof import TokenJudge, token_finding
from forensics.timestamp import TokenError
from forensics.trust import TrustPolicy
from forensics.verdict import (
    Collector,
    Facts,
    Finding,
    Severity,
    SignerFact,
    VerificationReport,
)

Progress = Callable[[int, int], None]


class PackageSource:
    """The package as the ledger verifier sees it."""

    unlisted_is_error = True

    def __init__(
        self,
        reader: PackageReader,
        lines: list[str],
        digests: dict[str, Digests],
        lay: L.Layout,
    ):
        self.reader = reader
        self.label = str(reader.path)
        self._lines = lines
        self._digests = digests
        self.layout = lay

    def ledger_lines(self) -> list[str]:
        return self._lines

    def cert_pem(self, key_fp: str) -> bytes | None:
        name = self.layout.officer_cert(key_fp)
        if len(key_fp) != 64 or not self.reader.has(name):
            return None
        return self.reader.read_control(name)

    def open_item(self, item: dict[str, Any]) -> BinaryIO | None:
        name = self.layout.member(str(item.get("path", "")))
        return self.reader.open(name) if self.reader.has(name) else None

    def known_digests(self, item: dict[str, Any]) -> tuple[int, str, str] | None:
        d = self._digests.get(self.layout.member(str(item.get("path", ""))))
        return None if d is None else (d.size, d.sha256, d.sm3)

    def unlisted(self, referenced: set[str]) -> list[str]:
        return []  # the package checks list-completeness itself (K2)

    def tsa_certs(self) -> list[x509.Certificate]:
        """The TSA chains the exporter wrote (``tsa-*.pem`` in the certificates folder):
        candidates only."""
        out: list[x509.Certificate] = []
        for name in self.reader.names:
            if self.layout.is_tsa_chain(name):
                try:
                    out.extend(load_certs_pem(self.reader.read_control(name), name))
                except InputError:
                    continue
        return out


def _json(reader: PackageReader, name: str) -> Any:
    return safejson.loads(reader.read_control(name), what=f"{reader.path}: {name}")


def read_seal_json(path: Path) -> Any:
    """A detached seal (or transfer record) file parsed within its bounds (InputError)."""
    try:
        size = path.stat().st_size
        if size > L.MAX_SEAL_BYTES:
            raise InputError(
                f"{path.name} is {size} bytes, over the {L.MAX_SEAL_BYTES}-byte bound",
                f"{path.name} 大小为 {size} 字节，超出 {L.MAX_SEAL_BYTES} 字节的上限",
            )
        with open(path, "rb") as fh:
            data = fh.read(L.MAX_SEAL_BYTES + 1)
    except OSError as exc:
        raise InputError(
            f"{path.name} is unreadable ({exc.strerror or exc})", f"{path.name} 无法读取"
        ) from None
    return safejson.loads(data, what=path.name, max_bytes=L.MAX_SEAL_BYTES)


def _parse_sums(data: bytes) -> dict[str, str] | None:
    out: dict[str, str] = {}
    if data.count(b"\n") > L.MAX_MEMBERS + 1:
        return None  # more lines than a package may hold members: malformed, not parsed
    try:
        for line in data.decode("utf-8").splitlines():
            if not line.strip():
                continue
            value, name = line.split("  ", 1)
            out[name] = value
    except (ValueError, UnicodeDecodeError):
        return None
    return out


_DAMAGED = Digests(-1, "damaged", "damaged")


def _hash_members(
    reader: PackageReader, progress: Progress | None, f: Collector, known: _Known | None = None
) -> dict[str, Digests]:
    total = sum(reader.size(n) for n in reader.names)
    done = 0
    out: dict[str, Digests] = {}
    hashed = known.members(progress, total, file_id(reader.stat())) if known is not None else {}
    for name in reader.names:
        if name in hashed:  # read in the one pass, its CRC checked
            out[name] = hashed[name]
            done += hashed[name].size
            if progress:
                progress(done, total)
            continue
        try:
            with reader.open(name) as stream:
                out[name] = digest_stream(stream)
        except MemberAltered as exc:
            # A member whose bytes no longer match the ZIP's own CRC was altered in place:
            # an integrity finding about that file, not unreadable input. (A header nobody
            # can read — a flipped method or version — is unreadable input: InputError.)
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
    f: Collector,
    judge: TokenJudge,
    code: str,
    subject: str,
    token: object,
    digest_hex: str,
    what_en: str,
    what_zh: str,
) -> None:
    """M3 / D4: the manifest's and the seal's tokens, judged like the ledger's (T1–T3)."""
    if not isinstance(token, dict):
        hard = not judge.training
        f.add(
            f"{code}-unstamped",
            Severity.ERROR if hard else Severity.WARNING,
            subject,
            f"{what_en} carries no RFC 3161 time-stamp",
            f"{what_zh}没有 RFC 3161 时间戳",
        )
        return
    try:
        der = base64.b64decode(str(token.get("token_der_b64", "")), validate=True)
    except (ValueError, binascii.Error):
        der = b""
    try:
        judged = judge.judge(der, bytes.fromhex(digest_hex))
    except (TokenError, InputError) as exc:
        token_finding(exc, subject, what_en, what_zh, f)
        return
    judge.report_untrusted(judged, subject, f)


@dataclass(frozen=True)
class _Seal:
    signer: SignerFact | None
    subject: str = ""


def verify_seal(
    package: Path,
    seal_path: Path,
    judge: TokenJudge,
    f: Collector,
    whole: Digests | None = None,
) -> _Seal:
    """D1–D4: the detached seal: whole-file size and digests, signer, signature, token."""
    subject = seal_path.name
    try:
        seal = Seal.parse(read_seal_json(seal_path), subject)
        certs = load_certs_pem((seal.signer_cert_pem or "").encode(), subject)
        if not certs:
            raise TypeError("seal")
    except InputError as exc:
        f.add(
            "seal-unreadable",
            Severity.ERROR,
            subject,
            f"{subject} is unreadable ({exc.message_en})",
            f"{subject} 无法读取（{exc.message_zh}）",
        )
        return _Seal(None, subject)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        f.add(
            "seal-unreadable",
            Severity.ERROR,
            subject,
            f"{subject} is unreadable",
            f"{subject} 无法读取",
        )
        return _Seal(None, subject)
    body = seal.body
    if body.v not in L.SUPPORTED_FORMATS:
        f.add(
            "seal-format-unknown",
            Severity.ERROR,
            subject,
            f"the seal is of format {str(body.v)[:40]}, which this verifier does not know",
            f"封签格式 {str(body.v)[:40]} 不是本校验工具支持的格式",
        )
    whole = whole or digest_file(package)
    for key, got in (("size", whole.size), ("sha256", whole.sha256), ("sm3", whole.sm3)):
        if getattr(body, key) != got:
            f.add(
                f"seal-{key}-mismatch",
                Severity.ERROR,
                package.name,
                f"the package file's {key} is {got}, its seal says {getattr(body, key)}: "
                "the file was altered",
                f"证据包文件的 {key} 为 {got}，封签记载为 {getattr(body, key)}：文件被改动",
            )
    fact = None
    if cert_key_fingerprint(certs[0]) != body.signer.key:
        f.add(
            "seal-signer-mismatch",
            Severity.ERROR,
            subject,
            "the seal's certificate is not its signer's",
            "封签证书与签名人不符",
        )
    elif not _verify_sig(certs[0], seal.signed, seal.signature_der_b64):
        f.add(
            "seal-signature-invalid",
            Severity.ERROR,
            subject,
            "the seal's signature is not valid",
            "封签签名无效",
        )
    else:
        fact = judge_chain(subject, certs, judge.policy, judge.training, f, role="seal")
    _check_token(
        f,
        judge,
        "seal",
        subject,
        seal.timestamp,
        whole.sha256,
        "the package file",
        "证据包文件",
    )
    return _Seal(fact, subject)


class _Known:
    """The digests read on the second thread: the whole file's for the seal and, when the
    package is plain and stored (``PackageReader.stored_spans``), every member's from the
    same single read (``forensics.package.scan``); otherwise the members are read through the
    ZIP library as they always were.

    A ``scan`` made while the file's bytes arrived (``StreamScan``) takes the place of that
    read when the file is still the one it was made of (``file_id``); of its members, only
    those lying exactly where the reader finds them (name, start, size, CRC) count, and the
    others are read through the ZIP library as before."""

    def __init__(self, pool: ThreadPoolExecutor, path: Path, scan: Scan | None = None) -> None:
        self._read = 0
        self._future = pool.submit(self._run, path, _plan(path), scan)

    def _run(
        self, path: Path, spans: list[Span] | None, scan: Scan | None
    ) -> tuple[Digests, _Members]:
        if scan is not None and _same_file(path, scan):
            return scan.whole, (scan.file_id, scan.digests_for(spans or []))
        if spans is not None:
            try:
                scan = scan_package(path, spans, self._note)
            except Exception:
                pass  # read again below, where a failure is reported as it always was
            else:
                return scan.whole, (scan.file_id, scan.digests_for(spans))
        return digest_file(path), None

    def _note(self, read: int) -> None:
        self._read = read

    def whole(self) -> Digests:
        return self._future.result()[0]

    def members(
        self, progress: Progress | None, total: int, reading: tuple[int, ...]
    ) -> dict[str, Digests]:
        """Wait for the pass (reporting its progress on the caller's thread). Its digests
        count only if it read the very file (``reading``: ``scan.file_id``) the caller reads."""
        while not futures_wait([self._future], timeout=0.25).done:
            if progress:
                progress(min(self._read, total), total)
        if self._future.exception() is not None:
            return {}  # the seal check reports it
        found = self._future.result()[1]
        if found is None or found[0] != reading:
            return {}
        return found[1]


# The file a single pass read (``scan.file_id``) and the members' digests from it.
_Members = tuple[tuple[int, ...], dict[str, Digests]] | None


def _same_file(path: Path, scan: Scan) -> bool:
    try:
        return file_id(path.stat()) == scan.file_id
    except OSError:
        return False  # the ordinary reading reports it


def _plan(path: Path) -> list[Span] | None:
    try:
        with PackageReader(path) as reader:
            return reader.stored_spans()
    except Exception:  # encrypted, or anything wrong: the ordinary reading reports it
        return None


def verify_package(
    path: Path,
    policy: TrustPolicy,
    *,
    password: str | None = None,
    seal_path: Path | None = None,
    progress: Progress | None = None,
    scan: Scan | None = None,
) -> VerificationReport:
    """The package's verdict under ``policy``. ``scan``: the digests of its bytes taken as
    they were written (``forensics.package.stream_scan``), used where they provably are this
    file's (``_Known``); the report is the same with or without it."""
    f = Collector()
    f.checks.append("package")
    seal_path = seal_path or path.with_name(path.name + ".seal.json")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seal") as pool:
        # The whole-file digests for the seal run on a second thread while the package is
        # opened and its control files read; a plain package's members are hashed in the
        # same single read (``_Known``).
        if not (seal_path.is_file() and path.is_file()):
            return _verify(path, password, policy, f, progress, None)
        f.checks.append("seal")
        known = _Known(pool, path, scan)

        done: list[_Seal] = []

        def check_seal(judge: TokenJudge) -> _Seal:
            """Once: the first caller's judge decides (training is known once the ledger is)."""
            if not done:
                done.append(verify_seal(path, seal_path, judge, f, known.whole()))
            return done[0]

        return _verify(path, password, policy, f, progress, check_seal, known)


SealCheck = Callable[[TokenJudge], _Seal]


def _verify(
    path: Path,
    password: str | None,
    policy: TrustPolicy,
    f: Collector,
    progress: Progress | None,
    check_seal: SealCheck | None,
    known: _Known | None = None,
) -> VerificationReport:
    try:
        reader = PackageReader(path, password)
    except AuthError as exc:
        if password is not None or check_seal is None:
            raise
        # The detached seal lets a recipient check an encrypted package before the
        # password is known (D5). The contents wait for the password: never PASS.
        judge = TokenJudge(policy, training=False)
        seal = check_seal(judge)
        f.add(
            "contents-not-checked",
            Severity.UNCHECKED,
            path.name,
            f"{exc.message_en}: only the detached seal was checked (the whole file's digests, "
            "signer, signature and time-stamp); verify again with the password to check the "
            "contents",
            f"{exc.message_zh}：仅校验了独立封签（整个文件的摘要、签名人、签名与时间戳）；"
            "取得密码后请再次校验证据包内容",
        )
        return _done(path, f, None, seal, judge)
    except InputError as exc:
        return _unreadable(path, exc, policy, f, check_seal)
    with reader:
        try:
            return _verify_open(path, reader, policy, f, progress, check_seal, known)
        except AuthError:
            raise
        except InputError as exc:
            return _unreadable(path, exc, policy, f, check_seal)


def _unreadable(
    path: Path,
    exc: InputError,
    policy: TrustPolicy,
    f: Collector,
    check_seal: SealCheck | None,
) -> VerificationReport:
    """A package (or member) that cannot be parsed: when the seal or a member's own CRC
    already proves it was altered, that is the finding; otherwise it is bad input."""
    seal = check_seal(TokenJudge(policy, training=False)) if check_seal else _Seal(None)
    if not _altered(f):
        raise exc
    f.add("package-unreadable", Severity.ERROR, path.name, exc.message_en, exc.message_zh)
    return _done(path, f, None, seal)


def _records(lines: list[str]) -> list[Record]:
    out: list[Record] = []
    for line in lines:
        try:
            out.append(parse_record(line))
        except InputError:
            continue  # reported by the ledger check
    return out


def _verify_open(
    path: Path,
    reader: PackageReader,
    policy: TrustPolicy,
    f: Collector,
    progress: Progress | None,
    check_seal: SealCheck | None,
    known: _Known | None = None,
) -> VerificationReport:
    digests = _hash_members(reader, progress, f, known)
    names = set(digests)
    dp_json = _json(reader, L.DATAPACKAGE) if L.DATAPACKAGE in names else None
    # (P0) the format's own rules; a package without its manifest is judged as the newest.
    lay = (
        L.layout_named_by(dp_json, path.name) if dp_json is not None else L.layout(L.PACKAGE_FORMAT)
    )
    for name in lay.required:
        if name not in names:
            f.add(
                "file-missing",
                Severity.ERROR,
                name,
                f"{name} is missing from the package",
                f"证据包缺少 {name}",
            )
    if dp_json is None or L.LEDGER not in names:
        seal = check_seal(TokenJudge(policy, training=False)) if check_seal else _Seal(None)
        return _done(path, f, None, seal)
    dp = DataPackage.parse(dp_json, str(path))
    _check_listed(dp, digests, f, lay)
    _check_sums(reader, digests, f, lay)

    lines = reader.read_lines(L.LEDGER)
    records = _records(lines)
    _require_known_ledger(path, records)
    training = is_training(records)
    source = PackageSource(reader, lines, digests, lay)
    judge = TokenJudge(policy, training, source.tsa_certs())

    # (M1–M3) the manifest digest: hash, exporting officer's signature, time-stamp.
    f.checks.append("manifest")
    digest_signer = _check_manifest(reader, names, judge, f, lay, dp.created)

    # (L, S, C, I, T, K1) the ledger: continuity, hashes, signatures, items, tokens, sessions.
    ledger_report = verify_source(source, policy, judge=judge)
    f.merge(tuple(_in_package_names(x, lay) for x in ledger_report.findings))
    f.checks.extend(ledger_report.checks)

    # (K3–K5) heads, the export entry, and nothing after it but its time-stamps.
    exporter = _check_heads(reader, names, dp, lines, records, digests, digest_signer, f)
    # (K2) every file under evidence/, archive/ and custody/ is a ledger item or the format's.
    _check_accounted(names, records, f, lay)
    if L.REPORT not in names:
        f.add(
            "report-missing",
            Severity.ERROR,
            L.REPORT,
            "the report is missing",
            "缺少电子数据提取笔录",
        )
    seal = check_seal(judge) if check_seal else _Seal(None)
    if seal.signer is not None and exporter is not None and seal.signer.key != exporter:
        f.add(
            "seal-signer-not-exporter",
            Severity.ERROR,
            seal.subject,
            "the detached seal is not signed by the officer whose package.export entry names "
            "this package",
            "独立封签的签名人不是账本中导出本证据包的执法人员",
        )
    return _done(path, f, ledger_report, seal, judge)


def _in_package_names(finding: Finding, lay: L.Layout) -> Finding:
    """A ledger finding names an item by its ledger path; in the package it is the member
    that holds it (format 2 keeps tokens under timestamps/)."""
    if lay.tokens_dir == L.LEDGER_TOKENS_DIR:
        return finding
    old, new = L.LEDGER_TOKENS_DIR, lay.tokens_dir
    return replace(
        finding,
        subject=finding.subject.replace(old, new),
        en=finding.en.replace(old, new),
        zh=finding.zh.replace(old, new),
    )


def _require_known_ledger(path: Path, records: list[Record]) -> None:
    """Likewise every ledger entry's own format version ("v")."""
    for rec in records:
        v = rec.entry.get("v")
        if isinstance(v, bool) or v != LEDGER_VERSION:
            shown = repr(v)[:40]
            raise InputError(
                f"{path.name}: ledger entry {rec.seq} is of ledger format {shown}, which this "
                f"verifier does not know ({LEDGER_VERSION}); use a Quzheng version that reads it",
                f"{path.name}：账本第 {rec.seq} 条的账本格式为 {shown}，本校验工具不支持"
                f"（支持 {LEDGER_VERSION}），请使用能读取该格式的取证工具版本",
            )


def _check_listed(
    dp: DataPackage,
    digests: dict[str, Digests],
    f: Collector,
    lay: L.Layout,
) -> None:
    """(P1) every listed file exists with its size, SHA-256 and SM3; nothing unlisted."""
    listed: set[str] = set()
    for res in dp.resources:
        name = res.path
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
            ("file-size", res.bytes, d.size, "size"),
            ("file-sha256", res.sha256, d.sha256, "SHA-256"),
            ("file-sm3", dp.sm3.get(name), d.sm3, "SM3"),
        ):
            if want != got:
                f.add(
                    code,
                    Severity.ERROR,
                    name,
                    f"{name}: {label} does not match the manifest: the file was altered",
                    f"{name}：{label} 与清单不符，文件被改动",
                )
    for name in sorted(set(digests) - listed - lay.not_in_datapackage):
        f.add(
            "file-unlisted",
            Severity.ERROR,
            name,
            f"{name} is in the package but not in its manifest",
            f"{name} 在证据包中但未列入清单",
        )


def _check_sums(
    reader: PackageReader, digests: dict[str, Digests], f: Collector, lay: L.Layout
) -> None:
    """(P2) the sums files agree with the content."""
    f.checks.append("sums")
    names = set(digests)
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
        for name in sorted(names - set(sums) - lay.not_in_sums):
            f.add(
                "sums-unlisted",
                Severity.ERROR,
                name,
                f"{name} is not listed in {sums_name}",
                f"{name} 未列入 {sums_name}",
            )


def _check_manifest(
    reader: PackageReader,
    names: set[str],
    judge: TokenJudge,
    f: Collector,
    lay: L.Layout,
    created: object,
) -> str:
    """M1–M3; returns the key that signed datapackage.json ('' when none)."""
    if L.DIGEST not in names:
        return ""
    dp_bytes = reader.read_control(L.DATAPACKAGE)
    dp_sha = hashlib.sha256(dp_bytes).hexdigest()
    dg = PackageDigest.parse(_json(reader, L.DIGEST))
    if dg.hash != f"sha256:{dp_sha}":
        f.add(
            "manifest-hash-mismatch",
            Severity.ERROR,
            L.DATAPACKAGE,
            "datapackage.json does not match its digest: the manifest was edited",
            "datapackage.json 与其摘要不符：清单被编辑",
        )
    key = dg.signer.key or ""
    cert_name = lay.officer_cert(key)
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
    elif not _verify_sig(cert, dp_bytes, dg.signature_der_b64):
        f.add(
            "manifest-signature-invalid",
            Severity.ERROR,
            L.DIGEST,
            "the signature over datapackage.json is not valid",
            "datapackage.json 的签名无效",
        )
    elif lay.format >= 2:
        # (M4) the WACZ signedData web-archive tools show must be the same officer's.
        problem = signed_data_problem(dg.signed_data, f"sha256:{dp_sha}", created, cert)
        if problem:
            f.add(
                "manifest-signeddata-invalid",
                Severity.ERROR,
                L.DIGEST,
                f"the WACZ signedData does not vouch for this package: {problem}",
                f"WACZ 签名数据（signedData）不能证明本证据包：{problem}",
            )
    _check_token(f, judge, "manifest", L.DIGEST, dg.timestamp, dp_sha, "the manifest", "清单")
    return key


def _check_heads(
    reader: PackageReader,
    names: set[str],
    dp: DataPackage,
    lines: list[str],
    records: list[Record],
    digests: dict[str, Digests],
    digest_signer: str,
    f: Collector,
) -> str | None:
    """K3–K5: the ledger head the manifests name, the export entry naming this package and
    its signer, nothing after it but time-stamps. Returns the exporting officer's key."""
    last_hash = None
    if lines:
        try:
            last = safejson.loads(lines[-1], what="the ledger's last line")
            last_hash = last.get("hash") if isinstance(last, dict) else None
        except InputError:
            last_hash = None
    if dp.ledger_head is None or dp.ledger_head.hash != last_hash:
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
        files = manifest.get("files") if isinstance(manifest, dict) else None
        for entry in files if isinstance(files, list) else []:
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
    export = next(
        (
            r
            for r in records
            if r.kind == "package.export"
            and dp.package_id is not None
            and ExportData.from_json(r.data).package_id == dp.package_id
        ),
        None,
    )
    if export is None:
        f.add(
            "package-id-mismatch",
            Severity.ERROR,
            L.DATAPACKAGE,
            "no package.export entry in the ledger names this package",
            "账本中没有导出本证据包的条目",
        )
        return None
    exporter = str(export.entry["actor"].get("key", ""))
    if L.DIGEST in names and digest_signer != exporter:
        # (K4) only the officer who sealed this export may sign its manifest: a re-signed
        # manifest (after the ledger's tail was cut and the sums rewritten) fails here.
        f.add(
            "manifest-signer-not-exporter",
            Severity.ERROR,
            L.DIGEST,
            "the manifest is not signed by the officer whose package.export entry names this package",
            "清单签名人不是账本中导出本证据包的执法人员",
        )
    after = [r.seq for r in records if r.seq > export.seq and r.kind != "timestamp"]
    if after:
        f.add(
            "ledger-after-export",
            Severity.ERROR,
            f"ledger entry {after[0]}",
            f"the ledger goes on after the package.export entry {export.seq} that names this "
            f"package (entries {', '.join(map(str, after[:10]))}): it was extended after export",
            f"账本在导出本证据包的第 {export.seq} 条之后仍有条目（第 "
            f"{'、'.join(map(str, after[:10]))} 条）：导出后被追加",
        )
    return exporter


_FORMAT_FILES = frozenset({L.DATAPACKAGE, L.DIGEST, L.SHA256SUMS, L.SM3SUMS, L.LEDGER, L.MANIFEST})
_FORMAT_FILES_2 = _FORMAT_FILES | {L.REPORT, L.CDXJ, L.PAGES}


def _check_accounted(names: set[str], records: list[Record], f: Collector, lay: L.Layout) -> None:
    """K2: a file that no ledger entry seals and the format does not name is an error (a
    planted file, even when every list names it). Format 1 looks under evidence/, archive/
    and custody/ only; format 2 at every file."""
    items = {
        lay.member(str(i.get("path")))
        for r in records
        for i in r.entry.get("items", [])
        if isinstance(i, dict)
    }
    named = _FORMAT_FILES if lay.accounted else _FORMAT_FILES_2 | {lay.readme}
    officer_keys = {r.data_str("key") for r in records if r.kind == "officer.add"} - {""}
    for name in sorted(names):
        if lay.accounted is not None and not name.startswith(lay.accounted):
            continue
        if name in items or name in named or lay.is_tsa_chain(name):
            continue
        if lay.officer_cert_key(name) in officer_keys:
            continue
        f.add(
            "file-unaccounted",
            Severity.ERROR,
            name,
            f"{name} is sealed by no ledger entry and is not a file the package format names",
            f"{name} 未被任何账本条目封存，也不是证据包格式规定的文件",
        )


def _altered(f: Collector) -> bool:
    """Proof of alteration found so far (the seal, or a member failing its own CRC)."""
    return any(
        x.severity is Severity.ERROR
        and x.code != "seal-format-unknown"  # a newer seal, not proof of alteration
        and (x.code.startswith("seal-") or x.code == "file-damaged")
        for x in f.findings
    )


def _done(
    path: Path,
    f: Collector,
    ledger: VerificationReport | None,
    seal: _Seal,
    judge: TokenJudge | None = None,
) -> VerificationReport:
    facts = ledger.facts if ledger else Facts()
    signers = facts.signers + ((seal.signer,) if seal.signer is not None else ())
    facts = replace(facts, signers=signers, tsas=judge.facts() if judge else facts.tsas)
    return VerificationReport(
        str(path),
        tuple(f.findings),
        tuple(f.checks),
        ledger.entries if ledger else 0,
        ledger.items if ledger else 0,
        facts,
    )
