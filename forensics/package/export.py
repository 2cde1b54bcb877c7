"""Export of a case as a sealed package (docs/package-format.md §2) and its detached seal.

Order of work, so nothing is circular: the ``package.export`` entry and its time-stamp are
prepared first (signed and stamped, not yet in the case's ledger: ``Ledger.prepare``); then
the evidence manifest (``custody/manifest.json``) lists every evidence, custody
and index file; the report is bound to that manifest; ``datapackage.json`` lists every file
with SHA-256 (WACZ) and SM3; ``datapackage-digest.json`` carries its hash, the exporting
officer's signature and an RFC 3161 token; the sums files list everything else. The ZIP is
written beside the target under a temporary name, fsynced, hashed, and renamed into place;
then the seal. Only when both are read back from the disk as written are the prepared
entries appended to the case's ledger (``Ledger.commit``).

It fails closed and says what happened (``export_targets``): every target is checked before
anything is written; a package or seal that cannot be written, does not read back, or whose
prepared entries no longer follow the ledger (another entry was appended meanwhile) is
removed and nothing is sealed; a backup that fails after the export is complete is a
warning, not a failed export. Cases sealed by earlier versions may hold a ``note``
(``event: package.export-failed``) marking an export entry whose package was never written.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Sequence
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
from forensics.entry_data import PAGE_KINDS, ExportData, PageData
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
from forensics.package.export_pending import (
    PendingExport,
    finish_interrupted_export,
    forget_pending,
    note_pending,
    pending_key,
)
from forensics.package.export_targets import (
    Targets,
    backup_package,
    check_targets,
    copy_backup,
)
from forensics.package.reader import PackageReader
from forensics.package.readme import readme_text
from forensics.package.wacz_signing import signed_data
from forensics.package.zipwrite import Source, write_zip
from forensics.stamping import TsaConfig, prepare_token, stamp_pending
from forensics.timeproof import is_ca, token_certs
from forensics.timestamp import TimestampUnavailable, request_token, token_info_to_json

# (case, the ledger the package carries, output PDF path, package id, manifest sha256,
# manifest sm3) -> None
ReportHook = Callable[[Case, Sequence[Record], Path, str, str, str], None]
Progress = Callable[[int, int], None]

__all__ = ["ExportResult", "ReportHook", "backup_package", "export_package"]


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
    """Write the package ``out`` of ``case`` and its detached seal, then seal the export in
    the case's ledger, then make, if asked, an identical ``backup`` copy (a file, or a folder
    to copy into).

    It fails closed: every target is checked first (``InputError``); the ``package.export``
    entry and its time-stamp are prepared (signed, not appended) and carried in the package;
    only once the package and its seal are written, durable and read back from the disk are
    they appended (``Ledger.commit``). Any failure before leaves no package, no seal and no
    export entry (``CaptureError``), as does another entry appended to the case meanwhile
    (``LedgerMoved``). A backup that fails after the export is complete does not fail it: it
    is in ``warnings`` and ``backup_error``, and ``backup_package`` retries it alone.
    """
    warnings: list[str] = [en for en, _zh in finish_interrupted_export(case)]
    targets = check_targets(out, backup)
    out = targets.out
    if password is not None and len(password) < 8:
        raise InputError(
            "the package password needs at least 8 characters", "证据包密码至少需要 8 个字符"
        )
    lay = L.layout(L.PACKAGE_FORMAT)
    package_id = str(uuid.uuid4())
    case.require_member(signer)
    if report is not None:
        # Refuse before anything is sealed: a report with an empty required field would
        # stop the export after the traffic's HARs and the time-stamps were sealed.
        with tempfile.TemporaryDirectory(prefix="qz-preflight-") as pre:
            records = case.ledger.records()
            report(case, records, Path(pre) / "report.pdf", package_id, "0" * 64, "0" * 64)

    # (1) each traffic segment's HAR (a derived view for common tools; the WARC remains the
    # evidence), the tokens still queued; then the export entry and its token, prepared.
    def har_failed(item: Item, exc: QuzhengError) -> None:
        warnings.append(f"no HAR of {item.path}: {exc.message_en}")

    seal_traffic_hars(case, signer, on_error=har_failed)
    if tsa is not None:
        outcome = stamp_pending(case, signer, tsa, now=now)
        if outcome.pending:
            warnings.append(
                f"{outcome.pending} seal point(s) still wait for a time-stamp: {outcome.reason_en}"
            )
    records = case.ledger.records()
    export_rec = case.ledger.prepare(
        records[-1],
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
    prepared = [export_rec]
    if tsa is not None and tsa.usable:
        try:
            prepared.append(prepare_token(case, signer, tsa, export_rec, now=now))
        except TimestampUnavailable as exc:
            warnings.append(f"the export entry waits for a time-stamp (queued): {exc.message_en}")
    records += prepared
    note_pending(case, PendingExport.of(case, out, targets.seal, package_id, prepared))
    try:
        written = _write_package(
            case, signer, records, targets, lay, package_id, password, tsa, report, now,
            progress, warnings,
        )  # fmt: skip
    except BaseException as exc:
        forget_pending(case, package_id)  # nothing was left at the package's or seal's path
        if not isinstance(exc, QuzhengError | OSError):
            raise
        en, zh = (
            (exc.message_en, exc.message_zh) if isinstance(exc, QuzhengError) else os_reason(exc)
        )
        raise CaptureError(
            f"{en}; no file was left and the export was not sealed",
            f"{zh}；未留下任何文件，账本未记录本次导出",
        ) from exc
    try:
        _read_back(out, targets.seal, password, written)
        case.ledger.commit(prepared, done_meta=pending_key(package_id))
    except BaseException as exc:
        for path in (out, targets.seal):  # the package and seal exist only as an export
            with contextlib.suppress(OSError):
                path.unlink()
        forget_pending(case, package_id)
        if isinstance(exc, QuzhengError):
            raise CaptureError(
                f"{exc.message_en}; the package and its seal were removed and the export was "
                "not sealed",
                f"{exc.message_zh}；已删除写成的证据包与封签，账本未记录本次导出",
            ) from exc
        raise

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
    control: dict[str, bytes]  # the members read back from the disk, as written
    seal: bytes


def _reads_as(reader: PackageReader, name: str, data: bytes) -> bool:
    with reader.open(name) as f:
        view = memoryview(data)
        while chunk := f.read(1 << 20):
            if chunk != view[: len(chunk)]:
                return False
            view = view[len(chunk) :]
    return not view


def _read_back(out: Path, seal_path: Path, password: str | None, written: _Written) -> None:
    """The package and its seal as the disk now holds them: the file's size and whole-file
    digests in the seal, its ZIP directory, and its control members (the ledger that carries
    the export entry, ``datapackage.json`` and its signed digest) read back and decrypted,
    byte for byte as written. Every byte was hashed on its way to the disk."""
    what_en, what_zh = (
        f"the package {out} does not read back as written",
        f"证据包 {out} 回读与写入不符",
    )
    try:
        size = out.stat().st_size
        seal = seal_path.read_bytes()
    except OSError as exc:
        raise CaptureError(
            f"{what_en}: {os_reason(exc)[0]}", f"{what_zh}：{os_reason(exc)[1]}"
        ) from exc
    if size != written.whole.size or seal != written.seal:
        raise CaptureError(f"{what_en} (size or seal)", f"{what_zh}（大小或封签）")
    with PackageReader(out, password) as reader:
        if len(reader.names) != written.files or any(
            not _reads_as(reader, name, data) for name, data in written.control.items()
        ):
            raise CaptureError(f"{what_en} (members)", f"{what_zh}（成员）")


def _write_package(
    case: Case,
    signer: Signer,
    records: list[Record],
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
    """Steps (2)-(6) with ``records``, the ledger as the package carries it (ending with the
    prepared export entry): on any failure nothing is left at the package's or the seal's
    path."""
    out, seal_path = targets.out, targets.seal
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
                records,
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
    # Owner-only, as the package has always been written; hashed while it is written. The
    # seal is written before the package is renamed into place: a package at its name always
    # has its seal beside it (``export_pending``).
    seal: bytes | None = None
    try:
        with atomic_path(out, private=True) as tmp:
            whole = _write_zip(tmp, ordered, password, progress)
            seal = _write_seal(
                signer, out, seal_path, lay, package_id, password, tsa, whole, warnings
            )
    except BaseException as exc:
        if seal is not None:
            with contextlib.suppress(OSError):
                seal_path.unlink()  # a seal without its package is no export
        if isinstance(exc, OSError):
            raise CaptureError(
                f"cannot write the package {out}: {os_reason(exc)[0]}",
                f"无法写入证据包 {out}：{os_reason(exc)[1]}",
            ) from exc
        raise
    control = {n: _member_bytes(members[n]) or b"" for n in (L.LEDGER, L.DATAPACKAGE, L.DIGEST)}
    return _Written(whole, len(members), token_json is not None, control, seal)


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
) -> bytes:
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
    body = seal.to_bytes()
    try:
        write_atomic(seal_path, body)
    except OSError as exc:
        raise CaptureError(
            f"cannot write the seal {seal_path}: {os_reason(exc)[0]}",
            f"无法写入封签 {seal_path}：{os_reason(exc)[1]}",
        ) from exc
    return body
