"""Repair the segments a crashed proxy left open, so they can be sealed ``capture.recovered``.

Call ``recover_open_segments(work_dir)`` before starting a proxy on that folder; seal every
path it returns as ``capture.recovered``. Segments of a proxy that is still running are
never touched (each run holds an exclusive lock the kernel drops when it dies).

For each open segment of a dead run:

1. (Scan) Walk its gzip members from the start. A member is kept if it decompresses
   completely (gzip CRC and length check) into exactly one WARC record whose
   ``Content-Length`` matches and whose ``WARC-Block-Digest`` verifies. The first member
   that fails ends the good part; the first record must be the segment's ``warcinfo``.
2. (Keep) The repaired file starts with the good part, byte for byte.
3. (Salvage) Bodies that were still arriving when the proxy died are in its spool; each is
   appended as the record it would have become, marked ``WARC-Truncated: unspecified``.
   A response already committed in part (WARC 1.1 record segmentation: its earlier parts
   are in closed, sealed segments) is ended by its spooled part: a ``continuation`` record
   with the next ``WARC-Segment-Number`` and the series' ``WARC-Segment-Total-Length``
   (empty if the proxy died before any byte of that part reached the spool file).
4. (Account) Whatever followed the good part — the torn last record — is not thrown away:
   it is appended verbatim as a ``resource`` record (``Quzheng-Recovery: torn-tail``), and a
   ``metadata`` record (``Quzheng-Metadata: recovery``) states the damaged file's size and
   SHA-256, where it was cut, and what was salvaged. The damaged file is therefore exactly
   ``good part + torn tail`` and an expert can rebuild it and check its hash; keeping a
   second full copy would only double the disk use.
5. (Commit) The repaired file is written under a temporary name, fsynced and renamed to
   ``…-recovered.warc.gz``; only then are the open file and the spool removed. Running
   recovery again after a crash during recovery redoes it from the untouched original.

An open segment holding nothing but its ``warcinfo`` (no traffic, no tail, no spool) is
removed without a recovered file: there is nothing to seal. A file that is not a WARC
segment at all is renamed ``….damaged`` and reported in a ``RecoveryError`` (after the
other segments were recovered; their paths are on the error's ``recovered`` attribute).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

import forensics
from forensics.atomic import atomic_path, fsync_dir
from forensics.capture.warc import (
    LOCK_PREFIX,
    OPEN_SUFFIX,
    SEGMENT_PREFIX,
    SEGMENT_SUFFIX,
    SPOOL_PREFIX,
    Block,
    RecordPlan,
    RunLock,
    labelled_sha256,
    warc_date,
    write_record,
)
from forensics.errors import InputError

_READ: Final = 1 << 20
_MAX_HEADER: Final = 1 << 20
_NAME: Final = re.compile(
    re.escape(SEGMENT_PREFIX) + r"(?P<stamp>\d{8}T\d{6}Z)-(?P<run>[0-9a-f]+)-(?P<seq>\d+)"
)
RECOVERED_SUFFIX: Final = "-recovered" + SEGMENT_SUFFIX
DAMAGED_SUFFIX: Final = ".damaged"


class RecoveryError(InputError):
    """An open segment could not be recovered. ``recovered`` lists those that could."""

    def __init__(self, message_en: str, message_zh: str, recovered: list[Path]) -> None:
        super().__init__(message_en, message_zh)
        self.recovered = recovered


@dataclass
class _Scan:
    good_end: int = 0
    records: int = 0
    first_type: str | None = None
    problem: str | None = None
    ids: set[str] = field(default_factory=set)


class _RecordCheck:
    """Checks, as bytes stream past, that a member holds exactly one whole WARC record."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.in_head = True
        self.remaining = 0
        self.trailer = bytearray()
        self.hasher: hashlib._Hash | None = None
        self.expected: str | None = None
        self.rtype: str | None = None
        self.record_id: str | None = None
        self.problem: str | None = None

    def feed(self, data: bytes) -> None:
        if self.problem:
            return
        if self.in_head:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > _MAX_HEADER:
                    self.problem = "record header too long"
                return
            rest = bytes(self.head[end + 4 :])
            self._parse(bytes(self.head[:end]))
            self.in_head = False
            if self.problem:
                return
            data = rest
        if self.remaining:
            part = data[: self.remaining]
            if self.hasher is not None:
                self.hasher.update(part)
            self.remaining -= len(part)
            data = data[len(part) :]
        if data:
            self.trailer += data
            if len(self.trailer) > 4:
                self.problem = "bytes after the record"

    def _parse(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        if not lines or not lines[0].startswith(b"WARC/"):
            self.problem = "not a WARC record"
            return
        length: int | None = None
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                self.problem = "malformed WARC header line"
                return
            key = name.strip().lower()
            text = value.strip().decode("utf-8", "replace")
            if key == b"content-length":
                if not text.isdigit():
                    self.problem = "malformed Content-Length"
                    return
                length = int(text)
            elif key == b"warc-type":
                self.rtype = text
            elif key == b"warc-record-id":
                self.record_id = text
            elif key == b"warc-block-digest":
                algo, _, digest = text.partition(":")
                if algo.lower() == "sha256" and len(digest) == 64:
                    self.hasher = hashlib.sha256()
                    self.expected = digest.lower()
        if length is None:
            self.problem = "no Content-Length"
            return
        self.remaining = length

    def complete(self) -> bool:
        if self.problem or self.in_head or self.remaining:
            return False
        if bytes(self.trailer) != b"\r\n\r\n":
            self.problem = "record not terminated"
            return False
        if self.hasher is not None and self.hasher.hexdigest() != self.expected:
            self.problem = "block digest does not match"
            return False
        return True


def _scan(path: Path) -> _Scan:
    """One sequential pass over the file, member after member (each byte read once)."""
    result = _Scan()
    with path.open("rb") as f:
        offset = 0  # where the current member starts
        pending = b""  # bytes read from the file but not yet fed to a decompressor
        at_eof = False
        while True:
            if not pending and not at_eof:
                pending = f.read(_READ)
                at_eof = not pending
            if not pending:
                return result  # the file ends exactly at a member boundary
            d = zlib.decompressobj(31)
            check = _RecordCheck()
            fed = 0
            try:
                while not d.eof and not check.problem:
                    if not pending:
                        pending = f.read(_READ)
                        if not pending:
                            at_eof = True
                            break
                    fed += len(pending)
                    out = d.decompress(pending, _READ)
                    pending = b""
                    check.feed(out)
                    while d.unconsumed_tail and not check.problem:
                        check.feed(d.decompress(d.unconsumed_tail, _READ))
            except zlib.error as exc:
                result.problem = f"gzip error at offset {offset}: {exc}"
                return result
            if not d.eof:
                result.problem = check.problem or f"incomplete gzip member at offset {offset}"
                return result
            if not check.complete():
                result.problem = f"{check.problem} at offset {offset}"
                return result
            end = offset + fed - len(d.unused_data)
            pending = d.unused_data  # the start of the next member
            result.records += 1
            if result.first_type is None:
                result.first_type = check.rtype
            if check.record_id:
                result.ids.add(check.record_id)
            result.good_end = end
            offset = end


def _digest_file(path: Path, start: int, length: int, head_len: int = 0) -> tuple[str, str]:
    """(block digest, payload digest) of ``length`` bytes of ``path`` from ``start``."""
    block = hashlib.sha256()
    payload = hashlib.sha256()
    left = length
    pos = 0
    with path.open("rb") as f:
        f.seek(start)
        while left:
            data = f.read(min(left, _READ))
            if not data:
                raise OSError(f"{path.name} is shorter than expected")
            block.update(data)
            if pos + len(data) > head_len:
                payload.update(data[max(0, head_len - pos) :])
            pos += len(data)
            left -= len(data)
    return labelled_sha256(block.hexdigest()), labelled_sha256(payload.hexdigest())


@dataclass
class _Salvage:
    records: list[tuple[RecordPlan, Block]] = field(default_factory=list)
    notes: list[dict[str, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _salvage_spool(spool_dir: Path) -> _Salvage:
    out = _Salvage()
    if not spool_dir.is_dir():
        return out
    for sidecar in sorted(spool_dir.glob("*.json")):
        body = sidecar.with_suffix(".body")
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("v") != 1:
                raise ValueError("unknown spool sidecar version")
            plan = RecordPlan.from_json(meta.get("plan"))
            head_len = meta.get("head_len")
            if not isinstance(head_len, int) or head_len < 0:
                raise ValueError("bad head length")
            size = body.stat().st_size
            if size < head_len:
                raise ValueError("body file shorter than its header block")
            with body.open("rb") as f:
                head = f.read(head_len)
            block_digest, payload_digest = _digest_file(body, 0, size, head_len)
            before = meta.get("segment_block_before")
            if plan.rtype == "continuation" and (not isinstance(before, int) or before < 0):
                raise ValueError("continuation without the length of its earlier parts")
        except (OSError, ValueError) as exc:
            out.skipped.append(f"{sidecar.name}: {exc}")
            continue
        note: dict[str, object] = {}
        if plan.rtype == "continuation" and isinstance(before, int):
            # The last part of its series: what the earlier parts held plus this one.
            plan.extra.append(("WARC-Segment-Total-Length", str(before + size)))
            origin = next((v for k, v in plan.extra if k == "WARC-Segment-Origin-ID"), None)
            number = next((v for k, v in plan.extra if k == "WARC-Segment-Number"), None)
            note = {"segment_origin_id": origin, "segment_number": number}
        plan.extra.append(("WARC-Truncated", "unspecified"))
        plan.extra.append(
            (
                "Quzheng-Truncated-Reason",
                "the capture proxy stopped unexpectedly during the transfer; "
                "recovered from its spool",
            )
        )
        block = Block(
            head=head,
            body=b"",
            body_file=body,
            body_offset=head_len,
            body_len=size - head_len,
            block_digest=block_digest,
            payload_digest=payload_digest if plan.rtype in ("request", "response") else None,
        )
        out.records.append((plan, block))
        out.notes.append(
            {
                "record_id": plan.record_id,
                "type": plan.rtype,
                "target_uri": plan.target_uri,
                "body_bytes": size - head_len,
                **note,
            }
        )
    return out


def _copy_prefix(src: Path, out: BinaryIO, length: int) -> None:
    left = length
    with src.open("rb") as f:
        while left:
            data = f.read(min(left, _READ))
            if not data:
                raise OSError(f"{src.name} shrank during recovery")
            out.write(data)
            left -= len(data)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while data := f.read(_READ):
            h.update(data)
    return h.hexdigest()


def _warcinfo(name: str, run_id: str) -> tuple[RecordPlan, Block]:
    fields = [
        ("software", f"Quzheng/{forensics.__version__} segment recovery"),
        ("format", "WARC File Format 1.1"),
        ("hostname", platform.node()),
        ("os", platform.platform()),
        ("isPartOf", f"quzheng-proxy-run-{run_id}"),
        (
            "description",
            "Records salvaged from the spool of a capture proxy that stopped unexpectedly "
            "while no segment was open.",
        ),
    ]
    body = "".join(f"{k}: {v}\r\n" for k, v in fields).encode("utf-8")
    plan = RecordPlan(
        rtype="warcinfo",
        target_uri=None,
        date=warc_date(time.time()),
        content_type="application/warc-fields",
        extra=[("WARC-Filename", name)],
    )
    return plan, Block.from_bytes(b"", body, payload=False)


def _write_recovered(
    final: Path,
    source: Path | None,
    scan: _Scan,
    salvage: _Salvage,
    run_id: str,
) -> None:
    size = source.stat().st_size if source else 0
    tail_len = size - scan.good_end
    report: dict[str, object] = {
        "kind": "recovery",
        "recovered_at": warc_date(time.time()),
        "quzheng": forensics.__version__,
        "run": run_id,
        "salvaged": salvage.notes,
        "skipped_spool_files": salvage.skipped,
    }
    with atomic_path(final) as partial, partial.open("wb") as out:
        if source is not None:
            report.update(
                {
                    "damaged_file": source.name,
                    "damaged_size": size,
                    "damaged_sha256": _sha256_file(source),
                    "kept_bytes": scan.good_end,
                    "kept_records": scan.records,
                    "torn_tail_bytes": tail_len,
                    "scan_stopped": scan.problem,
                }
            )
            _copy_prefix(source, out, scan.good_end)
        else:
            write_record(out, *_warcinfo(final.name, run_id))
        for plan, block in salvage.records:
            write_record(out, plan, block)
        if source is not None and tail_len > 0:
            block_digest, _ = _digest_file(source, scan.good_end, tail_len)
            report["torn_tail_sha256"] = block_digest.split(":", 1)[1]
            tail = Block(
                head=b"",
                body=b"",
                body_file=source,
                body_offset=scan.good_end,
                body_len=tail_len,
                block_digest=block_digest,
                payload_digest=block_digest,
            )
            tail_plan = RecordPlan(
                rtype="resource",
                target_uri=f"urn:quzheng:torn-tail:{source.name}",
                date=warc_date(time.time()),
                content_type="application/octet-stream",
                extra=[("Quzheng-Recovery", "torn-tail")],
            )
            report["torn_tail_record"] = tail_plan.record_id
            write_record(out, tail_plan, tail)
        body = json.dumps(report, sort_keys=True, ensure_ascii=False).encode("utf-8")
        meta = RecordPlan(
            rtype="metadata",
            target_uri=None,
            date=warc_date(time.time()),
            content_type="application/json",
            extra=[("Quzheng-Metadata", "recovery")],
        )
        write_record(out, meta, Block.from_bytes(b"", body, payload=False))


def _remove_spool(spool_dir: Path) -> None:
    if not spool_dir.is_dir():
        return
    for child in spool_dir.iterdir():
        child.unlink(missing_ok=True)
    spool_dir.rmdir()


def _runs(work_dir: Path) -> dict[str, list[Path]]:
    """Every run id with leftovers in ``work_dir`` → its open segments (seq order)."""
    runs: dict[str, list[Path]] = {}
    for path in sorted(work_dir.glob(f"{SEGMENT_PREFIX}*{SEGMENT_SUFFIX}{OPEN_SUFFIX}")):
        m = _NAME.match(path.name)
        if m:
            runs.setdefault(m["run"], []).append(path)
    for prefix in (SPOOL_PREFIX, LOCK_PREFIX):
        for path in work_dir.glob(f"{prefix}*"):
            run_id = path.name[len(prefix) :].removesuffix(".lock")
            if run_id:
                runs.setdefault(run_id, [])
    return runs


def closed_segments(work_dir: Path) -> list[Path]:
    """Closed segments still in ``work_dir``, oldest first.

    A closed segment is complete and never written again. The contract with the sealer:
    once a segment is sealed it leaves the work folder (moved into the blob store). Any
    closed segment found here at start-up was therefore closed but not sealed — typically
    because the app died and the proxy closed it on end of input, with nobody left to read
    its report. Seal these too (``capture.traffic``, or ``capture.recovered`` with a note),
    after ``recover_open_segments``.
    """
    work_dir = Path(work_dir)
    if not work_dir.is_dir():
        return []
    found = [
        p
        for p in work_dir.glob(f"{SEGMENT_PREFIX}*{SEGMENT_SUFFIX}")
        if p.is_file() and _NAME.match(p.name)
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def recover_open_segments(work_dir: Path) -> list[Path]:
    """Repair what dead proxy runs left in ``work_dir``; return the files to seal.

    Raises ``RecoveryError`` (a ``QuzhengError``) if a file could not be recovered; it has
    then been renamed ``….damaged`` so it no longer blocks, and the error says which.
    """
    work_dir = Path(work_dir)
    if not work_dir.is_dir():
        return []
    recovered: list[Path] = []
    failures: list[str] = []
    for run_id, open_paths in sorted(_runs(work_dir).items()):
        lock = RunLock(work_dir / f"{LOCK_PREFIX}{run_id}.lock")
        try:
            if not lock.acquire():
                continue  # a live proxy: its files are not ours to touch
        except OSError as exc:
            failures.append(f"run {run_id}: {exc}")
            continue
        try:
            recovered += _recover_run(work_dir, run_id, open_paths, failures)
        finally:
            lock.release(unlink=True)
    if failures:
        listing = "; ".join(failures)
        raise RecoveryError(
            f"Some capture segments could not be recovered and were kept as "
            f"'{DAMAGED_SUFFIX}' files: {listing}",
            f"部分抓包分段无法修复，已保留为“{DAMAGED_SUFFIX}”文件：{listing}",
            recovered,
        )
    return recovered


def _recover_run(
    work_dir: Path, run_id: str, open_paths: list[Path], failures: list[str]
) -> list[Path]:
    spool_dir = work_dir / f"{SPOOL_PREFIX}{run_id}"
    out: list[Path] = []
    try:
        salvage = _salvage_spool(spool_dir)
    except OSError as exc:
        salvage = _Salvage(skipped=[f"spool unreadable: {exc}"])
    # Salvaged bodies join the newest open segment: the one that was being written.
    last = open_paths[-1] if open_paths else None
    salvage_kept = not salvage.records
    for path in open_paths:
        mine = salvage if path == last else _Salvage()
        try:
            result = _recover_one(path, mine, run_id)
        except OSError as exc:
            failures.append(f"{path.name}: {exc}")
            continue
        if isinstance(result, str):
            failures.append(f"{path.name}: {result}")
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + DAMAGED_SUFFIX))
        elif result is not None:
            out.append(result)
            salvage_kept = salvage_kept or path == last
    if not salvage_kept:
        # No open segment took the salvaged bodies: they get a segment of their own.
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        final = work_dir / f"{SEGMENT_PREFIX}{stamp}-{run_id}-00000-salvage{RECOVERED_SUFFIX}"
        try:
            _write_recovered(final, None, _Scan(), salvage, run_id)
        except OSError as exc:
            failures.append(f"spool of run {run_id}: {exc}")
            return out  # the spool stays for another attempt
        out.append(final)
    with contextlib.suppress(OSError):
        _remove_spool(spool_dir)
    return out


def _recover_one(path: Path, salvage: _Salvage, run_id: str) -> Path | str | None:
    """The recovered file, ``None`` if there was nothing to keep, or a problem text."""
    if path.stat().st_size == 0:
        path.unlink()  # created, then the proxy died before writing anything
        return None
    scan = _scan(path)
    if scan.records == 0 or scan.first_type != "warcinfo":
        return f"not a WARC segment written by Quzheng ({scan.problem or 'no warcinfo'})"
    # A part written just before the proxy died, its spool not yet started over: the
    # record is in the segment already, whole (its digest verified); not twice.
    kept = [(p, b) for p, b in salvage.records if p.record_id not in scan.ids]
    if len(kept) != len(salvage.records):
        dropped = {p.record_id for p, _ in salvage.records} - {p.record_id for p, _ in kept}
        salvage = _Salvage(
            records=kept,
            notes=[n for n in salvage.notes if n.get("record_id") not in dropped],
            skipped=[*salvage.skipped, *(f"{rid}: already in the segment" for rid in dropped)],
        )
    tail = path.stat().st_size - scan.good_end
    if scan.records == 1 and tail == 0 and not salvage.records:
        path.unlink()  # only its warcinfo: no traffic was recorded in it
        return None
    final = path.with_name(path.name.removesuffix(SEGMENT_SUFFIX + OPEN_SUFFIX) + RECOVERED_SUFFIX)
    _write_recovered(final, path, scan, salvage, run_id)
    path.unlink()
    fsync_dir(path.parent)
    return final
