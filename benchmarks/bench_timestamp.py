"""Trusted time: the built-in TSA over HTTP and the cost stamping adds to a seal.

Measured in one run, against baselines of the same run:

1. Tokens per second from the built-in TSA over HTTP on 127.0.0.1, each token requested and
   verified at receipt by ``request_token`` — sequentially, and from 4 threads. Baseline: a
   bare HTTP POST of the same size to an echo handler (same HTTP client, same server
   machinery), so the ratio is what RFC 3161 signing and verification add to the network.
2. ``verify_token`` per second (what verifying a package pays per ledger entry).
3. The latency a seal gains from stamping. Baseline, "seal without stamping": SHA-256 of an
   entry's canonical bytes plus an ECDSA P-256 signature; stamped: the same plus a token.

Targets: none fixed (reported); the run fails only if a token does not verify.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from forensics.canonical import canonical_bytes, format_time, utc_now
from forensics.timestamp import TsaServer, request_token, verify_token
from forensics.timestamp.client import _post, build_request

SEQUENTIAL = 300
THREADS = 4
VERIFY = 500
SEALS = 2000


class _Echo(BaseHTTPRequestHandler):
    # The same socket settings as the TSA's handler, or Nagle's algorithm would add 40 ms
    # to the baseline and flatter the ratio.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _entry(i: int) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "case": "00000000-0000-0000-0000-000000000000",
            "seq": i,
            "prev": "0" * 64,
            "time": format_time(utc_now()),
            "kind": "capture.screenshot",
            "data": {"url": f"https://shop.example/item/{i}", "title": "商品详情"},
        }
    )


def _timed(n: int, op: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        op(i)
        out.append(time.perf_counter() - t0)
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="qz-bench-ts-", dir=os.environ.get("QZ_BENCH_DIR")))
    echo = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    echo_thread = threading.Thread(target=echo.serve_forever, daemon=True)
    echo_thread.start()
    echo_url = f"http://127.0.0.1:{echo.server_port}/"
    ok = True
    try:
        with TsaServer(scratch / "tsa") as tsa:
            roots = [tsa.trust_anchor_path.read_bytes()]
            digests = [hashlib.sha256(_entry(i)).digest() for i in range(SEQUENTIAL)]
            request = build_request(digests[0], 1)
            # Warm both paths (imports, caches, first connections).
            for _ in range(10):
                _post(echo_url, request, 10)
                request_token(digests[0], [tsa.url], roots)

            # (1) tokens over HTTP vs a bare POST round trip
            bare = _timed(SEQUENTIAL, lambda i: _post(echo_url, request, 10))
            results: list[Any] = []
            stamped = _timed(
                SEQUENTIAL,
                lambda i: results.append(request_token(digests[i], [tsa.url], roots)),
            )
            t0 = time.perf_counter()
            with ThreadPoolExecutor(THREADS) as pool:
                list(pool.map(lambda d: request_token(d, [tsa.url], roots), digests))
            threaded_s = time.perf_counter() - t0

            # (2) verification alone
            tokens = [(r.token_der, digests[i]) for i, r in enumerate(results)]
            t0 = time.perf_counter()
            for i in range(VERIFY):
                token, digest = tokens[i % len(tokens)]
                verify_token(token, digest, roots)
            verify_s = time.perf_counter() - t0

            # (3) a seal without and with stamping
            key = ec.generate_private_key(ec.SECP256R1())
            entries = [_entry(i) for i in range(SEALS)]

            def seal(i: int) -> bytes:
                data = entries[i % SEALS]
                key.sign(data, ec.ECDSA(hashes.SHA256()))
                return hashlib.sha256(data).digest()

            plain = _timed(SEALS, seal)
            with_stamp = _timed(SEQUENTIAL // 2, lambda i: request_token(seal(i), [tsa.url], roots))
            issued = tsa.authority.issued
    finally:
        echo.shutdown()
        echo.server_close()
        shutil.rmtree(scratch, ignore_errors=True)

    bare_med, stamp_med = statistics.median(bare), statistics.median(stamped)
    seal_med, seal_stamp_med = statistics.median(plain), statistics.median(with_stamp)
    print(f"built-in TSA over HTTP, {SEQUENTIAL} tokens, each verified at receipt:")
    print(
        f"  sequential          {1 / statistics.mean(stamped):8.1f} tokens/s"
        f"   (median {_ms(stamp_med)})"
    )
    print(f"  {THREADS} threads           {SEQUENTIAL / threaded_s:8.1f} tokens/s")
    print(
        f"  bare POST baseline  {1 / statistics.mean(bare):8.1f} round trips/s"
        f"   (median {_ms(bare_med)})"
    )
    print(f"  stamped / bare round trip: {stamp_med / bare_med:.1f}x")
    print(f"verify_token: {VERIFY / verify_s:.0f} tokens/s ({_ms(verify_s / VERIFY)} each)")
    print("seal latency (SHA-256 + ECDSA P-256 of the entry):")
    print(f"  without stamping    {_ms(seal_med)}")
    print(
        f"  with stamping       {_ms(seal_stamp_med)}"
        f"   (+{_ms(seal_stamp_med - seal_med)}, {seal_stamp_med / seal_med:.0f}x)"
    )
    print(f"tokens issued by the TSA in this run: {issued}")
    ok = all(r.info.message_imprint == digests[i].hex() for i, r in enumerate(results))
    if not ok:
        print("FAILED: a token does not match its entry")
    return 0 if ok else 1
