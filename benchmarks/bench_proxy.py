"""Recording proxy throughput: one large HTTPS download direct, via plain mitmdump, via ours.

Target (issue 5): the recording proxy reaches at least 0.8x the throughput of plain
``mitmdump --set stream_large_bodies=1m`` on the same download, and the proxy process
peaks below 300 MB of resident memory. All three runs use the same local TLS server on
127.0.0.1 in the same run, so the ratio is measured, not remembered.

Then a live stream: a player polls an 8 Mbit/s HLS stream (2-second segments) through the
recording proxy for ten minutes; every segment must be fetched and recorded, none missing.

Size: ``QUZHENG_BENCH_PROXY_BYTES`` or ``--bytes N`` (default 1 GiB). Rounds:
``QUZHENG_BENCH_PROXY_ROUNDS`` or ``--rounds N`` (default 2, interleaved; best of each).
Live length: ``QUZHENG_BENCH_LIVE_SECONDS`` or ``--live-seconds S`` (default 600; 0 skips).
Run: ``.venv/bin/python -m benchmarks bench_proxy``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from forensics.capture.controller import RecordingProxy

DEFAULT_BYTES = 1 << 30
DEFAULT_ROUNDS = 2
DEFAULT_LIVE_SECONDS = 600
LIVE_SEGMENT_S = 2
LIVE_WINDOW = 6
LIVE_SEGMENT_BYTES = 8_000_000 // 8 * LIVE_SEGMENT_S  # 8 Mbit/s
CHUNK = 1 << 20
TARGET_RATIO = 0.8
TARGET_PEAK_RSS = 300 * 1000 * 1000


def _make_pki(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 (never leaves the temp dir)."""
    import ipaddress

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench upstream CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = folder / "upstream-ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path = folder / "server.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = folder / "server.key"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


class _BlobServer:
    """HTTP/1.1 over TLS, one response per connection.

    ``GET /bytes/N`` sends N bytes. ``GET /live.m3u8`` is a live HLS playlist (2-second
    segments, a window of six, advancing with the wall clock) and ``GET /live/N.ts`` its
    segment N: 2,000,000 bytes, i.e. 8 Mbit/s. Plain sockets and ``sendall`` of 1 MiB
    buffers keep the server far faster than any proxy, so the proxies are what is measured.
    """

    def __init__(self, cert: Path, key: Path) -> None:
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(cert, key)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.block = os.urandom(CHUNK)  # incompressible, like video
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False
        self.live_started = time.monotonic()

    def __enter__(self) -> _BlobServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        with socket.create_connection(("127.0.0.1", self.port)):
            pass
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop:
            conn, _ = self._sock.accept()
            if self._stop:
                conn.close()
                break
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        try:
            with self._ctx.wrap_socket(raw, server_side=True) as conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                path = head.split(b" ", 2)[1].decode()
                if path == "/live.m3u8":
                    self._send(conn, self.playlist().encode(), "application/vnd.apple.mpegurl")
                    return
                if path.startswith("/live/"):
                    number = int(path[len("/live/") :].removesuffix(".ts"))
                    if number > self.live_edge():
                        self._send(conn, b"not yet", "text/plain", status="404 Not Found")
                    else:
                        self._send(conn, live_segment(self.block, number), "video/mp2t")
                    return
                size = int(path.rsplit("/", 1)[1])
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode()
                )
                left = size
                view = memoryview(self.block)
                while left:
                    n = min(left, CHUNK)
                    conn.sendall(view[:n])
                    left -= n
        except (OSError, ValueError, IndexError):
            return

    @staticmethod
    def _send(conn: ssl.SSLSocket, body: bytes, media: str, status: str = "200 OK") -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: {media}\r\nCache-Control: no-cache\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )

    def live_edge(self) -> int:
        """The newest published segment: a segment is published once its 2 s are over."""
        return int((time.monotonic() - self.live_started) // LIVE_SEGMENT_S) - 1

    def playlist(self) -> str:
        edge = self.live_edge()
        first = max(0, edge - LIVE_WINDOW + 1)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{LIVE_SEGMENT_S}",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
        ]
        for n in range(first, edge + 1):
            lines += [f"#EXTINF:{LIVE_SEGMENT_S}.000,", f"live/{n}.ts"]
        return "\n".join(lines) + "\n"


