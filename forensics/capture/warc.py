"""WARC 1.1 segments: record serialisation, digests, rolling, and the run lock.

What a segment looks like (the decisions a court's expert needs to know):

- One file per segment, ``traffic-<run start>-<run id>-<seq>.warc.gz``. While it is being
  written it is called ``….warc.gz.open``; on close it is flushed, fsynced and renamed, and
  only then reported to the app. Every segment starts with its own ``warcinfo`` record.
- Every record is its own gzip member, so any record can be read from its offset and a torn
  tail after a crash is cut off at a member boundary (see ``recover``). Bodies that do not
  compress (media, already-encoded content; judged by compressing a 64 KiB sample) are put in
  *stored* deflate blocks: still a gzip member every WARC tool reads, but written at disk
  speed. Compressible bodies are deflated (level 6, level 1 above 8 MiB).
- Digests: ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` are SHA-256, written as
  ``sha256:<lowercase hex>``, the same spelling as the rest of Quzheng (docs/package-format.md §0), so an
  extracted body can be compared with ``sha256sum`` directly. ``warcio check`` accepts hex.
- ``WARC-Date`` has microseconds (WARC 1.1 allows fractional seconds).
- Extension fields of our own are named ``Quzheng-…`` (never ``WARC-…``).
- A response still arriving when its segment closes is committed as it stands, using WARC
  1.1 record segmentation: its bytes so far become the next part of a segmented record (the
  first part carries ``WARC-Segment-Number: 1``, later parts are ``continuation`` records
  naming the first by ``WARC-Segment-Origin-ID``; the last has
  ``WARC-Segment-Total-Length``). Each segment's summary lists the parts it holds
  (``partials``), so the ledger entry sealing it names them. See ``traffic_writer`` and
  docs/package-format.md §4.

The writer makes no network or mitmproxy calls: it is fed finished bytes and spooled files
by the proxy's single writer thread (``traffic_writer``), the only thread that touches a
segment.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import os
import struct
import sys
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from forensics.atomic import replace_durably

WARC_VERSION: Final = "WARC/1.1"
SEGMENT_SUFFIX: Final = ".warc.gz"
OPEN_SUFFIX: Final = ".open"
SEGMENT_PREFIX: Final = "traffic-"
SPOOL_PREFIX: Final = ".spool-"
LOCK_PREFIX: Final = ".run-"
# When a traffic segment is closed and sealed: after this long, or this large, whichever
# comes first (the proxy's defaults, the controller's and a capture session's).
DEFAULT_SEGMENT_SECONDS: Final = 60.0
DEFAULT_SEGMENT_BYTES: Final = 256 * 1024 * 1024

_COPY_CHUNK: Final = 1 << 20
_STORED_BLOCK: Final = 65535  # the largest deflate stored block
_SAMPLE: Final = 64 * 1024
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown
_BIG_BODY: Final = 8 << 20

SENSITIVE_REQUEST_HEADERS: Final = ("cookie", "authorization", "proxy-authorization")
SENSITIVE_RESPONSE_HEADERS: Final = ("set-cookie",)


def warc_date(ts: float) -> str:
    """RFC 3339 UTC with microseconds and ``Z`` (docs/package-format.md §0)."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def labelled_sha256(hexdigest: str) -> str:
    return f"sha256:{hexdigest}"


def _clean(value: str) -> str:
    """Header values come from the network: a CR or LF would forge further WARC fields."""
    return value.replace("\r", " ").replace("\n", " ")


