"""The recording addon: mitmproxy's hooks (event-loop thread) describing what passes.

Division of work, chosen so the proxy keeps its throughput and its memory stays flat: the
event-loop thread (these hooks) only describes what passes. It serialises header blocks
(``records``), plans records (URI, dates, upstream IP, protocol, cipher) and hands body
chunks on, by reference and in batches of 512 KiB (or after half a second, whichever comes
first: a slow live stream must reach the writer in time for its segment), to the one
writer thread (``traffic_writer``) through a bounded queue. Every body is streamed
(``flow.request.stream`` / ``flow.response.stream`` are callables that pass each chunk on
unchanged), so mitmproxy never buffers a body. The addon changes nothing it relays.

Record choices (see also ``records`` and ``warc``):

- ``request`` and ``response`` records link both ways with ``WARC-Concurrent-To``. The
  request record is written when the response headers arrive (only then is the upstream IP
  certain), so a huge download in progress already has its request on disk.
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
- A response still arriving when its segment closes is committed part by part (WARC 1.1
  record segmentation, done by ``traffic_writer``): long and endless responses (live
  streams) are sealed while they run.

Clients: only the capture browser is admitted (``clientauth``, loaded before this addon);
flows it refused or answered itself carry ``NOT_RECORDED`` and nothing about them is
written.

Fail closed: once the writer has failed, flows are killed, new clients and connections
refused, and stream callables forward nothing more (see ``traffic_writer``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from forensics.capture.clientauth import NOT_RECORDED
from forensics.capture.records import (
    chain_json,
    connection_fields,
    iana_cipher,
    request_head,
    response_head,
    sensitive_present,
    tls_protocol,
)
from forensics.capture.traffic_writer import (
    Chunk,
    Emit,
    EndBody,
    Roll,
    StartBody,
    Stop,
    TlsSeen,
    Whole,
    Writer,
)
from forensics.capture.warc import (
    SENSITIVE_REQUEST_HEADERS,
    SENSITIVE_RESPONSE_HEADERS,
    RecordPlan,
    new_record_id,
    warc_date,
)

# Chunks are handed to the writer in batches of this size: each hand-over wakes the writer
# thread, and each wake-up takes the GIL from the event loop for a moment.
HANDOVER_BYTES: Final = 512 * 1024
# ... and at the latest this long after the first chunk of a batch arrived, so a slow stream
# (a live room at a few hundred kbit/s) is in the writer's spool when its segment closes:
# the part committed then lags what the browser had by at most this much.
HANDOVER_SECONDS: Final = 0.5


@dataclass(slots=True)
class _Gather:
    parts: list[bytes] = field(default_factory=list)
    size: int = 0
    since: float = 0.0  # time.monotonic() when the first of ``parts`` arrived


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


class RecordingAddon:
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
        self._ticker: asyncio.Task[None] | None = None

    # ---- lifecycle (mitmproxy hooks)

    def running(self) -> None:
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        """Hands over the batches of bodies that stalled (a stream that paused): the
        stream callable itself only runs when more data comes."""
        while True:
            await asyncio.sleep(HANDOVER_SECONDS / 2)
            if self.writer.failed.is_set():
                continue
            now = time.monotonic()
            for body_id, gather in list(self._gathers.items()):
                if gather.parts and now - gather.since >= HANDOVER_SECONDS:
                    self.writer.put(Chunk(body_id, gather.parts))
                    gather.parts = []
                    gather.size = 0

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
            chain = chain_json(conn.certificate_list and [c for c in conn.certificate_list])
        else:
            try:
                chain = chain_json(ssl_conn.get_peer_cert_chain() if ssl_conn else None)
            except Exception:  # the handshake failed half-way: record what is there
                chain = []
        try:
            verified_chain = chain_json(ssl_conn.get_verified_chain()) if verified else []
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
            "cipher": iana_cipher(conn.cipher) if conn.cipher else None,
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
        tls = tls_protocol(conn.tls_version)
        if tls:
            extra.append(("WARC-Protocol", tls))
        if conn.cipher:
            extra.append(("WARC-Cipher-Suite", iana_cipher(conn.cipher)))
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
        monotonic = time.monotonic

        def stream(data: bytes) -> bytes:
            if failed.is_set():
                return b""  # fail closed: nothing more is forwarded unrecorded
            if data:
                now = monotonic()
                if not gather.parts:
                    gather.since = now
                gather.parts.append(data)
                gather.size += len(data)
                if gather.size >= HANDOVER_BYTES or now - gather.since >= HANDOVER_SECONDS:
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
        if flow.metadata.get(NOT_RECORDED):
            return  # refused (or answered) by the client check: not the browser's traffic
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
        self.writer.put(
            StartBody(st.resp_body, plan, response_head(resp), conn_id=flow.server_conn.id)
        )
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
                sensitive=sensitive_present(flow.response.headers, SENSITIVE_RESPONSE_HEADERS),
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
                sensitive=sensitive_present(flow.request.headers, SENSITIVE_REQUEST_HEADERS),
            )
        )

    def error(self, flow: Any) -> None:
        if flow.metadata.get(NOT_RECORDED):
            return
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
        if flow.metadata.get(NOT_RECORDED):
            return
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
        if flow.metadata.get(NOT_RECORDED):
            return
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
        if flow.metadata.get(NOT_RECORDED):
            return
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
        if flow.metadata.get(NOT_RECORDED):
            return
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
        if self._ticker is not None:
            with contextlib.suppress(RuntimeError):  # the loop may be gone already
                self._ticker.cancel()
            self._ticker = None
        for body_id in list(self._gathers):
            self._flush(body_id)  # transfers cut by the stop are kept as far as they got
        self.writer.put(Stop())
        self.writer.join()
