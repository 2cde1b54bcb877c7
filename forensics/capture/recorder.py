"""The recording addon (mitmproxy hooks, event-loop thread) and its writer thread.

Division of work, chosen so the proxy keeps its throughput and its memory stays flat:

- The event-loop thread (mitmproxy's hooks) only describes what passes: it serialises
  header blocks, plans records (URI, dates, upstream IP, protocol, cipher) and hands body
  chunks on, by reference and in batches of 512 KiB, to one writer thread through a
  bounded queue. Every body is streamed (``flow.request.stream`` / ``flow.response.stream``
  are callables that pass each chunk on unchanged), so mitmproxy never buffers a body.
- The writer thread does every disk write and every digest, in queue order: it spools each
  body (in memory up to 256 KiB, then in a file beside a JSON sidecar that lets recovery
  salvage a partial body after a crash), hashes it while it passes, and writes finished
  records into the open segment. hashlib, zlib and file writes release the GIL, so on two
  cores this runs beside the proxy rather than in its way.

Record choices (see also ``warc``):

- ``request`` and ``response`` records link both ways with ``WARC-Concurrent-To``. The
  request record is written when the response headers arrive (only then is the upstream IP
  certain), so a huge download in progress already has its request on disk.
- HTTP/2 and HTTP/3 messages are stored HTTP/1.1-style (as warcprox and browsertrix do): a
  request line or status line and the header fields as received; ``:authority`` becomes a
  ``Host`` field when the request has none (RFC 9113 §8.3.1). ``WARC-Protocol`` names the
  real protocol. Bodies are byte-exact as received, content-encoding kept. mitmproxy has
  already removed chunked transfer framing, so a ``Transfer-Encoding`` field is renamed
  ``X-Archive-Orig-Transfer-Encoding`` (the pywb convention) to keep the record parseable.
- The upstream certificate chain and its validation result are ``metadata`` records
  (``application/json``, ``WARC-Target-URI: urn:quzheng:tls-server:<host>:<port>``), one
  per connection and segment, written before the first exchange of that connection in
  each segment. A failed validation is recorded the same way, with
  the reason; mitmproxy then refuses the connection (``ssl_insecure`` is never set).
- WebSocket messages, and the bytes of any non-HTTP TCP stream, are ``resource`` records
  (text frames ``text/plain; charset=utf-8``, binary ``application/octet-stream``), with
  ``Quzheng-Message-Direction``, linked to the handshake response by ``WARC-Concurrent-To``.
- Transport errors are ``metadata`` records (``Quzheng-Metadata: error``, the URL in the
  JSON, no ``WARC-Target-URI`` so that web-archive indexes do not take them for a capture
  of the page) linked to the request; a response cut short has ``WARC-Truncated``.

Fail closed: if anything cannot be written, the writer reports an ``error`` event, flows
are killed, new clients are refused and the proxy shuts down. What can have reached the
browser past the last byte on disk is bounded: the queue (``QUEUE_ITEMS`` batches) plus one
batch per open transfer. The same bound holds the proxy's memory when the disk is slow.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http
import ipaddress
import json
import logging
import os
import queue
import threading
import time
import urllib.parse
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

from forensics.capture.warc import (
    SENSITIVE_REQUEST_HEADERS,
    SENSITIVE_RESPONSE_HEADERS,
    SPOOL_PREFIX,
    Block,
    RecordPlan,
    SegmentWriter,
    labelled_sha256,
    new_record_id,
    warc_date,
)

logger = logging.getLogger(__name__)

QUEUE_ITEMS: Final = 64
MEMORY_SPOOL: Final = 256 * 1024
_MERGE_BYTES: Final = 4 << 20
# Chunks are handed to the writer in batches of this size: each hand-over wakes the writer
# thread, and each wake-up takes the GIL from the event loop for a moment.
HANDOVER_BYTES: Final = 512 * 1024
_TLS_MEMORY: Final = 1024

Emit = Callable[[dict[str, object]], None]

# OpenSSL names the TLS 1.2 suites its own way; WARC-Cipher-Suite wants the IANA name.
# TLS 1.3 names are already IANA names. An unknown suite is recorded under OpenSSL's name.
_IANA_CIPHERS: Final = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-ECDSA-AES256-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-RSA-AES256-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "DHE-RSA-AES256-GCM-SHA384": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
}

_HTTP_PROTOCOLS: Final = {
    "HTTP/2.0": "h2",
    "HTTP/3": "h3",
    "HTTP/1.1": "http/1.1",
    "HTTP/1.0": "http/1.0",
    "HTTP/0.9": "http/0.9",
}


# --------------------------------------------------------------------------- jobs


@dataclass(slots=True)
class StartBody:
    body_id: str
    plan: RecordPlan
    head: bytes


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
        "block_hash",
        "body_id",
        "file",
        "head",
        "length",
        "memory",
        "path",
        "payload_hash",
        "plan",
        "spool_dir",
    )

    def __init__(self, spool_dir: Path, body_id: str, plan: RecordPlan, head: bytes) -> None:
        self.spool_dir = spool_dir
        self.body_id = body_id
        self.plan = plan
        self.head = head
        self.block_hash = hashlib.sha256(head)
        self.payload_hash = hashlib.sha256()
        self.memory: bytearray | None = bytearray()
        self.file: BinaryIO | None = None
        self.path: Path | None = None
        self.length = 0

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

    def _to_file(self) -> None:
        # The sidecar first: a body file without it could not be turned into a record.
        assert self.memory is not None
        sidecar = self.spool_dir / f"{self.body_id}.json"
        sidecar.write_text(
            json.dumps({"v": 1, "plan": self.plan.to_json(), "head_len": len(self.head)}),
            encoding="utf-8",
        )
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
            self._spools[job.body_id] = _Spool(self.spool_dir, job.body_id, job.plan, job.head)
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
        if self.segments.size_exceeded():
            self._roll()

    def _end_body(self, job: EndBody) -> None:
        spool = self._spools.pop(job.body_id, None)
        if spool is None:
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

    def _write(
        self, records: list[tuple[RecordPlan, Block]], conn_id: str | None, size: int
    ) -> None:
        def build(seq: int) -> list[tuple[RecordPlan, Block]]:
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

        if not records and (conn_id is None or conn_id not in self._tls):
            return
        self.segments.write_group(size, build)

    def _stop(self) -> None:
        # Transfers still open when capture ends are kept as far as they got.
        for spool in list(self._spools.values()):
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


# --------------------------------------------------------------------------- the addon


@dataclass(slots=True)
class _Gather:
    parts: list[bytes] = field(default_factory=list)
    size: int = 0


@dataclass(slots=True)
class _FlowState:
    req_body: str = field(default_factory=lambda: uuid.uuid4().hex)
    resp_body: str = field(default_factory=lambda: uuid.uuid4().hex)
    req_id: str = field(default_factory=new_record_id)
    resp_id: str = field(default_factory=new_record_id)
    req_complete: bool = False
    resp_started: bool = False
    req_ended: bool = False
    resp_ended: bool = False


def _header_block(first_line: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    out = [first_line, b"\r\n"]
    for name, value in fields:
        if name.lower() == b"transfer-encoding":
            name = b"X-Archive-Orig-Transfer-Encoding"
        out += [name, b": ", value, b"\r\n"]
    out.append(b"\r\n")
    return b"".join(out)


def request_head(req: Any) -> bytes:
    """The request as an HTTP/1.1-style header block (see module doc)."""
    version: str = req.http_version
    fields: list[tuple[bytes, bytes]] = list(req.headers.fields)
    if version.startswith("HTTP/1") or version == "HTTP/0.9":
        line_version: bytes = req.data.http_version
    else:
        line_version = b"HTTP/1.1"
        if not any(name.lower() == b"host" for name, _ in fields):
            authority: bytes = req.data.authority or req.host_header.encode("idna")
            fields.insert(0, (b"Host", authority))
    path: bytes = req.data.path
    return _header_block(req.data.method + b" " + path + b" " + line_version, fields)


def response_head(resp: Any) -> bytes:
    version: str = resp.http_version
    reason: bytes = resp.data.reason
    if version.startswith("HTTP/1"):
        line_version: bytes = resp.data.http_version
    else:
        line_version = b"HTTP/1.1"
    if not reason and not version.startswith("HTTP/1"):
        try:
            reason = http.HTTPStatus(resp.status_code).phrase.encode("ascii")
        except ValueError:
            reason = b""
    line = line_version + b" " + str(resp.status_code).encode("ascii")
    if reason:
        line += b" " + reason
    return _header_block(line, list(resp.headers.fields))


def _sensitive(headers: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if n in headers)


def _tls_protocol(version: str | None) -> str | None:
    if not version:
        return None
    # "TLSv1.3" -> "tls/1.3"
    return version.lower().replace("tlsv", "tls/").replace("sslv", "ssl/")


def connection_fields(server: Any, http_version: str | None) -> list[tuple[str, str]]:
    """WARC-IP-Address, WARC-Protocol (repeated: HTTP then TLS) and WARC-Cipher-Suite."""
    out: list[tuple[str, str]] = []
    peer = server.peername
    if peer:
        out.append(("WARC-IP-Address", str(peer[0])))
    if http_version:
        out.append(("WARC-Protocol", _HTTP_PROTOCOLS.get(http_version, http_version.lower())))
    if server.tls_established:
        tls = _tls_protocol(server.tls_version)
        if tls:
            out.append(("WARC-Protocol", tls))
        if server.cipher:
            out.append(("WARC-Cipher-Suite", _IANA_CIPHERS.get(server.cipher, server.cipher)))
    return out


def _cert_json(cert: Any) -> dict[str, object]:
    """``cert`` is a cryptography certificate (a web server's: its names may be malformed)."""
    from cryptography.hazmat.primitives import hashes, serialization

    from forensics.x509names import issuer_text, subject_text

    return {
        "pem": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "subject": subject_text(cert),
        "issuer": issuer_text(cert),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _chain(certs: Any) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for cert in certs or []:
        try:
            crypto = cert.to_cryptography()
        except Exception:  # a malformed upstream certificate is still recorded, as such
            out.append({"error": "certificate could not be parsed"})
            continue
        out.append(_cert_json(crypto))
    return out


class Recorder:
    """mitmproxy addon: records all traffic into WARC segments. Changes nothing it relays."""

    def __init__(
        self,
        writer: Writer,
        emit: Emit,
        map_hosts: dict[str, tuple[str, int]],
    ) -> None:
        self.writer = writer
        self._emit = emit
        self.map_hosts = map_hosts
        # server connection id -> the address asked for, when --map-host redirected it
        self._asked: dict[str, tuple[str, int]] = {}
        # body id -> chunks passed on but not yet handed to the writer
        self._gathers: dict[str, _Gather] = {}

    # ---- connections

    def client_connected(self, client: Any) -> None:
        # The listener is bound to 127.0.0.1 only; this is the second wall, in case an
        # option or a future mitmproxy ever binds wider.
        host = client.peername[0] if client.peername else ""
        try:
            loopback = ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            client.error = "Quzheng's capture proxy accepts loopback clients only"
            self._emit({"event": "warning", "kind": "non-loopback-client", "peer": host})
        elif self.writer.failed.is_set():
            client.error = "recording has stopped"

    def server_connect(self, data: Any) -> None:
        if self.writer.failed.is_set():
            data.server.error = "recording has stopped"
            return
        address = data.server.address
        if not address or not self.map_hosts:
            return
        host = str(address[0]).lower().rstrip(".")
        for suffix, target in self.map_hosts.items():
            if host == suffix or host.endswith("." + suffix):
                # Connect elsewhere, but keep the name for SNI and certificate checks.
                if data.server.sni is None:
                    data.server.sni = host
                self._asked[data.server.id] = (host, int(address[1]))
                data.server.address = target
                return

    def server_disconnected(self, data: Any) -> None:
        self._asked.pop(data.server.id, None)

    def tls_established_server(self, data: Any) -> None:
        self._tls(data, verified=True)

    def tls_failed_server(self, data: Any) -> None:
        self._tls(data, verified=False)

    def _tls(self, data: Any, *, verified: bool) -> None:
        conn = data.conn
        ssl_conn = data.ssl_conn
        if verified:
            chain = _chain(conn.certificate_list and [c for c in conn.certificate_list])
        else:
            try:
                chain = _chain(ssl_conn.get_peer_cert_chain() if ssl_conn else None)
            except Exception:  # the handshake failed half-way: record what is there
                chain = []
        try:
            verified_chain = _chain(ssl_conn.get_verified_chain()) if verified else []
        except Exception:  # informative only; the verdict comes from OpenSSL's handshake
            verified_chain = []
        error_text = None if verified else str(conn.error or "TLS handshake failed")
        when = warc_date(conn.timestamp_tls_setup or conn.timestamp_start or time.time())
        sni = conn.sni
        connected = conn.address if conn.address else ("", 0)
        addr_host, port = self._asked.get(conn.id, connected)
        peer = conn.peername[0] if conn.peername else None
        host = sni or addr_host
        payload = {
            "kind": "tls-server-certificate",
            "host": host,
            "port": port,
            "ip": peer,
            "sni": sni,
            "connected_to": f"{connected[0]}:{connected[1]}",
            "mapped": conn.id in self._asked,
            "tls_version": conn.tls_version,
            "cipher": _IANA_CIPHERS.get(conn.cipher, conn.cipher) if conn.cipher else None,
            "alpn": conn.alpn.decode("ascii", "replace") if conn.alpn else None,
            "validation": {
                "verified": verified,
                "checks": "chain to trusted anchors and host name (OpenSSL VERIFY_PEER)",
                "error": error_text,
            },
            "chain": chain,
            "verified_chain": verified_chain,
            "time": when,
        }
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        key = hashlib.sha256(
            json.dumps(
                [host, port, peer, verified, payload["validation"], chain], sort_keys=True
            ).encode()
        ).hexdigest()
        extra: list[tuple[str, str]] = []
        if peer:
            extra.append(("WARC-IP-Address", str(peer)))
        tls = _tls_protocol(conn.tls_version)
        if tls:
            extra.append(("WARC-Protocol", tls))
        if conn.cipher:
            extra.append(("WARC-Cipher-Suite", _IANA_CIPHERS.get(conn.cipher, conn.cipher)))
        extra.append(("Quzheng-Metadata", "tls-server-certificate"))
        extra.append(("Quzheng-Validation", "verified" if verified else "failed"))
        # A URN, not https://host/: in a WACZ index an https URL here would compete with
        # the site's own page at replay time.
        name = f"[{host}]" if ":" in host else host
        plan = RecordPlan(
            rtype="metadata",
            target_uri=f"urn:quzheng:tls-server:{name}:{port}",
            date=when,
            content_type="application/json",
            extra=extra,
        )
        self.writer.put(TlsSeen(conn_id=conn.id, key=key, plan=plan, payload=body))
        if not verified:
            self._emit(
                {
                    "event": "warning",
                    "kind": "upstream-certificate-invalid",
                    "host": host,
                    "port": port,
                    "error": error_text,
                }
            )

    # ---- HTTP

    def _streamer(self, body_id: str) -> Callable[[bytes], bytes]:
        """The stream callable of one body: passes every chunk on unchanged, and hands
        the chunks to the writer in batches of ``HANDOVER_BYTES`` (see ``_flush``)."""
        gather = _Gather()
        self._gathers[body_id] = gather
        put = self.writer.put
        failed = self.writer.failed

        def stream(data: bytes) -> bytes:
            if failed.is_set():
                return b""  # fail closed: nothing more is forwarded unrecorded
            if data:
                gather.parts.append(data)
                gather.size += len(data)
                if gather.size >= HANDOVER_BYTES:
                    put(Chunk(body_id, gather.parts))
                    gather.parts = []
                    gather.size = 0
            return data

        return stream

    def _flush(self, body_id: str) -> None:
        """Hand over what a body gathered; always before its EndBody."""
        gather = self._gathers.pop(body_id, None)
        if gather is not None and gather.parts:
            self.writer.put(Chunk(body_id, gather.parts))

    def requestheaders(self, flow: Any) -> None:
        if self.writer.failed.is_set():
            if flow.killable:
                flow.kill()
            return
        st = _FlowState()
        flow.metadata["quzheng"] = st
        req = flow.request
        plan = RecordPlan(
            rtype="request",
            target_uri=req.pretty_url,
            date=warc_date(req.timestamp_start),
            content_type="application/http;msgtype=request",
            record_id=st.req_id,
        )
        self.writer.put(StartBody(st.req_body, plan, request_head(req)))
        req.stream = self._streamer(st.req_body)

    def request(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        if st is None:
            return
        st.req_complete = True
        if st.resp_started:
            self._end_request(flow, st)

    def responseheaders(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        if st is None:
            return
        if self.writer.failed.is_set():
            if flow.killable:
                flow.kill()
            return
        st.resp_started = True
        if st.req_complete:
            self._end_request(flow, st)
        resp = flow.response
        extra = connection_fields(flow.server_conn, resp.http_version)
        extra.append(("WARC-Concurrent-To", st.req_id))
        plan = RecordPlan(
            rtype="response",
            target_uri=flow.request.pretty_url,
            date=warc_date(resp.timestamp_start),
            content_type="application/http;msgtype=response",
            record_id=st.resp_id,
            extra=extra,
        )
        self.writer.put(StartBody(st.resp_body, plan, response_head(resp)))
        resp.stream = self._streamer(st.resp_body)

    def response(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        if st is None or not st.resp_started or st.resp_ended:
            return
        st.resp_ended = True
        self._flush(st.resp_body)
        self.writer.put(
            EndBody(
                st.resp_body,
                extra=None,
                truncated=None,
                conn_id=flow.server_conn.id,
                url=flow.request.pretty_url,
                host=flow.request.pretty_host,
                sensitive=_sensitive(flow.response.headers, SENSITIVE_RESPONSE_HEADERS),
            )
        )

    def _end_request(self, flow: Any, st: _FlowState, truncated: str | None = None) -> None:
        if st.req_ended:
            return
        st.req_ended = True
        self._flush(st.req_body)
        extra = connection_fields(flow.server_conn, flow.request.http_version)
        if st.resp_started:
            extra.append(("WARC-Concurrent-To", st.resp_id))
        self.writer.put(
            EndBody(
                st.req_body,
                extra=extra,
                truncated=truncated,
                conn_id=flow.server_conn.id,
                url=flow.request.pretty_url,
                host=flow.request.pretty_host,
                sensitive=_sensitive(flow.request.headers, SENSITIVE_REQUEST_HEADERS),
            )
        )

    def error(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        message = flow.error.msg if flow.error else "unknown error"
        related: list[tuple[str, str]] = []
        if st is not None:
            self._end_request(flow, st, None if st.req_complete else "disconnect")
            related.append(("WARC-Concurrent-To", st.req_id))
            if st.resp_started and not st.resp_ended:
                st.resp_ended = True
                self._flush(st.resp_body)
                self.writer.put(
                    EndBody(
                        st.resp_body,
                        extra=None,
                        truncated="disconnect",
                        conn_id=flow.server_conn.id,
                        url=flow.request.pretty_url,
                        host=flow.request.pretty_host,
                    )
                )
        req = flow.request
        url = req.url if req.method != "CONNECT" else f"https://{req.host}:{req.port}/"
        self._metadata(
            "error",
            {
                "kind": "error",
                "url": url,
                "method": req.method,
                "error": message,
                "request_record": st.req_id if st else None,
                "response_record": st.resp_id if st and st.resp_started else None,
            },
            related,
            conn_id=flow.server_conn.id,
            host=req.host,
        )

    # ---- WebSocket and raw TCP

    @staticmethod
    def _ws_url(flow: Any) -> str:
        url: str = flow.request.pretty_url
        return url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)

    def _message(
        self,
        flow: Any,
        msg: Any,
        *,
        url: str,
        host: str,
        protocol: str,
        content_type: str,
        concurrent_to: str | None = None,
    ) -> None:
        """One WebSocket or raw TCP message as a ``resource`` record naming its direction."""
        extra = connection_fields(flow.server_conn, None)
        if concurrent_to is not None:
            extra.append(("WARC-Concurrent-To", concurrent_to))
        extra.append(("Quzheng-Message-Protocol", protocol))
        direction = "client-to-server" if msg.from_client else "server-to-client"
        extra.append(("Quzheng-Message-Direction", direction))
        plan = RecordPlan(
            rtype="resource",
            target_uri=url,
            date=warc_date(msg.timestamp),
            content_type=content_type,
            extra=extra,
        )
        conn_id = flow.server_conn.id
        self.writer.put(Whole(plan, msg.content, conn_id=conn_id, url=url, host=host))

    def websocket_message(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        messages = flow.websocket.messages
        msg = messages[-1]
        self._message(
            flow,
            msg,
            url=self._ws_url(flow),
            host=flow.request.pretty_host,
            protocol="websocket",
            content_type="text/plain; charset=utf-8" if msg.is_text else "application/octet-stream",
            concurrent_to=st.resp_id if st is not None else None,
        )
        # mitmproxy keeps every message of a live socket; a long live stream would grow
        # without end. The layer holds its own reference to the message being relayed.
        del messages[:-1]

    def websocket_end(self, flow: Any) -> None:
        st: _FlowState | None = flow.metadata.get("quzheng")
        ws = flow.websocket
        url = self._ws_url(flow)
        self._metadata(
            "websocket-end",
            {
                "kind": "websocket-end",
                "url": url,
                "close_code": ws.close_code,
                "close_reason": ws.close_reason,
                "closed_by_client": ws.closed_by_client,
            },
            [("WARC-Concurrent-To", st.resp_id)] if st else [],
            conn_id=flow.server_conn.id,
            host=flow.request.pretty_host,
        )

    def _tcp_url(self, flow: Any) -> str:
        address = self._asked.get(flow.server_conn.id, flow.server_conn.address or ("unknown", 0))
        host = flow.server_conn.sni or address[0]
        return f"tcp://{host}:{address[1]}/"

    def tcp_message(self, flow: Any) -> None:
        self._message(
            flow,
            flow.messages[-1],
            url=self._tcp_url(flow),
            host=flow.server_conn.sni or (flow.server_conn.address or ("",))[0],
            protocol="tcp",
            content_type="application/octet-stream",
        )
        del flow.messages[:-1]

    def tcp_error(self, flow: Any) -> None:
        url = self._tcp_url(flow)
        message = flow.error.msg if flow.error else "unknown error"
        self._metadata("error", {"kind": "error", "url": url, "error": message}, [], None, None)

    def _metadata(
        self,
        kind: str,
        payload: dict[str, object],
        extra: list[tuple[str, str]],
        conn_id: str | None,
        host: str | None,
    ) -> None:
        # No WARC-Target-URI (optional for metadata): the URL is in the JSON, and a URL here
        # would be indexed as a capture of that page.
        plan = RecordPlan(
            rtype="metadata",
            target_uri=None,
            date=warc_date(time.time()),
            content_type="application/json",
            extra=[*extra, ("Quzheng-Metadata", kind)],
        )
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        self.writer.put(Whole(plan, body, conn_id=conn_id, url=None, host=host))

    # ---- lifecycle

    def roll(self) -> None:
        self.writer.put(Roll())

    def done(self) -> None:
        for body_id in list(self._gathers):
            self._flush(body_id)  # transfers cut by the stop are kept as far as they got
        self.writer.put(Stop())
        self.writer.join()


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
