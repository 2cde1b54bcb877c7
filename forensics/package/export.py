"""Export of a case as a sealed package (docs/package-format.md §2) and its detached seal.

Order of work, so nothing is circular: the ``package.export`` entry is sealed (and stamped)
first; then the evidence manifest (``custody/manifest.json``) lists every evidence, custody
and index file; the report is bound to that manifest; ``datapackage.json`` lists every file
with SHA-256 (WACZ) and SM3; ``datapackage-digest.json`` carries its hash, the exporting
officer's signature and an RFC 3161 token; the sums files list everything else. The ZIP is
written beside the target under a temporary name, fsynced, hashed, and renamed into place.

It fails closed and says what happened (``export_targets``): every target is checked before
the ``package.export`` entry is sealed; a package or seal that still cannot be written after
it is removed and the failure sealed as a ``note`` (``event: package.export-failed``); a
backup that fails after the package and seal are complete is a warning, not a failed export.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from forensics import __version__
from forensics.atomic import atomic_path, write_atomic
from forensics.canonical import canonical_bytes, format_time, utc_now
from forensics.case import Case
from forensics.directio import DirectWriter
from forensics.entries import Item
from forensics.entry_data import PAGE_KINDS, ExportData, ExportFailedData, PageData
from forensics.entry_data.custody import EXPORT_FAILED
from forensics.errors import CaptureError, InputError, QuzhengError, os_reason
from forensics.fingerprints import package_fingerprints
from forensics.har_derive import seal_traffic_hars
from forensics.hashing import Digests, digest_stream
from forensics.identity import Signer, cert_fingerprint
from forensics.ledger import Record
from forensics.package import layout as L
from forensics.package.documents import (
    DataPackage,
    LedgerHead,
    PackageDigest,
    Resource,
    Seal,
    SealBody,
    SignerRef,
)
from forensics.package.export_targets import (
    Targets,
    backup_package,
    check_targets,
    copy_backup,
)
from forensics.package.readme import readme_text
from forensics.package.wacz_signing import signed_data
from forensics.package.zipwrite import Source, write_zip
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timeproof import is_ca, token_certs
from forensics.timestamp import TimestampUnavailable, request_token, token_info_to_json

# (case, output PDF path, package id, manifest sha256, manifest sm3) -> None
ReportHook = Callable[[Case, Path, str, str, str], None]
Progress = Callable[[int, int], None]

__all__ = ["EXPORT_FAILED", "ExportResult", "ReportHook", "backup_package", "export_package"]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    size: int
    sha256: str
    sm3: str
    files: int
    encrypted: bool
    manifest_stamped: bool
    seal_path: Path
    backup_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    # The package and its seal are complete; only the backup copy failed (also in warnings).
    backup_error: QuzhengError | None = None


@dataclass
class _Member:
    name: str
    source: Path | bytes
    digests: Digests


def _bytes_member(name: str, data: bytes) -> _Member:
    return _Member(name, data, digest_stream(io.BytesIO(data)))


def _member_bytes(m: _Member | None) -> bytes | None:
    if m is None:
        return None
    return m.source if isinstance(m.source, bytes) else m.source.read_bytes()


def _add_tsa_chain(
    chains: dict[str, list[x509.Certificate]],
    certs: list[x509.Certificate],
    roots: list[x509.Certificate],
) -> None:
    leaves = [c for c in certs if not is_ca(c)]
    if not leaves:
        return
    leaf = leaves[0]
    chain = [leaf, *(c for c in certs if c is not leaf)]
    chain += [r for r in roots if any(c.issuer == r.subject for c in chain) and r not in chain]
    chains.setdefault(cert_fingerprint(leaf), chain)


def _tsa_chain_files(chains: dict[str, list[x509.Certificate]], lay: L.Layout) -> dict[str, bytes]:
    return {
        lay.tsa_chain(fp): b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
        for fp, chain in sorted(chains.items())
    }


def _pages(records: list[Record]) -> bytes:
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}]
    seen: set[str] = set()
    for rec in records:
        if rec.kind not in PAGE_KINDS:  # the only capture entries that name a page URL
            continue
        page = PageData.from_json(rec.data)
        if page.url and page.url not in seen:
            seen.add(page.url)
            lines.append({"url": page.url, "ts": rec.time, "title": page.title})
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


def _cdxj(warcs: list[tuple[str, Path]]) -> bytes:
    """The WACZ index of the WARC members, named as they are inside archive/."""
    from cdxj_indexer.main import CDXJIndexer

    with tempfile.TemporaryDirectory(prefix="qz-cdxj-") as d:
        links = []
        for name, blob in warcs:
            link = Path(d) / Path(name).name
            os.symlink(blob, link)
            links.append(str(link))
        out = Path(d) / "index.cdxj"
        # Sorted here: the library's sorting writer leaves a temporary file open.
        CDXJIndexer(str(out), links, dir_root=d).process_all()
        lines = sorted(out.read_bytes().splitlines(keepends=True))
        return b"".join(lines)


def _sums(members: list[_Member], algo: str, lay: L.Layout) -> bytes:
    lines = []
    for m in sorted(members, key=lambda m: m.name):
        if m.name in lay.not_in_sums:
            continue
        value = m.digests.sha256 if algo == "sha256" else m.digests.sm3
        lines.append(f"{value}  {m.name}\n")
    return "".join(lines).encode()


def _add_sums(members: dict[str, _Member], lay: L.Layout) -> None:
    listed = list(members.values())
    members[L.SHA256SUMS] = _bytes_member(L.SHA256SUMS, _sums(listed, "sha256", lay))
    members[L.SM3SUMS] = _bytes_member(L.SM3SUMS, _sums(listed, "sm3", lay))


_NAME_UNSAFE = re.compile(r"[^-a-z0-9._]+")


def _resource_names(listed: list[_Member], lay: L.Layout) -> list[str]:
    """Data Package resource names: format 1 kept the path's own characters; format 2 keeps
    to the pattern Data Package validators require (lowercase ASCII, digits, ``-._``),
    unique."""
    if lay.format == 1:
        return [m.name.replace("/", "-").lower() for m in listed]
    out: list[str] = []
    seen: set[str] = set()
    for m in listed:
        base = _NAME_UNSAFE.sub("-", m.name.replace("/", "-").lower()).strip("-") or "file"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name)
        out.append(name)
    return out


def _write_zip(
    tmp: Path, members: list[_Member], password: str | None, progress: Progress | None
) -> Digests:
    entries = [Source(m.name, m.source, m.digests.size) for m in members]
    with open(tmp, "wb", buffering=0) as raw, DirectWriter(raw.fileno()) as sink:
        return write_zip(sink, entries, password=password, progress=progress)
    # the file is fsynced when ``atomic_path`` commits it


def export_package(
    case: Case,
    signer: Signer,
    out: Path,
    *,
    password: str | None = None,
    tsa: TsaConfig | None = None,
    report: ReportHook | None = None,
    backup: Path | None = None,
    now: Callable[[], datetime] = utc_now,
    progress: Progress | None = None,
) -> ExportResult:
    """Seal the export of ``case`` and write the package ``out``, its detached seal and, if
    asked, an identical ``backup`` copy (a file, or a folder to copy into).

    It fails closed: every target is checked before anything is sealed (``InputError``, the
    ledger untouched); a package or seal that still cannot be written after the
    ``package.export`` entry was sealed is removed and the failure sealed as a ``note``
    (``event: package.export-failed``) naming that entry, then ``CaptureError`` is raised. A
    backup that fails after the package and seal are complete does not fail the export: it is
    in ``warnings`` and ``backup_error``, and ``backup_package`` retries it alone.
    """
    targets = check_targets(out, backup)
    out = targets.out
    if password is not None and len(password) < 8:
        raise InputError(
            "the package password needs at least 8 characters", "证据包密码至少需要 8 个字符"
        )
    warnings: list[str] = []
    lay = L.layout(L.PACKAGE_FORMAT)
    package_id = str(uuid.uuid4())
    case.require_member(signer)
    if report is not None:
        # Refuse before anything is sealed: a report with an empty required field would stop
        # the export after its package.export entry was already in the append-only ledger.
        with tempfile.TemporaryDirectory(prefix="qz-preflight-") as pre:
            report(case, Path(pre) / "report.pdf", package_id, "0" * 64, "0" * 64)

    # (1) each traffic segment's HAR (a derived view for common tools; the WARC remains the
    # evidence), then the export itself; then stamp everything that waits for a token.
    def har_failed(item: Item, exc: QuzhengError) -> None:
        warnings.append(f"no HAR of {item.path}: {exc.message_en}")

    seal_traffic_hars(case, signer, on_error=har_failed)

    export_rec = case.ledger.append(
        signer,
        "package.export",
        ExportData(
            package_id=package_id,
            file_name=out.name,
            encrypted=password is not None,
            format=lay.format,
            software=f"Quzheng {__version__}",
        ).to_json(),
    )
    try:
        written = _write_package(
            case, signer, targets, lay, package_id, password, tsa, report, now, progress, warnings
        )
    except BaseException as exc:
        failure = _export_failed(case, signer, export_rec, package_id, targets, exc)
        if failure is exc:
            raise
        raise failure from exc

    backup_path: Path | None = None
    backup_error: QuzhengError | None = None
    if targets.backup is not None:
        try:
            backup_path = copy_backup(out, targets.seal, targets.backup, written.whole)
        except QuzhengError as exc:
            backup_error = exc
            warnings.append(
                f"the package {out} is written and sealed; only its backup copy failed: "
                f"{exc.message_en}"
            )
    return ExportResult(
        path=out,
        package_id=package_id,
        size=written.whole.size,
        sha256=written.whole.sha256,
        sm3=written.whole.sm3,
        files=written.files,
        encrypted=password is not None,
        manifest_stamped=written.manifest_stamped,
        seal_path=targets.seal,
        backup_path=backup_path,
        warnings=warnings,
        backup_error=backup_error,
    )


@dataclass(frozen=True)
class _Written:
    whole: Digests
    files: int
    manifest_stamped: bool


def _write_package(
    case: Case,
    signer: Signer,
    targets: Targets,
    lay: L.Layout,
    package_id: str,
    password: str | None,
    tsa: TsaConfig | None,
    report: ReportHook | None,
    now: Callable[[], datetime],
    progress: Progress | None,
    warnings: list[str],
) -> _Written:
    """Steps (2)-(6), after the ``package.export`` entry: on any failure nothing is left at
    the package's or the seal's path."""
    out, seal_path = targets.out, targets.seal
    if tsa is not None:
        outcome = stamp_pending(case, signer, tsa, now=now)
        if outcome.pending:
            warnings.append(
                f"{outcome.pending} seal point(s) still wait for a time-stamp: {outcome.reason_en}"
            )
    records = case.ledger.records()
    ledger_bytes = "".join(r.line() + "\n" for r in records).encode()

    # (2) the members: evidence items, ledger, certificates, indexes.
    members: dict[str, _Member] = {}
    tokens: list[Path] = []
    for rec in records:
        for item in rec.items:
            d = Digests(item.size, item.sha256, item.sm3)
            name = lay.member(item.path)
            members.setdefault(name, _Member(name, case.store.blob_path(d.sha256), d))
            if item.path.startswith(L.LEDGER_TOKENS_DIR):
                tokens.append(case.store.blob_path(d.sha256))
    members[L.LEDGER] = _bytes_member(L.LEDGER, ledger_bytes)
    for fp in sorted({r.data_str("key") for r in records if r.kind == "officer.add"}):
        pem = (case.store.dir / "certs" / f"{fp}.pem").read_bytes()
        name = lay.officer_cert(fp)
        members[name] = _bytes_member(name, pem)
    # One file per TSA: its certificate first, then the chain (README's -untrusted file).
    tsa_chains: dict[str, list[x509.Certificate]] = {}
    roots = [
        c for pem in (tsa.trust_roots if tsa else ()) for c in x509.load_pem_x509_certificates(pem)
    ]
    for token in tokens:
        _add_tsa_chain(tsa_chains, token_certs(token.read_bytes()), roots)
    for name, chain in _tsa_chain_files(tsa_chains, lay).items():
        members[name] = _bytes_member(name, chain)
    warcs = [
        (n, m.source)
        for n, m in members.items()
        if n.startswith("archive/") and isinstance(m.source, Path)
    ]
    if warcs:
        members[L.CDXJ] = _bytes_member(
            L.CDXJ, _cdxj([(n, p) for n, p in warcs if isinstance(p, Path)])
        )
    members[L.PAGES] = _bytes_member(L.PAGES, _pages(records))

    # (3) the evidence manifest, then the report bound to it.
    head = records[-1]
    manifest = {
        "v": lay.format,
        "package_id": package_id,
        "case": case.case_id,
        "ledger_head": {"seq": head.seq, "hash": head.hash},
        "created": format_time(now()),
        "files": [
            {"path": m.name, **m.digests.as_json()}
            for m in sorted(members.values(), key=lambda m: m.name)
        ],
    }
    members[L.MANIFEST] = _bytes_member(L.MANIFEST, canonical_bytes(manifest) + b"\n")
    if report is not None:
        with tempfile.TemporaryDirectory(prefix="qz-report-") as report_dir:
            pdf = Path(report_dir) / "report.pdf"
            report(
                case,
                pdf,
                package_id,
                members[L.MANIFEST].digests.sha256,
                members[L.MANIFEST].digests.sm3,
            )
            members[L.REPORT] = _bytes_member(L.REPORT, pdf.read_bytes())
    else:
        warnings.append("no report was built into the package")
    fingerprints = package_fingerprints(
        records, lambda n: _member_bytes(members.get(lay.member(n))), members, lay.certs_dir
    )
    readme = readme_text(
        package_id, case.case_id, signer.officer.key_fp, bool(warcs), fingerprints, lay
    )
    members[lay.readme] = _bytes_member(lay.readme, readme.encode())

    # (4) datapackage.json (WACZ 1.1.1 + our object), its signed and stamped digest, and the
    # sums files: in format 2 datapackage.json lists the sums (which leave it out), in format
    # 1 the sums list datapackage.json (which leaves them out).
    if L.DATAPACKAGE in lay.not_in_sums:
        _add_sums(members, lay)
    created = format_time(now()).split(".")[0] + "Z"
    listed = sorted(
        (m for m in members.values() if m.name not in lay.not_in_datapackage),
        key=lambda m: m.name,
    )
    officers = [
        {k: r.data.get(k) for k in ("name", "badge", "agency", "role", "key")}
        for r in records
        if r.kind == "officer.add"
    ]
    datapackage = DataPackage(
        title=f"Quzheng package {package_id}",
        created=created,
        software=f"Quzheng {__version__}",
        resources=tuple(
            Resource(name, m.name, m.digests.sha256, m.digests.size)
            for name, m in zip(_resource_names(listed, lay), listed, strict=True)
        ),
        format=lay.format,
        package_id=package_id,
        case=case.case_id,
        officers=tuple(officers),
        ledger_head=LedgerHead(head.seq, head.hash),
        manifest=L.MANIFEST,
        sm3={m.name: m.digests.sm3 for m in listed},
    )
    dp_bytes = datapackage.to_bytes()
    dp_sha = hashlib.sha256(dp_bytes).hexdigest()
    sig = signer.sign(dp_bytes)
    token_json: dict[str, Any] | None = None
    if tsa is not None and tsa.usable:
        try:
            stamp = request_token(bytes.fromhex(dp_sha), tsa.urls, tsa.trust_roots, tsa.timeout)
            token_json = {
                "token_der_b64": base64.b64encode(stamp.token_der).decode(),
                "tsa_url": stamp.url,
                **token_info_to_json(stamp.info),
            }
            known = {fp for fp in tsa_chains}
            leaves = [c for c in token_certs(stamp.token_der) if not is_ca(c)]
            if leaves and cert_fingerprint(leaves[0]) not in known:
                # Its chain cannot join the package: datapackage.json is already written.
                warnings.append("the manifest was stamped by a TSA no ledger entry used")
        except TimestampUnavailable as exc:
            warnings.append(f"the manifest could not be time-stamped: {exc.message_en}")
    digest = PackageDigest(
        hash=f"sha256:{dp_sha}",
        format=lay.format,
        sha256=dp_sha,
        sm3=digest_stream(io.BytesIO(dp_bytes)).sm3,
        signer=SignerRef.of(signer.officer.actor()),
        signature_alg=sig["alg"],
        signature_der_b64=sig["value"],
        timestamp=token_json,
        signed_data=signed_data(signer, f"sha256:{dp_sha}", created, str(datapackage.software))
        if lay.format >= 2
        else None,
    )
    members[L.DATAPACKAGE] = _bytes_member(L.DATAPACKAGE, dp_bytes)
    members[L.DIGEST] = _bytes_member(L.DIGEST, digest.to_bytes())
    if L.SHA256SUMS not in members:
        _add_sums(members, lay)

    # (5) the ZIP, written beside the target, durable, hashed whole, renamed into place.
    order = [L.DATAPACKAGE, L.DIGEST, L.SHA256SUMS, L.SM3SUMS, lay.readme]
    ordered = [members[n] for n in order] + sorted(
        (m for m in members.values() if m.name not in order), key=lambda m: m.name
    )
    # Owner-only, as the package has always been written; hashed while it is written.
    try:
        with atomic_path(out, private=True) as tmp:
            whole = _write_zip(tmp, ordered, password, progress)
    except OSError as exc:
        raise CaptureError(
            f"cannot write the package {out}: {os_reason(exc)[0]}",
            f"无法写入证据包 {out}：{os_reason(exc)[1]}",
        ) from exc
    try:
        _write_seal(signer, out, seal_path, lay, package_id, password, tsa, whole, warnings)
    except BaseException:
        with contextlib.suppress(OSError):
            out.unlink()  # a package without its seal is no export
        raise
    return _Written(whole, len(members), token_json is not None)


def _write_seal(
    signer: Signer,
    out: Path,
    seal_path: Path,
    lay: L.Layout,
    package_id: str,
    password: str | None,
    tsa: TsaConfig | None,
    whole: Digests,
    warnings: list[str],
) -> None:
    """(6) the detached seal: whole-file digests, signature, token over the file's SHA-256."""
    seal_body = SealBody(
        v=lay.format,
        file=out.name,
        package_id=package_id,
        size=whole.size,
        sha256=whole.sha256,
        sm3=whole.sm3,
        encrypted=password is not None,
        signer=SignerRef.of(signer.officer.actor()),
    )
    seal_sig = signer.sign(canonical_bytes(seal_body.to_json()))
    seal_token: dict[str, Any] | None = None
    if tsa is not None and tsa.usable:
        try:
            stamp = request_token(
                bytes.fromhex(whole.sha256), tsa.urls, tsa.trust_roots, tsa.timeout
            )
            seal_token = {
                "token_der_b64": base64.b64encode(stamp.token_der).decode(),
                "tsa_url": stamp.url,
                **token_info_to_json(stamp.info),
            }
        except TimestampUnavailable as exc:
            warnings.append(f"the package file could not be time-stamped: {exc.message_en}")
    seal = Seal(
        body=seal_body,
        signature_alg=seal_sig["alg"],
        signature_der_b64=seal_sig["value"],
        signer_cert_pem=signer.officer.chain_pem(),
        timestamp=seal_token,
    )
    try:
        write_atomic(seal_path, seal.to_bytes())
    except OSError as exc:
        raise CaptureError(
            f"cannot write the seal {seal_path}: {os_reason(exc)[0]}",
            f"无法写入封签 {seal_path}：{os_reason(exc)[1]}",
        ) from exc