@dataclass
class Block:
    """A record's content block: ``head`` (e.g. the HTTP header block) then the body.

    The body is either in memory or in a spool file (``body_file``, the body starting at
    ``body_offset``). Digests are computed by whoever produced the bytes, while they passed,
    so a large body is never read twice just to hash it.
    """

    head: bytes
    body: bytes
    body_file: Path | None
    body_offset: int
    body_len: int
    block_digest: str
    payload_digest: str | None

    @property
    def length(self) -> int:
        return len(self.head) + self.body_len

    @classmethod
    def from_bytes(cls, head: bytes, body: bytes, *, payload: bool) -> Block:
        """``payload`` says whether the record type has a payload distinct from its block."""
        block = hashlib.sha256(head)
        block.update(body)
        return cls(
            head=head,
            body=body,
            body_file=None,
            body_offset=0,
            body_len=len(body),
            block_digest=labelled_sha256(block.hexdigest()),
            payload_digest=labelled_sha256(hashlib.sha256(body).hexdigest()) if payload else None,
        )

    def sample(self) -> bytes:
        if self.body_file is None:
            return self.body[:_SAMPLE]
        with self.body_file.open("rb") as f:
            f.seek(self.body_offset)
            return f.read(min(_SAMPLE, self.body_len))

    def chunks(self) -> Iterator[bytes | memoryview]:
        yield self.head
        if self.body_file is None:
            yield self.body
            return
        buf = bytearray(_COPY_CHUNK)
        view = memoryview(buf)
        left = self.body_len
        with self.body_file.open("rb", buffering=0) as f:
            f.seek(self.body_offset)
            while left:
                n = f.readinto(view[: min(left, _COPY_CHUNK)])
                if not n:
                    # The spool shrank under us: the record would lie about its length.
                    raise OSError(f"spool file {self.body_file.name} is shorter than recorded")
                left -= n
                yield view[:n]