def live_segment(block: bytes, number: int) -> bytes:
    """Segment ``number``: 8 Mbit/s worth of bytes, different for every segment."""
    base = block * (LIVE_SEGMENT_BYTES // len(block) + 2)
    shift = (number * 104_729) % len(block)
    return base[shift : shift + LIVE_SEGMENT_BYTES]


def _tunnel_headers(auth: str | None) -> dict[str, str]:
    """The recording proxy admits only who presents the session's secret (issue #16)."""
    return {"Proxy-Authorization": auth} if auth else {}


def _get(
    port: int, path: str, cafile: Path, proxy: tuple[str, int], auth: str | None = None
) -> tuple[int, bytes]:
    ctx = ssl.create_default_context(cafile=str(cafile))
    conn = http.client.HTTPSConnection(proxy[0], proxy[1], context=ctx, timeout=30)
    conn.set_tunnel("127.0.0.1", port, headers=_tunnel_headers(auth))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _download(
    port: int, size: int, cafile: Path, proxy: tuple[str, int] | None, auth: str | None = None
) -> tuple[int, float]:
    ctx = ssl.create_default_context(cafile=str(cafile))
    if proxy is None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
    else:
        conn = http.client.HTTPSConnection(proxy[0], proxy[1], context=ctx, timeout=120)
        conn.set_tunnel("127.0.0.1", port, headers=_tunnel_headers(auth))
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    got = 0
    start = time.perf_counter()
    try:
        conn.request("GET", f"/bytes/{size}")
        resp = conn.getresponse()
        while True:
            n = resp.readinto(view)
            if not n:
                break
            got += n
    finally:
        conn.close()
    return got, time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _peak_rss(pid: int) -> int:
    """VmHWM: the kernel's own high-water mark of the process's resident set."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return -1


@contextmanager
def _mitmdump(confdir: Path, upstream_ca: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    exe = Path(sys.executable).with_name("mitmdump")
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(exe if exe.exists() else shutil.which("mitmdump") or "mitmdump"),
            "-q",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "--set",
            f"confdir={confdir}",
            "--set",
            "stream_large_bodies=1m",
            "--set",
            f"ssl_verify_upstream_trusted_ca={upstream_ca}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("mitmdump did not start") from None
                time.sleep(0.1)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _mbps(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def _live_session(
    server: _BlobServer, tmp: Path, upstream_ca: Path, seconds: float
) -> tuple[bool, str]:
    """A player polling a live 8 Mbit/s HLS stream through the recording proxy.

    Zero missing segments means: the player got every segment number from its first to
    its last, and the WARC holds each of them, byte-identical (digests checked by warcio).
    """
    from warcio.archiveiterator import ArchiveIterator

    fetched: dict[int, str] = {}
    with RecordingProxy(
        tmp / "work-live", tmp / "mitm-rec", upstream_cas=[upstream_ca], operator="benchmark"
    ) as proxy:
        address = ("127.0.0.1", proxy.port)
        assert proxy.ca is not None
        cafile = proxy.ca.cert_path
        server.live_started = time.monotonic() - LIVE_SEGMENT_S * 3
        end = time.monotonic() + seconds
        next_poll = time.monotonic()
        while time.monotonic() < end:
            auth = proxy.proxy_authorization
            status, body = _get(server.port, "/live.m3u8", cafile, address, auth)
            for n in map(int, re.findall(r"^live/(\d+)\.ts$", body.decode(), re.M)):
                if n not in fetched:
                    status, data = _get(server.port, f"/live/{n}.ts", cafile, address, auth)
                    if status == 200:
                        fetched[n] = hashlib.sha256(data).hexdigest()
            next_poll += 1.0  # a player refreshes a live playlist about once a second
            time.sleep(max(0.0, next_poll - time.monotonic()))
        peak = _peak_rss(proxy.pid)
        proxy.stop()
        segments = proxy.segments
    recorded: dict[int, str] = {}
    try:
        for seg in segments:
            with seg.path.open("rb") as f:
                for record in ArchiveIterator(f, check_digests="raise"):
                    match = re.search(
                        r"/live/(\d+)\.ts$", record.rec_headers.get_header("WARC-Target-URI") or ""
                    )
                    digest = hashlib.sha256()
                    while data := record.raw_stream.read(CHUNK):
                        digest.update(data)
                    if record.rec_type == "response" and match:
                        recorded[int(match[1])] = digest.hexdigest()
    except Exception as exc:  # a digest failure is a result to report, not a crash
        return False, f"live stream: the WARC does not verify: {exc}"
    numbers = sorted(fetched)
    expected = range(numbers[0], numbers[-1] + 1) if numbers else range(0)
    gaps = [n for n in expected if n not in fetched]
    unrecorded = [n for n in fetched if n not in recorded]
    wrong = [n for n in fetched if n in recorded and recorded[n] != fetched[n]]
    wrong += [
        n
        for n in fetched
        if fetched[n] != hashlib.sha256(live_segment(server.block, n)).hexdigest()
    ]
    ok = bool(numbers) and not gaps and not unrecorded and not wrong
    return ok, (
        f"live stream: {seconds:.0f} s at 8 Mbit/s: {len(fetched)} segments fetched, "
        f"{len(recorded)} recorded in {len(segments)} WARC segment(s); gaps {len(gaps)}, "
        f"missing from WARC {len(unrecorded)}, mismatched {len(wrong)}; "
        f"proxy peak RSS {peak / 1e6:.0f} MB {'OK' if ok else 'MISS'}"
    )


def _best(values: list[float]) -> float:
    return max(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_proxy")
    parser.add_argument(
        "--bytes",
        type=int,
        default=int(os.environ.get("QUZHENG_BENCH_PROXY_BYTES", DEFAULT_BYTES)),
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("QUZHENG_BENCH_PROXY_ROUNDS", DEFAULT_ROUNDS)),
        help="interleaved rounds; the best of each is compared (the machine is shared)",
    )
    parser.add_argument(
        "--live-seconds",
        type=float,
        default=float(os.environ.get("QUZHENG_BENCH_LIVE_SECONDS", DEFAULT_LIVE_SECONDS)),
        help="length of the live-stream recording (0 skips it)",
    )
    args = parser.parse_args([] if argv is None else argv)
    size: int = args.bytes
    rounds: int = max(1, args.rounds)
    direct: list[float] = []
    plain: list[float] = []
    recording: list[float] = []
    plain_rss = rec_rss = 0
    segments_seen = 0
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as tmp_name:
        tmp = Path(tmp_name)
        upstream_ca, cert, key = _make_pki(tmp)
        confdir = tmp / "mitm-plain"
        rec_confdir = tmp / "mitm-rec"
        with _BlobServer(cert, key) as server:
            for n in range(rounds):
                got, secs = _download(server.port, size, upstream_ca, None)
                assert got == size, (got, size)
                direct.append(_mbps(size, secs))

                with _mitmdump(confdir, upstream_ca) as (proc, port):
                    ca = confdir / "mitmproxy-ca-cert.pem"
                    got, secs = _download(server.port, size, ca, ("127.0.0.1", port))
                    assert got == size, (got, size)
                    plain.append(_mbps(size, secs))
                    plain_rss = max(plain_rss, _peak_rss(proc.pid))

                work = tmp / f"work-{n}"
                with RecordingProxy(
                    work, rec_confdir, upstream_cas=[upstream_ca], operator="benchmark"
                ) as proxy:
                    got, secs = _download(
                        server.port,
                        size,
                        proxy.ca.cert_path,
                        ("127.0.0.1", proxy.port),
                        proxy.proxy_authorization,
                    )
                    assert got == size, (got, size)
                    recording.append(_mbps(size, secs))
                    # VmHWM after the download: the peak over the whole run so far.
                    rec_rss = max(rec_rss, _peak_rss(proxy.pid))
                    proxy.stop()
                    segments = proxy.segments
                recorded = sum(s.path.stat().st_size for s in segments)
                segments_seen = len(segments)
                assert recorded >= size, "the download is not in the WARC"
                shutil.rmtree(work)
                print(
                    f"round {n + 1}: direct {direct[-1]:7.1f}  plain mitmdump {plain[-1]:7.1f}  "
                    f"recording proxy {recording[-1]:7.1f} MB/s",
                    flush=True,
                )
            live_ok, live_line = True, "live stream: skipped (--live-seconds 0)"
            if args.live_seconds > 0:
                live_ok, live_line = _live_session(server, tmp, upstream_ca, args.live_seconds)
    print(f"direct:          {_best(direct):8.1f} MB/s (best of {rounds})")
    print(f"plain mitmdump:  {_best(plain):8.1f} MB/s  (peak RSS {plain_rss / 1e6:.0f} MB)")
    print(
        f"recording proxy: {_best(recording):8.1f} MB/s  (peak RSS {rec_rss / 1e6:.0f} MB, "
        f"{segments_seen} segment(s) per run)"
    )
    ratio = _best(recording) / _best(plain)
    ok_ratio = ratio >= TARGET_RATIO
    ok_rss = 0 < rec_rss < TARGET_PEAK_RSS
    verdict = "OK" if ok_ratio else "MISS"
    print(f"ratio recording/plain: {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}")
    print(
        f"proxy peak RSS: {rec_rss / 1e6:.0f} MB (target < {TARGET_PEAK_RSS / 1e6:.0f} MB) "
        f"{'OK' if ok_rss else 'MISS'}"
    )
    print(live_line)
    return 0 if ok_ratio and ok_rss and live_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