def _failure_text(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, QuzhengError):
        return exc.message_en, exc.message_zh
    if isinstance(exc, OSError):
        code = errno.errorcode.get(exc.errno or 0, "")
        en = f"{exc.strerror or exc}" + (f" ({code})" if code else "")
        return en, f"系统错误 {code or exc.strerror or exc}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", "被中断"
    return f"{type(exc).__name__}: {exc}", f"内部错误 {type(exc).__name__}"


def _export_failed(
    case: Case,
    signer: Signer,
    export_rec: Record,
    package_id: str,
    targets: Targets,
    exc: BaseException,
) -> BaseException:
    """Seal that the export sealed as entry ``export_rec`` did not happen (the package and
    seal are already removed), and the error to raise for it."""
    en, zh = _failure_text(exc)
    name = targets.out.name
    data = ExportFailedData(
        package_id=package_id,
        file_name=name,
        export_seq=export_rec.seq,
        export_hash=export_rec.hash,
        error=en,
        text=(
            f"导出失败：第 {export_rec.seq} 条记录所导出的证据包 {name}（编号 {package_id}）"
            f"未能写成，未留下任何文件。原因：{zh}\n"
            f"Export failed: the package {name} (id {package_id}) of entry {export_rec.seq} "
            f"was not written; no file was left. Cause: {en}"
        ),
    ).to_json()
    try:
        note = case.ledger.append(signer, "note", data)
    except Exception as note_exc:  # the ledger's own disk may be the full one
        exc.add_note(f"the failed export could not be noted in the ledger: {note_exc}")
        return exc
    if not isinstance(exc, Exception):  # KeyboardInterrupt and the like stay what they are
        return exc
    return CaptureError(
        f"the export failed and nothing was written: {en}. The ledger records it: entry "
        f"{export_rec.seq} (package.export) is marked failed by entry {note.seq}.",
        f"导出失败，未写成任何文件：{zh}。账本已如实记录：第 {export_rec.seq} 条导出记录"
        f"由第 {note.seq} 条记录标明失败。",
    )
