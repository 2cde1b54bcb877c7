"""A deposit: streamed in, verified, stored under lock and indexed — all or nothing
(docs/vault.md "Deposit").

While the body streams in, each chunk is written to a spool file and hashed as it comes —
the whole file's SHA-256 and SM3 and every member's, found from the ZIP's local headers
(``forensics.package.stream_scan``); each full part is sent on to an S3 multipart upload,
read back from the spool (memory stays small whatever the package's size). An unfinished
multipart upload is not an object: nothing is visible yet. When the body has arrived, the
spool is verified like ``quzheng verify`` does, under the agency's trust policy, with those
digests (so only the small control files are read again), while the last parts are still
uploading; anything but PASS aborts the upload and is refused. Then the
receipt is signed and time-stamped, the seal stored, the upload completed and locked
(COMPLIANCE), and the index rows written in one transaction. A package is visible only
through its index row: an interruption before the commit leaves at most an object no row
names (it cannot be deleted under Object Lock; the index never names it, and the retry
stores and names a version of its own), never a row without its object.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from s3transfer.utils import ReadFileChunk

from app.vault.storage import ObjectStore, package_key, seal_key
from forensics import safejson
from forensics.errors import InputError, IntegrityError
from forensics.identifiers import check_sha256
from forensics.package import layout as L
from forensics.package.checks import verify_package
from forensics.package.documents import Seal
from forensics.package.layout import is_safe_name
from forensics.package.stream_scan import StreamScan
from forensics.trust import TrustPolicy
from forensics.verdict import Verdict, VerificationReport

PARTS_IN_FLIGHT = 8  # parts uploading at once (boto3's own file uploads use 10)
CHUNK = 1 << 20


class DepositRefused(IntegrityError):
    """The package is not PASS under the agency's policy, or does not match its seal."""


@dataclass(frozen=True)
class Incoming:
    """A verified package in its spool, its upload not yet completed."""

    seal: Seal
    seal_bytes: bytes
    seal_sha256: str
    sha256: str
    size: int
    spool: Path
    report: VerificationReport
    upload: Any  # storage.Multipart
    # seconds: receiving (parts uploading meanwhile), verifying, then waiting for the last parts
    phases: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def file_name(self) -> str:
        return str(self.seal.body.file)


def parse_seal(seal_bytes: bytes) -> Seal:
    seal = Seal.parse(
        safejson.loads(seal_bytes, what="seal", max_bytes=L.MAX_SEAL_BYTES), "the seal"
    )
    body = seal.body
    if body.sha256 is None or body.size is None or body.file is None:
        raise InputError(
            "the seal names no file, size or SHA-256", "封签缺少文件名、大小或 SHA-256"
        )
    check_sha256(body.sha256, "the seal")
    if not is_safe_name(body.file):
        raise InputError(f"the seal names an unsafe file {body.file!r}", "封签中的文件名不安全")
    return seal


def _refuse(report: VerificationReport) -> DepositRefused:
    worst = [f.text("en") for f in report.findings if f.severity != "info"][:3]
    worst_zh = [f.text("zh") for f in report.findings if f.severity != "info"][:3]
    return DepositRefused(
        f"the vault accepts only packages that verify as PASS under the agency's policy; this "
        f"one is {report.verdict.value}: {'; '.join(worst)}",
        f"保管库只接收按本机构信任策略校验通过的证据包；此包结论为 {report.verdict.text('zh')}："
        f"{'；'.join(worst_zh)}",
    )


