"""Recording proxy throughput: one large HTTPS download direct, via plain mitmdump, via ours.

Target (issue 5): the recording proxy reaches at least 0.8x the throughput of plain
``mitmdump --set stream_large_bodies=1m`` on the same download, and the proxy process
peaks below 300 MB of resident memory. All three runs use the same local TLS server on
127.0.0.1 in the same run, so the ratio is measured, not remembered.

Size: ``QUZHENG_BENCH_PROXY_BYTES`` or ``--bytes N`` (default 1 GiB).
Run: ``.venv/bin/python -m benchmarks bench_proxy``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
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
CHUNK = 1 << 20
TARGET_RATIO = 0.8
TARGET_PEAK_RSS = 300 * 1000 * 1000


def _make_pki(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 (never leaves the temp dir)."""
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
    import ipaddress

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
    """HTTP/1.1 over TLS, one response per connection: ``GET /bytes/N`` sends N bytes.

    Plain sockets and ``sendall`` of 1 MiB buffers keep the server far faster than any
    proxy, so the proxies are what the benchmark measures.
    """

    def __init__(self, cert: Path, key: Path) -> None:
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(cert, key)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._block = os.urandom(CHUNK)  # incompressible, like video
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False

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
                size = int(path.rsplit("/", 1)[1])
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode()
                )
                left = size
                view = memoryview(self._block)
                while left:
                    n = min(left, CHUNK)
                    conn.sendall(view[:n])
                    left -= n
        except (OSError, ValueError, IndexError):
            return


def _download(
    port: int, size: int, cafile: Path, proxy: tuple[str, int] | None
) -> tuple[int, float]:
    ctx = ssl.create_default_context(cafile=str(cafile))
    if proxy is None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
    else:
        conn = http.client.HTTPSConnection(proxy[0], proxy[1], context=ctx, timeout=120)
        conn.set_tunnel("127.0.0.1", port)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_proxy")
    parser.add_argument(
        "--bytes",
        type=int,
        default=int(os.environ.get("QUZHENG_BENCH_PROXY_BYTES", DEFAULT_BYTES)),
    )
    args = parser.parse_args([] if argv is None else argv)
    size: int = args.bytes
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as tmp_name:
        tmp = Path(tmp_name)
        upstream_ca, cert, key = _make_pki(tmp)
        with _BlobServer(cert, key) as server:
            got, secs = _download(server.port, size, upstream_ca, None)
            assert got == size, (got, size)
            direct = _mbps(size, secs)
            print(f"direct:            {direct:8.1f} MB/s")

            confdir = tmp / "mitm-plain"
            with _mitmdump(confdir, upstream_ca) as (proc, port):
                ca = confdir / "mitmproxy-ca-cert.pem"
                got, secs = _download(server.port, size, ca, ("127.0.0.1", port))
                assert got == size, (got, size)
                plain = _mbps(size, secs)
                plain_rss = _peak_rss(proc.pid)
            print(f"plain mitmdump:    {plain:8.1f} MB/s  (peak RSS {plain_rss / 1e6:.0f} MB)")

            work = tmp / "work"
            rec_confdir = tmp / "mitm-rec"
            with RecordingProxy(
                work, rec_confdir, upstream_cas=[upstream_ca], operator="benchmark"
            ) as proxy:
                got, secs = _download(
                    server.port, size, proxy.ca.cert_path, ("127.0.0.1", proxy.port)
                )
                assert got == size, (got, size)
                recording = _mbps(size, secs)
                rec_rss = _peak_rss(proxy.pid)
                proxy.stop()
                segments = proxy.segments
            recorded = sum(s.path.stat().st_size for s in segments)
            print(
                f"recording proxy:   {recording:8.1f} MB/s  (peak RSS {rec_rss / 1e6:.0f} MB, "
                f"{len(segments)} segment(s), {recorded / 1e6:.0f} MB on disk)"
            )
    ratio = recording / plain
    ok_ratio = ratio >= TARGET_RATIO
    ok_rss = 0 < rec_rss < TARGET_PEAK_RSS
    print(
        f"ratio recording/plain: {ratio:.2f} (target >= {TARGET_RATIO}) {'OK' if ok_ratio else 'MISS'}"
    )
    print(
        f"proxy peak RSS: {rec_rss / 1e6:.0f} MB (target < {TARGET_PEAK_RSS / 1e6:.0f} MB) "
        f"{'OK' if ok_rss else 'MISS'}"
    )
    return 0 if ok_ratio and ok_rss else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
