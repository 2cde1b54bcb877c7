"""The proxy's WARC writer thread: the jobs the addon hands it, body spooling, segments.

Division of work (the other half is ``addon``): the writer thread does every disk write
and every digest, in queue order. It spools each body (in memory up to 256 KiB, then in a
file beside a JSON sidecar that lets recovery salvage a partial body after a crash),
hashes it while it passes, and writes finished records into the open segment
(``warc.SegmentWriter``). hashlib, zlib and file writes release the GIL, so on two cores
this runs beside the proxy rather than in its way. The queue is bounded: when the disk
falls behind, the proxy waits instead of buffering.

The upstream certificate record of a connection (a ``TlsSeen`` job) is written once per
segment, before the first exchange of that connection in it.

Long responses are sealed while they run (WARC 1.1 record segmentation): when a segment
closes (by time, size, a ``roll`` command or the stop), every response still arriving puts
the bytes received since its last part into that segment as its next part, and its spool
starts over for the part after. The first part is the ``response`` record itself (its
HTTP header block and the body so far) with ``WARC-Segment-Number: 1``; each later part is
a ``continuation`` record (``WARC-Segment-Origin-ID`` = the first part's record id,
``WARC-Segment-Number`` counting on, the same ``WARC-Target-URI`` and ``WARC-Date``, no
``Content-Type``); the part written when the response ends (or the capture stops) is the
last and carries ``WARC-Segment-Total-Length`` (and ``WARC-Truncated`` if it was cut
short). A part's block is a slice of the logical record's block: concatenated in segment
order they are the whole record. Segmented parts carry no ``WARC-Payload-Digest`` (the
payload is known only at the end; warcio ignores it on segments anyway); each part's
``Quzheng-Segment-Cut`` says when it was cut, and the segment's summary lists every part
with its payload byte range and SHA-256 (``partials``). A response that ends within the
segment it started in is one ordinary record, as before. Request bodies are not segmented.

A continuation spool is a file from its start, its sidecar naming the continuation record
it will become, so recovery after a crash can end the series (see ``recover``).

Fail closed: if anything cannot be written, the writer reports an ``error`` event, flows
are killed, new clients are refused and the proxy shuts down. What can have reached the
browser past the last byte on disk is bounded: the queue (``QUEUE_ITEMS`` batches) plus one
batch per open transfer. The same bound holds the proxy's memory when the disk is slow.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import queue
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from forensics.capture.warc import (
    SPOOL_PREFIX,
    Block,
    RecordPlan,
    SegmentWriter,
    labelled_sha256,
    warc_date,
)

logger = logging.getLogger(__name__)

QUEUE_ITEMS: Final = 64
MEMORY_SPOOL: Final = 256 * 1024
_MERGE_BYTES: Final = 4 << 20
_TLS_MEMORY: Final = 1024

Emit = Callable[[dict[str, object]], None]


# --------------------------------------------------------------------------- jobs


@dataclass(slots=True)
class StartBody:
    body_id: str
    plan: RecordPlan
    head: bytes
    conn_id: str | None = None


@dataclass(slots=True)
class Chunk:
    body_id: str
    parts: list[bytes]


@dataclass(slots=True)
class EndBody:
    body_id: str
    extra: list[tuple[str, str]] | None
    truncated: str | None
    conn_id: str | None
    url: str | None
    host: str | None
    sensitive: tuple[str, ...] = ()


@dataclass(slots=True)
class TlsSeen:
    conn_id: str
    key: str
    plan: RecordPlan
    payload: bytes


@dataclass(slots=True)
class Whole:
    """A record whose block is complete in memory (messages, metadata)."""

    plan: RecordPlan
    body: bytes
    conn_id: str | None = None
    url: str | None = None
    host: str | None = None


@dataclass(slots=True)
class Roll:
    pass


@dataclass(slots=True)
class Stop:
    pass


Job = StartBody | Chunk | EndBody | TlsSeen | Whole | Roll | Stop


# --------------------------------------------------------------------------- spooling


class _Spool:
    """One body on its way to a record: head + body bytes, hashed as they arrive."""

    __slots__ = (
        "block_before",
        "block_hash",
        "body_id",
        "conn_id",
        "file",
        "head",
        "length",
        "memory",
        "origin",
        "part",
        "path",
        "payload_before",
        "payload_hash",
        "plan",
        "spool_dir",
    )

    def __init__(
        self,
        spool_dir: Path,
        body_id: str,
        plan: RecordPlan,
        head: bytes,
        conn_id: str | None = None,
    ) -> None:
        self.spool_dir = spool_dir
        self.body_id = body_id
        self.plan = plan
        self.head = head
        self.conn_id = conn_id
        self.block_hash = hashlib.sha256(head)
        self.payload_hash = hashlib.sha256()
        self.memory: bytearray | None = bytearray()
        self.file: BinaryIO | None = None
        self.path: Path | None = None
        self.length = 0
        # Segmentation: parts already written (0: none, ``plan`` is the whole record's),
        # the first part's plan, and the block / payload bytes the earlier parts held.
        self.part = 0
        self.origin: RecordPlan | None = None
        self.block_before = 0
        self.payload_before = 0

    def write(self, data: bytes) -> None:
        self.block_hash.update(data)
        self.payload_hash.update(data)
        self.length += len(data)
        if self.memory is not None:
            self.memory += data
            if len(self.memory) > MEMORY_SPOOL:
                self._to_file()
        else:
            assert self.file is not None
            self.file.write(data)
            # To the kernel at once: a crash loses only what was still in the queue.
            self.file.flush()

    def _to_file(self) -> None:
        # The sidecar first: a body file without it could not be turned into a record.
        assert self.memory is not None
        sidecar = self.spool_dir / f"{self.body_id}.json"
        meta: dict[str, object] = {
            "v": 1,
            "plan": self.plan.to_json(),
            "head_len": len(self.head),
        }
        if self.part:
            # A continuation: recovery needs the series' length so far to end it.
            meta["segment_block_before"] = self.block_before
        sidecar.write_text(json.dumps(meta), encoding="utf-8")
        self.path = self.spool_dir / f"{self.body_id}.body"
        self.file = self.path.open("xb")
        self.file.write(self.head)
        self.file.write(self.memory)
        self.memory = None

    def finish(self) -> Block:
        if self.file is not None:
            self.file.close()
            self.file = None
        return Block(
            head=self.head,
            body=bytes(self.memory) if self.memory is not None else b"",
            body_file=self.path,
            body_offset=len(self.head),
            body_len=self.length,
            block_digest=labelled_sha256(self.block_hash.hexdigest()),
            payload_digest=labelled_sha256(self.payload_hash.hexdigest()),
        )

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def discard(self) -> None:
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            (self.spool_dir / f"{self.body_id}.json").unlink(missing_ok=True)
            self.path = None

    # ---- segmentation

    def cut(self, *, last: bool, cut_at: float) -> tuple[RecordPlan, Block, dict[str, object]]:
        """The record for the bytes spooled since the last part: the next part of the
        segmented record (``last``: the final one), and its ``partials`` entry."""
        block = self.finish()
        block.payload_digest = None  # segmented: see the module doc
        number = self.part + 1
        if self.part == 0:
            plan = self.plan
            plan.extra.append(("WARC-Segment-Number", "1"))
            self.origin = plan
        else:
            plan = self.plan  # the continuation plan made when the previous part was cut
        plan.extra.append(("Quzheng-Segment-Cut", warc_date(cut_at)))
        total = self.block_before + block.length
        if last:
            plan.extra.append(("WARC-Segment-Total-Length", str(total)))
        assert self.origin is not None
        payload_from = self.payload_before
        payload_to = payload_from + self.length
        part: dict[str, object] = {
            "uri": plan.target_uri,
            "origin_id": self.origin.record_id,
            "record_id": plan.record_id,
            "segment_number": number,
            "payload_from": payload_from,
            "payload_to": payload_to,
            "payload_sha256": self.payload_hash.hexdigest(),
            "last": last,
            "truncated": None,
        }
        return plan, block, part

    def restart(self) -> None:
        """After a part was written: start spooling the next part (a continuation)."""
        assert self.origin is not None
        self.discard()
        self.part += 1
        self.block_before += len(self.head) + self.length
        self.payload_before += self.length
        origin = self.origin
        self.plan = RecordPlan(
            rtype="continuation",
            target_uri=origin.target_uri,
            date=origin.date,
            content_type=None,
            extra=[
                ("WARC-Segment-Origin-ID", origin.record_id),
                ("WARC-Segment-Number", str(self.part + 1)),
            ],
        )
        self.head = b""
        self.block_hash = hashlib.sha256()
        self.payload_hash = hashlib.sha256()
        self.length = 0
        self.memory = bytearray()
        self._to_file()  # a file from the start: recovery can always end the series


# --------------------------------------------------------------------------- writer


class Writer:
    """The single thread that writes segments. Never blocks on the event loop."""

    def __init__(
        self,
        segments: SegmentWriter,
        spool_dir: Path,
        emit: Emit,
        on_fatal: Callable[[], None],
    ) -> None:
        self.segments = segments
        # Every closed segment is reported, whether time, size, a command or stop closed it.
        segments.on_closed = lambda summary: emit(summary.to_event())
        # ... and takes with it the bytes so far of every response still arriving.
        segments.before_close = self._commit_parts
        self._clock = time.time
        self.spool_dir = spool_dir
        self._emit = emit
        self._on_fatal = on_fatal
        self.queue: queue.Queue[Job] = queue.Queue(QUEUE_ITEMS)
        self.failed = threading.Event()
        self._spools: dict[str, _Spool] = {}
        self._tls: OrderedDict[str, TlsSeen] = OrderedDict()
        self._tls_seq = -1
        self._tls_written: set[str] = set()
        self._pending: Job | None = None
        self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, job: Job) -> None:
        # Bounded: when the disk falls behind, the proxy waits instead of buffering.
        self.queue.put(job)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _next(self) -> Job:
        """The next job; consecutive chunks of one body come merged into one.

        Merging matters under load: each chunk costs the worker a few GIL hand-overs
        (queue, two hashes, a write), and every hand-over interrupts the event loop. When
        the worker falls behind, chunks pile up, and one merged chunk costs what one did.
        """
        if self._pending is not None:
            job, self._pending = self._pending, None
        else:
            job = self.queue.get(timeout=self.segments.seconds_until_roll())
        if not isinstance(job, Chunk):
            return job
        size = sum(len(p) for p in job.parts)
        while size < _MERGE_BYTES:
            try:
                more = self.queue.get_nowait()
            except queue.Empty:
                break
            if not isinstance(more, Chunk) or more.body_id != job.body_id:
                self._pending = more
                break
            job.parts.extend(more.parts)
            size += sum(len(p) for p in more.parts)
        return job

    def _run(self) -> None:
        while True:
            try:
                job = self._next()
            except queue.Empty:
                if not self.failed.is_set():
                    self._guard(self._roll_if_due)
                    self._guard(self._hold_open)
                continue
            if isinstance(job, Stop):
                if not self.failed.is_set():
                    self._guard(self._stop)
                return
            if self.failed.is_set():
                continue  # drain, so the event loop never blocks on a full queue
            self._guard(functools.partial(self._handle, job))

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:  # any failure to write means: stop recording
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        logger.error("recording failed", exc_info=exc)
        self.failed.set()
        self.segments.abandon()
        # Spool files stay: recovery at the next start salvages what reached the disk.
        for spool in self._spools.values():
            with contextlib.suppress(OSError):
                spool.close()
        self._spools.clear()
        self._emit(
            {
                "event": "error",
                "fatal": True,
                "kind": "write-failed",
                "message": f"Traffic can no longer be recorded: {exc}",
                "message_zh": f"无法继续记录网络流量：{exc}",
            }
        )
        self._on_fatal()

    def _roll_if_due(self) -> None:
        self.segments.roll_if_due()

    def _roll(self) -> None:
        self.segments.roll()

    def _handle(self, job: Job) -> None:
        if isinstance(job, Chunk):
            spool = self._spools.get(job.body_id)
            if spool is not None:
                # One copy, then one call each to the hashes and the file: each C call
                # releases the GIL, and fewer hand-overs leave the event loop alone.
                spool.write(job.parts[0] if len(job.parts) == 1 else b"".join(job.parts))
        elif isinstance(job, StartBody):
            self._spools[job.body_id] = _Spool(
                self.spool_dir, job.body_id, job.plan, job.head, job.conn_id
            )
        elif isinstance(job, EndBody):
            self._end_body(job)
        elif isinstance(job, TlsSeen):
            self._tls[job.conn_id] = job
            self._tls.move_to_end(job.conn_id)
            while len(self._tls) > _TLS_MEMORY:
                self._tls.popitem(last=False)
            self._write([], job.conn_id, 0)
        elif isinstance(job, Whole):
            payload = job.plan.rtype in ("response", "resource", "request")
            block = Block.from_bytes(b"", job.body, payload=payload)
            self._write([(job.plan, block)], job.conn_id, block.length)
            self.segments.note(job.url, job.host)
        elif isinstance(job, Roll):
            self._roll()
        self._roll_if_due()
        if self.segments.size_exceeded(self._spooled() if isinstance(job, Chunk) else 0):
            self._roll()
        self._hold_open()

    def _spooled(self) -> int:
        """Bytes of responses still arriving that the open segment will take when it closes
        (it rolls by size with them counted, so its parts keep it near its size limit)."""
        return sum(s.length + len(s.head) for s in self._streaming())

    def _streaming(self) -> list[_Spool]:
        return [s for s in self._spools.values() if s.plan.rtype in ("response", "continuation")]

    def _hold_open(self) -> None:
        """While a response is arriving a segment stays open, so its next part is
        committed when that segment's time is up even if nothing else happens."""
        if self.segments.current is None and self._streaming():
            self.segments.hold_open()

    def _commit_parts(self) -> None:
        """``before_close``: each response still arriving puts its bytes so far into the
        closing segment as its next part, then spools the next part afresh."""
        now = self._clock()
        for spool in self._streaming():
            if spool.part and not spool.length:
                continue  # nothing new since the last part
            plan, block, part = spool.cut(last=False, cut_at=now)
            records = self._with_tls(self.segments.seq, spool.conn_id, [(plan, block)])
            self.segments.write_now(records)
            self.segments.note_part(part)
            target = plan.target_uri
            self.segments.note(target, urllib.parse.urlsplit(target or "").hostname)
            spool.restart()

    def _end_body(self, job: EndBody) -> None:
        spool = self._spools.pop(job.body_id, None)
        if spool is None:
            return
        if spool.part:
            self._last_part(spool, job.truncated, None, job.conn_id)
            self.segments.note(job.url, job.host, job.sensitive)
            return
        plan = spool.plan
        if job.extra is not None:
            plan.extra = job.extra
        if job.truncated:
            plan.extra.append(("WARC-Truncated", job.truncated))
        block = spool.finish()
        self._write([(plan, block)], job.conn_id, block.length)
        self.segments.note(job.url, job.host, job.sensitive)
        spool.discard()

    def _last_part(
        self, spool: _Spool, truncated: str | None, reason: str | None, conn_id: str | None
    ) -> None:
        """The final continuation of a segmented record, with its total length."""
        if truncated:
            spool.plan.extra.append(("WARC-Truncated", truncated))
        if reason:
            spool.plan.extra.append(("Quzheng-Truncated-Reason", reason))
        plan, block, part = spool.cut(last=True, cut_at=self._clock())
        part["truncated"] = truncated
        # The part and its mention in the summary go to the same segment.
        self._write([(plan, block)], conn_id or spool.conn_id, block.length)
        self.segments.note_part(part)
        target = plan.target_uri
        self.segments.note(target, urllib.parse.urlsplit(target or "").hostname)
        spool.discard()

    def _with_tls(
        self, seq: int, conn_id: str | None, records: list[tuple[RecordPlan, Block]]
    ) -> list[tuple[RecordPlan, Block]]:
        """``records`` for segment ``seq``, after the certificate record of their
        connection if that segment does not hold it yet."""
        if seq != self._tls_seq:
            self._tls_seq = seq
            self._tls_written = set()
        out: list[tuple[RecordPlan, Block]] = []
        tls = self._tls.get(conn_id) if conn_id else None
        if tls is not None and tls.key not in self._tls_written:
            self._tls_written.add(tls.key)
            plan = RecordPlan(
                rtype=tls.plan.rtype,
                target_uri=tls.plan.target_uri,
                date=tls.plan.date,
                content_type=tls.plan.content_type,
                extra=list(tls.plan.extra),
            )
            out.append((plan, Block.from_bytes(b"", tls.payload, payload=False)))
        out.extend(records)
        return out

    def _write(
        self, records: list[tuple[RecordPlan, Block]], conn_id: str | None, size: int
    ) -> None:
        if not records and (conn_id is None or conn_id not in self._tls):
            return
        self.segments.write_group(size, lambda seq: self._with_tls(seq, conn_id, records))

    def _stop(self) -> None:
        # Transfers still open when capture ends are kept as far as they got. Each leaves
        # the open set first, so a roll on the way does not cut it again.
        for body_id in list(self._spools):
            spool = self._spools.pop(body_id)
            if spool.part:
                self._last_part(
                    spool,
                    "unspecified",
                    "capture stopped while the transfer was in progress",
                    None,
                )
                continue
            spool.plan.extra.append(("WARC-Truncated", "unspecified"))
            spool.plan.extra.append(
                ("Quzheng-Truncated-Reason", "capture stopped while the transfer was in progress")
            )
            block = spool.finish()
            self._write([(spool.plan, block)], None, block.length)
            target = spool.plan.target_uri
            self.segments.note(target, urllib.parse.urlsplit(target or "").hostname)
            spool.discard()
        self._spools.clear()
        self._roll()


def spool_dir_for(work_dir: Path, run_id: str) -> Path:
    path = work_dir / f"{SPOOL_PREFIX}{run_id}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def remove_tree(path: Path) -> None:
    """Remove a spool folder (flat: files only)."""
    if not path.exists():
        return
    for child in path.iterdir():
        child.unlink(missing_ok=True)
    os.rmdir(path)