@dataclass
class RecordPlan:
    """Everything about a record except its block-dependent fields (length and digests)."""

    rtype: str
    target_uri: str | None
    date: str
    content_type: str | None  # None: no Content-Type (a continuation's block is a fragment)
    record_id: str = field(default_factory=new_record_id)
    extra: list[tuple[str, str]] = field(default_factory=list)

    def header_bytes(self, block: Block) -> bytes:
        lines = [
            WARC_VERSION,
            f"WARC-Type: {self.rtype}",
            f"WARC-Record-ID: {self.record_id}",
            f"WARC-Date: {self.date}",
        ]
        if self.target_uri is not None:
            lines.append(f"WARC-Target-URI: {_clean(self.target_uri)}")
        lines.extend(f"{name}: {_clean(value)}" for name, value in self.extra)
        lines.append(f"WARC-Block-Digest: {block.block_digest}")
        if block.payload_digest is not None:
            lines.append(f"WARC-Payload-Digest: {block.payload_digest}")
        if self.content_type is not None:
            lines.append(f"Content-Type: {_clean(self.content_type)}")
        lines.append(f"Content-Length: {block.length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    def to_json(self) -> dict[str, object]:
        return {
            "rtype": self.rtype,
            "target_uri": self.target_uri,
            "date": self.date,
            "content_type": self.content_type,
            "record_id": self.record_id,
            "extra": [list(p) for p in self.extra],
        }

    @classmethod
    def from_json(cls, data: object) -> RecordPlan:
        """Read a plan back from a spool sidecar; raises ValueError on anything odd."""
        if not isinstance(data, dict):
            raise ValueError("plan is not an object")
        extra = data.get("extra")
        if not isinstance(extra, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in extra
        ):
            raise ValueError("plan extra fields malformed")
        strings = {}
        for key in ("rtype", "date", "record_id"):
            value = data.get(key)
            if not isinstance(value, str):
                raise ValueError(f"plan field {key} missing")
            strings[key] = value
        target = data.get("target_uri")
        if target is not None and not isinstance(target, str):
            raise ValueError("plan target_uri malformed")
        content_type = data.get("content_type")
        if content_type is not None and not isinstance(content_type, str):
            raise ValueError("plan content_type malformed")
        return cls(
            rtype=strings["rtype"],
            target_uri=target,
            date=strings["date"],
            content_type=content_type,
            record_id=strings["record_id"],
            extra=[(p[0], p[1]) for p in extra],
        )


class _Counter:
    """Wraps the segment file to count the compressed bytes that reach it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.count = 0

    def write(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.count += len(data)


def _stored(out: _Counter, data: bytes | memoryview) -> None:
    view = memoryview(data)
    for i in range(0, len(view), _STORED_BLOCK):
        part = view[i : i + _STORED_BLOCK]
        out.write(struct.pack("<BHH", 0, len(part), len(part) ^ 0xFFFF))
        out.write(part)


def write_record(out: BinaryIO, plan: RecordPlan, block: Block) -> int:
    """Write one record as one gzip member; returns the number of bytes written."""
    counter = _Counter(out)
    sample = block.sample()
    header = plan.header_bytes(block)
    trailer = b"\r\n\r\n"
    if len(sample) >= 512 and len(zlib.compress(sample, 1)) > 0.9 * len(sample):
        # Incompressible (media, encrypted, already gzip/br): stored deflate blocks cost a
        # copy and a CRC, where deflating would cost a core for nothing.
        crc = 0
        size = 0
        counter.write(_GZIP_HEADER)
        # Lazily: chunks() reuses one buffer, so each chunk must be consumed before the next.
        for part in itertools.chain((header,), block.chunks(), (trailer,)):
            _stored(counter, part)
            crc = zlib.crc32(part, crc)
            size += len(part)
        counter.write(b"\x01\x00\x00\xff\xff")  # final, empty stored block
        counter.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
    else:
        level = 1 if block.length > _BIG_BODY else 6
        comp = zlib.compressobj(level, zlib.DEFLATED, 31)
        for part in itertools.chain((header,), block.chunks(), (trailer,)):
            counter.write(comp.compress(part))
        counter.write(comp.flush())
    return counter.count


@dataclass
class SegmentSummary:
    """What the proxy reports for a closed segment (the ``segment`` event)."""

    path: Path
    records: int
    bytes: int
    urls: list[str]
    hosts: list[str]
    sensitive: list[dict[str, object]]
    started: str
    ended: str
    partials: list[dict[str, object]] = field(default_factory=list)
    """The parts of segmented records (responses still arriving) this segment holds."""

    def to_event(self) -> dict[str, object]:
        return {
            "event": "segment",
            "path": str(self.path),
            "records": self.records,
            "bytes": self.bytes,
            "urls": self.urls,
            "hosts": self.hosts,
            "sensitive": self.sensitive,
            "started": self.started,
            "ended": self.ended,
            "partials": self.partials,
        }


class _OpenSegment:
    def __init__(self, path: Path, seq: int, opened: float) -> None:
        self.final_path = path
        self.open_path = path.with_name(path.name + OPEN_SUFFIX)
        self.seq = seq
        self.opened = opened
        self.file: BinaryIO = self.open_path.open("xb")
        self.size = 0
        self.records = 0
        self.urls: dict[str, None] = {}
        self.hosts: set[str] = set()
        self.sensitive: dict[str, list[str]] = {}
        self.partials: list[dict[str, object]] = []
        # Opened for a transfer still arriving: rolls on time even while it holds nothing.
        self.held_open = False


def segment_name(run_started: float, run_id: str, seq: int) -> str:
    stamp = datetime.datetime.fromtimestamp(run_started, datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{SEGMENT_PREFIX}{stamp}-{run_id}-{seq:05d}{SEGMENT_SUFFIX}"


class SegmentWriter:
    """Rolling WARC segments. Used by exactly one thread (``traffic_writer.Writer``).

    Segments are opened lazily on the first record, so an idle proxy leaves no empty
    segments behind; rolling by time only happens when the segment holds traffic.
    """

    def __init__(
        self,
        work_dir: Path,
        run_id: str,
        run_started: float,
        warcinfo: Callable[[str, int], list[tuple[str, str]]],
        *,
        segment_seconds: float,
        segment_bytes: int,
        on_closed: Callable[[SegmentSummary], None] = lambda _summary: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.on_closed = on_closed
        # Called when a segment is about to close, while it is still open: the owner writes
        # the parts of transfers still arriving into it (``write_now``, ``note_part``).
        self.before_close: Callable[[], None] | None = None
        self.work_dir = work_dir
        self.run_id = run_id
        self.run_started = run_started
        self._warcinfo = warcinfo
        self.segment_seconds = segment_seconds
        self.segment_bytes = segment_bytes
        self._clock = clock
        self._seq = 0
        self.current: _OpenSegment | None = None

    @property
    def seq(self) -> int:
        """The sequence number of the open segment (opening one if none is open)."""
        return self._ensure_open().seq

    def _ensure_open(self) -> _OpenSegment:
        if self.current is not None:
            return self.current
        self._seq += 1
        now = self._clock()
        path = self.work_dir / segment_name(self.run_started, self.run_id, self._seq)
        seg = _OpenSegment(path, self._seq, now)
        self.current = seg
        fields = self._warcinfo(path.name, self._seq)
        body = "".join(f"{k}: {_clean(v)}\r\n" for k, v in fields).encode("utf-8")
        plan = RecordPlan(
            rtype="warcinfo",
            target_uri=None,
            date=warc_date(now),
            content_type="application/warc-fields",
            extra=[("WARC-Filename", path.name)],
        )
        seg.size += write_record(seg.file, plan, Block.from_bytes(b"", body, payload=False))
        seg.file.flush()
        return seg

    def write_group(
        self, size_hint: int, build: Callable[[int], Sequence[tuple[RecordPlan, Block]]]
    ) -> None:
        """Write records that must share a segment (e.g. a TLS metadata record and the
        request that used that connection). ``build`` gets the segment's sequence number.
        Rolls first when the group would push a non-empty segment past its size limit: a
        single record larger than the limit gets a segment of its own.
        """
        seg = self.current
        if seg is not None and seg.records and seg.size + size_hint > self.segment_bytes:
            self.roll()
        seg = self._ensure_open()
        for plan, block in build(seg.seq):
            seg.size += write_record(seg.file, plan, block)
            seg.records += 1
        # Flushed per group so a crash loses at most what is in flight, not a buffer's worth.
        seg.file.flush()

    def write_now(self, records: Sequence[tuple[RecordPlan, Block]]) -> None:
        """Write records into the open segment as they are: no size check, no roll (for
        ``before_close``, which runs while the segment closes)."""
        seg = self._ensure_open()
        for plan, block in records:
            seg.size += write_record(seg.file, plan, block)
            seg.records += 1
        seg.file.flush()

    def note_part(self, part: dict[str, object]) -> None:
        """A part of a segmented record was written into the open segment."""
        self._ensure_open().partials.append(part)

    def hold_open(self) -> None:
        """Open a segment now (if none is) and let it roll on time even if nothing is
        written to it: a transfer still arriving will put its next part in it."""
        self._ensure_open().held_open = True

    def note(self, url: str | None, host: str | None, sensitive: Sequence[str] = ()) -> None:
        seg = self._ensure_open()
        if url:
            seg.urls.setdefault(url, None)
            if sensitive:
                known = seg.sensitive.setdefault(url, [])
                known.extend(h for h in sensitive if h not in known)
        if host:
            seg.hosts.add(host)

    def seconds_until_roll(self) -> float | None:
        seg = self.current
        if seg is None or not (seg.records or seg.held_open):
            return None
        return max(0.0, seg.opened + self.segment_seconds - self._clock())

    def roll_if_due(self) -> SegmentSummary | None:
        left = self.seconds_until_roll()
        if left is not None and left <= 0:
            return self.roll()
        return None

    def size_exceeded(self, pending: int = 0) -> bool:
        """Whether the open segment is full, counting ``pending`` bytes it will take."""
        seg = self.current
        return seg is not None and seg.size + pending >= self.segment_bytes

    def roll(self) -> SegmentSummary | None:
        """Close the open segment and report it to ``on_closed`` (however the roll came
        about). A segment with nothing but its warcinfo is removed, not reported."""
        seg = self.current
        if seg is None:
            return None
        if self.before_close is not None:
            self.before_close()  # may write the parts of transfers still arriving
        self.current = None
        ended = self._clock()
        if not seg.records:
            seg.file.close()
            seg.open_path.unlink()
            self._seq = seg.seq - 1  # its number goes to the next segment: no gap in names
            return None
        seg.file.close()
        replace_durably(seg.open_path, seg.final_path)
        summary = SegmentSummary(
            path=seg.final_path,
            records=seg.records,
            bytes=seg.size,
            urls=list(seg.urls),
            hosts=sorted(seg.hosts),
            sensitive=[{"url": u, "headers": h} for u, h in seg.sensitive.items()],
            started=warc_date(seg.opened),
            ended=warc_date(ended),
            partials=seg.partials,
        )
        self.on_closed(summary)
        return summary

    def abandon(self) -> None:
        """After a write error: leave the open file for recovery, just drop the handle."""
        seg = self.current
        self.current = None
        if seg is not None:
            with contextlib.suppress(OSError):
                seg.file.close()


class RunLock:
    """An exclusive lock held by a live proxy run, so recovery never touches its files.

    The kernel releases it when the process dies, however it dies (SIGKILL included).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if _try_lock(fd):
            self._fd = fd
            return True
        os.close(fd)
        return False

    def release(self, *, unlink: bool = False) -> None:
        if self._fd is None:
            return
        if unlink:
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
