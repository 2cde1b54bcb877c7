"""Fixtures for the capture tests: a test PKI, a real TLS upstream (hypercorn: HTTP/1.1,
HTTP/2, WebSocket), and clients that reach it through the recording proxy while trusting
nothing but the proxy's own CA."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from forensics.capture.controller import RecordingProxy

UPSTREAM_SUFFIX = "upstream.test"
EVIL_SUFFIX = "evil.test"


def pattern(size: int, offset: int = 0) -> bytes:
    """Deterministic, incompressible-looking bytes: what ``/bytes/N`` serves."""
    out = bytearray()
    counter = offset // 32
    skip = offset % 32
    while len(out) < size + skip:
        out += hashlib.sha256(counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[skip : skip + size])


_BLOCK_CACHE: dict[int, bytes] = {}


def big_block() -> bytes:
    """About 1 MB of pattern bytes; large bodies repeat it (fast to serve and to compare).

    Its length is prime, so the repetition never lines up with any buffer size on the way
    and a chunk written in the wrong place cannot go unnoticed."""
    if 0 not in _BLOCK_CACHE:
        _BLOCK_CACHE[0] = pattern(1_000_003)
    return _BLOCK_CACHE[0]


def big_body(size: int) -> bytes:
    block = big_block()
    reps, rest = divmod(size, len(block))
    return block * reps + block[:rest]


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    evil_ca: Path
    evil_cert: Path
    evil_key: Path


def _ca(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, suffix: str
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, suffix)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(suffix),
                    x509.DNSName(f"*.{suffix}"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _write(folder: Path, name: str, key: Any, cert: x509.Certificate) -> tuple[Path, Path]:
    cert_path = folder / f"{name}.pem"
    key_path = folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca = _ca("Quzheng test upstream CA")
    leaf_key, leaf = _leaf(ca_key, ca, UPSTREAM_SUFFIX)
    evil_ca_key, evil_ca = _ca("Untrusted test CA")
    evil_key, evil = _leaf(evil_ca_key, evil_ca, EVIL_SUFFIX)
    ca_path, _ = _write(folder, "ca", ca_key, ca)
    cert, key = _write(folder, "upstream", leaf_key, leaf)
    evil_ca_path, _ = _write(folder, "evil-ca", evil_ca_key, evil_ca)
    evil_cert, evil_key_path = _write(folder, "evil", evil_key, evil)
    return Pki(ca_path, cert, key, evil_ca_path, evil_cert, evil_key_path)


# --------------------------------------------------------------------------- upstream app

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>测试店铺</title></head>"
    "<body><h1>假冒商品</h1>" + "<p>listing</p>" * 200 + "</body></html>"
).encode()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await _websocket(receive, send)
        return
    path: str = scope["path"]
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if path == "/":
        await _respond(send, 200, PAGE, [(b"content-type", b"text/html; charset=utf-8")])
    elif path.startswith("/bytes/"):
        size = int(path.rsplit("/", 1)[1])
        await _stream(send, size, chunked=False)
    elif path.startswith("/chunked/"):
        size = int(path.rsplit("/", 1)[1])
        await _stream(send, size, chunked=True)
    elif path.startswith("/slow/"):
        size = int(path.rsplit("/", 1)[1])
        await _stream(send, size, chunked=False, delay=0.02)
    elif path == "/cookie":
        await _respond(
            send,
            200,
            b'{"ok": true}',
            [
                (b"content-type", b"application/json"),
                (b"set-cookie", b"session=abc123; Path=/; HttpOnly"),
            ],
        )
    elif path == "/echo":
        await _respond(send, 200, body, [(b"content-type", b"application/octet-stream")])
    elif path == "/redirect":
        await _respond(send, 302, b"", [(b"location", b"/")])
    else:
        await _respond(send, 404, b"not found", [(b"content-type", b"text/plain")])


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _stream(send: Send, size: int, *, chunked: bool, delay: float = 0.0) -> None:
    headers = [(b"content-type", b"application/octet-stream")]
    if not chunked:
        headers.append((b"content-length", str(size).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    block = big_block()
    step = 256 * 1024
    sent = 0
    while sent < size:
        n = min(step, size - sent)
        start = sent % len(block)
        part = block[start : start + n]
        if len(part) < n:
            part += block[: n - len(part)]
        await send({"type": "http.response.body", "body": part, "more_body": True})
        sent += n
        if delay:
            await asyncio.sleep(delay)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _websocket(receive: Receive, send: Send) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": "echo: " + message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": b"echo: " + message["bytes"]})


class Upstream:
    """hypercorn on 127.0.0.1 in a thread of its own, TLS with the given certificate."""

    def __init__(self, cert: Path, key: Path) -> None:
        from hypercorn.config import Config

        sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = sock.getsockname()[1]
        self.config = Config()
        self.config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns the socket now
        self.config.certfile = str(cert)
        self.config.keyfile = str(key)
        self.config.accesslog = None
        self.config.errorlog = None
        self.config.keep_alive_timeout = 2
        self.config.graceful_timeout = 1
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="upstream", daemon=True)

    def _run(self) -> None:
        from hypercorn.asyncio import serve

        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            self._ready.set()
            await serve(app, self.config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def __enter__(self) -> Upstream:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)


@pytest.fixture(scope="session")
def upstream(pki: Pki) -> Iterator[Upstream]:
    with Upstream(pki.cert, pki.key) as server:
        yield server


@pytest.fixture(scope="session")
def evil_upstream(pki: Pki) -> Iterator[Upstream]:
    with Upstream(pki.evil_cert, pki.evil_key) as server:
        yield server


@pytest.fixture
def proxy_factory(
    tmp_path: Path, pki: Pki, upstream: Upstream, evil_upstream: Upstream
) -> Iterator[Callable[..., RecordingProxy]]:
    made: list[RecordingProxy] = []

    def make(**kwargs: Any) -> RecordingProxy:
        kwargs.setdefault("map_hosts", {})
        kwargs["map_hosts"] = {
            UPSTREAM_SUFFIX: f"127.0.0.1:{upstream.port}",
            EVIL_SUFFIX: f"127.0.0.1:{evil_upstream.port}",
            **kwargs["map_hosts"],
        }
        kwargs.setdefault("upstream_cas", [pki.ca])
        kwargs.setdefault("operator", "测试员 (TEST-0001)")
        proxy = RecordingProxy(
            kwargs.pop("work_dir", tmp_path / "work"),
            kwargs.pop("confdir", tmp_path / "conf"),
            **kwargs,
        )
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        if proxy.running:
            proxy.kill()
        elif proxy.returncode is not None:
            proxy.stop()


# --------------------------------------------------------------------------- clients


@dataclass
class Fetched:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def client_context(proxy: RecordingProxy, alpn: list[str] | None = None) -> ssl.SSLContext:
    """Trusts the proxy's CA and nothing else, as the browser will."""
    assert proxy.ca is not None
    ctx = ssl.create_default_context(cafile=str(proxy.ca.cert_path))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def fetch(
    proxy: RecordingProxy,
    host: str,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Fetched:
    import http.client

    conn = http.client.HTTPSConnection(
        "127.0.0.1", proxy.port, context=client_context(proxy), timeout=60
    )
    conn.set_tunnel(host, 443, headers={"Proxy-Authorization": proxy.proxy_authorization})
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        chunks = []
        got = 0
        while True:
            data = resp.read(256 * 1024)
            if not data:
                break
            chunks.append(data)
            got += len(data)
            if on_progress is not None:
                on_progress(got)
        return Fetched(resp.status, resp.getheaders(), b"".join(chunks))
    finally:
        conn.close()


def tunnel(proxy: RecordingProxy, host: str, alpn: list[str] | None = None) -> ssl.SSLSocket:
    """A TLS socket to ``host`` through the proxy's CONNECT tunnel (as the browser: with
    the session's proxy credentials)."""
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
    raw.sendall(
        f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n"
        f"Proxy-Authorization: {proxy.proxy_authorization}\r\n\r\n".encode()
    )
    reply = b""
    while b"\r\n\r\n" not in reply:
        data = raw.recv(4096)
        if not data:
            raw.close()
            raise ConnectionError("proxy closed the tunnel")
        reply += data
    if not reply.startswith(b"HTTP/1.1 200"):
        raw.close()
        raise ConnectionError(reply.decode(errors="replace"))
    return client_context(proxy, alpn).wrap_socket(raw, server_hostname=host)


def fetch_h2(proxy: RecordingProxy, host: str, path: str) -> tuple[int, bytes, str | None]:
    """One GET over HTTP/2 (the ``h2`` library), through the proxy."""
    import h2.config
    import h2.connection
    import h2.events

    sock = tunnel(proxy, host, ["h2"])
    try:
        negotiated = sock.selected_alpn_protocol()
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        conn.send_headers(
            1,
            [(":method", "GET"), (":path", path), (":scheme", "https"), (":authority", host)],
            end_stream=True,
        )
        sock.sendall(conn.data_to_send())
        status = 0
        body = b""
        done = False
        while not done:
            data = sock.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    status = int(dict(event.headers)[b":status"])
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, 1)
                elif isinstance(event, h2.events.StreamEnded):
                    done = True
            sock.sendall(conn.data_to_send())
        conn.close_connection()
        sock.sendall(conn.data_to_send())
        return status, body, negotiated
    finally:
        sock.close()


def websocket_exchange(
    proxy: RecordingProxy, host: str, texts: list[str], blob: bytes
) -> list[Any]:
    """Open a WebSocket through the proxy, send texts and one binary message, read echoes."""
    import wsproto
    import wsproto.events as ev

    sock = tunnel(proxy, host, ["http/1.1"])
    ws = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    replies: list[Any] = []
    try:
        sock.sendall(ws.send(ev.Request(host=host, target="/ws")))
        expected = len(texts) + 1
        sent = False
        while len(replies) < expected:
            data = sock.recv(65536)
            if not data:
                break
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, ev.AcceptConnection) and not sent:
                    for text in texts:
                        sock.sendall(ws.send(ev.TextMessage(data=text)))
                    sock.sendall(ws.send(ev.BytesMessage(data=blob)))
                    sent = True
                elif isinstance(event, ev.TextMessage | ev.BytesMessage):
                    replies.append(event.data)
        sock.sendall(ws.send(ev.CloseConnection(code=1000)))
        return replies
    finally:
        sock.close()


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not found")


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    import sys

    exe = Path(sys.executable).with_name("warcio")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