def receive(
    store: ObjectStore,
    policy: TrustPolicy,
    seal_bytes: bytes,
    body: BinaryIO,
    length: int,
    spool_root: Path,
    part_size: int,
) -> Incoming:
    """Stream ``length`` bytes of ``body`` into the spool, sending each full part on to the
    multipart upload from the spool, and hashing it on the way (``StreamScan``); verify the
    spool with those digests while the last parts are still uploading. On any failure the
    upload is aborted and the spool removed."""
    seal = parse_seal(seal_bytes)
    sha_expected, size_expected = str(seal.body.sha256), int(seal.body.size or 0)
    if length != size_expected:
        raise DepositRefused(
            f"the upload is {length} bytes, the seal says {size_expected}",
            f"上传 {length} 字节，封签记载 {size_expected} 字节",
        )
    work = Path(tempfile.mkdtemp(prefix="deposit-", dir=spool_root))
    spool = work / str(seal.body.file)
    upload = store.start_upload(package_key(sha_expected), sha_expected)
    ok = False
    pool = ThreadPoolExecutor(PARTS_IN_FLIGHT, thread_name_prefix="part")
    scan = StreamScan()
    try:
        t0 = time.monotonic()
        parts = _stream(body, length, spool, upload, part_size, pool, scan)
        streamed = scan.finish(spool)
        sha = streamed.whole.sha256
        received = time.monotonic()
        if sha != sha_expected:
            raise DepositRefused(
                f"the package received has SHA-256 {sha}, its seal says {sha_expected}: "
                "altered or truncated",
                f"收到的证据包 SHA-256 为 {sha}，封签记载 {sha_expected}：已被改动或不完整",
            )
        seal_path = work / (spool.name + ".seal.json")
        seal_path.write_bytes(seal_bytes)
        # Parts still uploading; the members' bytes are not read again (``streamed``).
        report = verify_package(spool, policy, seal_path=seal_path, scan=streamed)
        if report.verdict is not Verdict.PASS:
            raise _refuse(report)
        verified = time.monotonic()
        for f in parts:
            f.result()
        ok = True
        phases = (received - t0, verified - received, time.monotonic() - verified)
        return Incoming(
            seal, seal_bytes, hashlib.sha256(seal_bytes).hexdigest(), sha, length, spool,
            report, upload, phases,
        )  # fmt: skip
    finally:
        scan.close()
        pool.shutdown(wait=True, cancel_futures=not ok)
        if not ok:
            upload.abort()
            shutil.rmtree(work, ignore_errors=True)


def _stream(
    body: BinaryIO,
    length: int,
    spool: Path,
    upload: Any,
    part_size: int,
    pool: ThreadPoolExecutor,
    scan: StreamScan,
) -> list[Future[None]]:
    """Write the body to the spool, feeding ``scan``; each full part, once written, is
    queued for upload, streamed back from the spool (the page cache): memory holds a few
    small buffers per upload thread, however far the receipt runs ahead of the uploads."""
    parts: list[Future[None]] = []
    start = 0  # where the next part begins
    written = 0

    def send(n: int, offset: int, size: int) -> None:
        # A window over the spool (s3transfer's, as boto3's own file uploads use): botocore
        # reads it in small blocks for the checksum and the request, never the whole part.
        with ReadFileChunk.from_filename(str(spool), offset, size) as part:
            upload.upload_part(n, part)

    with open(spool, "xb") as out:
        while written < length:
            chunk = body.read(min(CHUNK, length - written))
            if not chunk:
                raise InputError(
                    f"the upload ended {length - written} bytes early",
                    f"上传提前结束，缺少 {length - written} 字节",
                )
            scan.feed(chunk)
            out.write(chunk)
            written += len(chunk)
            if written - start >= part_size:
                out.flush()
                parts.append(pool.submit(send, len(parts) + 1, start, part_size))
                start += part_size
                for f in parts:
                    if f.done():
                        f.result()  # an upload error stops the deposit now
        out.flush()
        if written > start or not parts:
            parts.append(pool.submit(send, len(parts) + 1, start, written - start))
    return parts


def store_objects(store: ObjectStore, inc: Incoming, retain_until: Any) -> tuple[str, str]:
    """The seal, then the package (its upload completed): each a new version under lock.
    Returns the package's and the seal's version ids: the index names exactly the versions
    this deposit verified (a version an interrupted deposit left stays unnamed)."""
    seal_version = store.put_locked(
        seal_key(inc.sha256), inc.seal_bytes, inc.seal_sha256, retain_until
    )
    pkey = package_key(inc.sha256)
    version = inc.upload.complete()
    store.lock(pkey, version, retain_until)
    return version, seal_version


def discard(inc: Incoming) -> None:
    shutil.rmtree(inc.spool.parent, ignore_errors=True)


def remove_stale_spools(root: Path, older_than: timedelta) -> int:
    """Spool folders a killed deposit left (this instance's spool; never objects)."""
    cutoff = time.time() - older_than.total_seconds()
    n = 0
    for d in root.glob("deposit-*"):
        try:
            if d.is_dir() and d.stat().st_mtime < cutoff:
                shutil.rmtree(d, ignore_errors=True)
                n += 1
        except OSError:
            continue
    return n
