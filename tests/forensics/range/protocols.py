"""Minimal HTTP/2 and WebSocket clients for the range tests (h2 and wsproto over ssl)."""

from __future__ import annotations

import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import h2.config
import h2.connection
import h2.events
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)


@dataclass
class H2Response:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    ended: bool = False


def h2_get_many(
    context: ssl.SSLContext, port: int, host: str, paths: list[str], timeout: float = 20.0
) -> tuple[str | None, list[H2Response]]:
    """GET every path concurrently as streams of one HTTP/2 connection."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    with context.wrap_socket(raw, server_hostname=host) as tls:
        alpn = tls.selected_alpn_protocol()
        conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        conn.initiate_connection()
        responses: dict[int, H2Response] = {}
        order = []
        for path in paths:
            stream_id = conn.get_next_available_stream_id()
            conn.send_headers(
                stream_id,
                [
                    (":method", "GET"),
                    (":authority", f"{host}:{port}"),
                    (":scheme", "https"),
                    (":path", path),
                ],
                end_stream=True,
            )
            responses[stream_id] = H2Response()
            order.append(stream_id)
        tls.sendall(conn.data_to_send())
        deadline = time.monotonic() + timeout
        while not all(r.ended for r in responses.values()):
            if time.monotonic() > deadline:
                raise TimeoutError("HTTP/2 responses did not complete")
            data = tls.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    response = responses[event.stream_id]
                    response.headers = {str(k): str(v) for k, v in event.headers}
                    response.status = int(response.headers[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    responses[event.stream_id].body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    responses[event.stream_id].ended = True
                elif isinstance(event, h2.events.StreamReset):
                    raise AssertionError(f"stream {event.stream_id} reset: {event.error_code}")
            tls.sendall(conn.data_to_send())
        conn.close_connection()
        tls.sendall(conn.data_to_send())
    return alpn, [responses[s] for s in order]


class WebSocketClient:
    """A blocking WebSocket client over TLS (HTTP/1.1 upgrade)."""

    def __init__(
        self, context: ssl.SSLContext, port: int, host: str, path: str, timeout: float = 10.0
    ) -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            self.sock = context.wrap_socket(raw, server_hostname=host)
        except BaseException:
            raw.close()
            raise
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.pending: list[Event] = []
        self.rejected: int | None = None
        self.closed = False
        self.sock.sendall(self.ws.send(Request(host=f"{host}:{port}", target=path)))
        while True:
            event = self._next_event(timeout)
            if isinstance(event, AcceptConnection):
                return
            if isinstance(event, RejectConnection):
                self.rejected = event.status_code
                return

    def _next_event(self, timeout: float) -> Event:
        deadline = time.monotonic() + timeout
        while not self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no WebSocket event")
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            self.ws.receive_data(data or None)
            self.pending.extend(self.ws.events())
            if not data and not self.pending:
                raise ConnectionError("connection closed")
        return self.pending.pop(0)

    def receive_json(self, timeout: float = 5.0) -> dict[str, Any]:
        text = ""
        while True:
            event = self._next_event(timeout)
            if isinstance(event, TextMessage):
                text += event.data
                if event.message_finished:
                    value: dict[str, Any] = json.loads(text)
                    return value
            elif isinstance(event, Ping):
                self.sock.sendall(self.ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                self.closed = True
                raise ConnectionError(f"closed by server: {event.code}")
            elif isinstance(event, RejectData):
                continue

    def send_text(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def close(self) -> None:
        try:
            if not self.closed and self.rejected is None:
                self.sock.sendall(self.ws.send(CloseConnection(code=1000)))
        except Exception:
            pass
        finally:
            self.sock.close()

    def __enter__(self) -> WebSocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
