"""Practice range under load (issue 3): pages and stream segments fetched concurrently.

The range runs in this process (as in tests and the demo); the clients run in child
processes, so their work does not share the server's interpreter lock. Each client process
runs ``THREADS`` threads, each with kept-alive HTTPS/1.1 connections trusting only the
range CA. Everything talks to 127.0.0.1.

1. Baseline: Python's ``http.server`` (threaded, HTTP/1.1, TLS with the range's server
   certificate) serving a static page and a static segment-sized file to the same clients.
2. Range pages (HTML, JSON API, pictures) alone; then stream segments alone (already made,
   served from the disk cache); then both at once. Each prints requests/s and the ratio to
   the baseline.
3. A live session of ``QZ_BENCH_RANGE_SESSION_S`` seconds of stream (default 600) on an
   injected clock: a viewer reloads the playlist every segment and fetches each new segment
   the moment it is published (so every segment is made on demand). Target: no gap in the
   media sequence and generation faster than real time.

``QZ_BENCH_RANGE_SECONDS`` sets the length of each load phase (default 5).
A run exits non-zero if any request fails, the session has a gap, or it falls behind.
"""

from __future__ import annotations

import functools
import http.server
import multiprocessing
import os
import re
import ssl
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from forensics.range import RangeServer

THREADS = 4
PHASE_S = float(os.environ.get("QZ_BENCH_RANGE_SECONDS", "5"))
SESSION_S = int(os.environ.get("QZ_BENCH_RANGE_SESSION_S", "600"))

type Target = tuple[str, str]


class _Clock:
    def __init__(self) -> None:
        self.t = 1_767_225_600.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds


def load(port: int, ca: str, targets: list[Target], seconds: float) -> tuple[int, int, int]:
    """Child process: THREADS threads fetch ``targets`` round-robin for ``seconds``.

    Returns (requests, bytes, failures).
    """
    from forensics.range.client import RangeConnection, client_context, fetch

    context = client_context(Path(ca))
    deadline = time.monotonic() + seconds
    results = [(0, 0, 0)] * THREADS

    def worker(index: int) -> None:
        connections: dict[str, RangeConnection] = {}
        done = size = failed = 0
        k = index
        try:
            while time.monotonic() < deadline:
                host, path = targets[k % len(targets)]
                k += THREADS
                connection = connections.get(host)
                if connection is None:
                    connection = connections[host] = RangeConnection(host, port, context)
                try:
                    reply = fetch(connection, path)
                except Exception:
                    failed += 1
                    connections.pop(host).close()
                    continue
                done += 1
                size += len(reply.body)
                failed += reply.status != 200
        finally:
            for connection in connections.values():
                connection.close()
        results[index] = (done, size, failed)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return (
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        sum(r[2] for r in results),
    )


def _report(label: str, result: tuple[int, int, int], seconds: float, base: float = 0) -> float:
    done, size, failed = result
    rate = done / seconds
    ratio = f"  {rate / base:5.2f}x baseline" if base else ""
    print(
        f"{label:<34} {rate:9.1f} req/s  {size / seconds / 1e6:7.1f} MB/s"
        f"  failures {failed}{ratio}",
        flush=True,
    )
    return rate


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and
    # delayed ACKs stall every response by ~40 ms and the baseline means nothing.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass


def _baseline_server(
    root: Path, cert: Path, key: Path
) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _bare_hypercorn(cert: Path, key: Path, body: bytes) -> tuple[int, Callable[[], None]]:
    """hypercorn with a trivial ASGI app over the same TLS: the framework's ceiling.

    Returns the port and a function that stops the server and waits for it.
    """
    import asyncio
    import socket

    from hypercorn.asyncio import serve
    from hypercorn.config import Config, Sockets
    from hypercorn.typing import ASGIFramework

    Send = Callable[[dict[str, object]], Awaitable[None]]

    async def app(scope: dict[str, object], receive: object, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    listener = socket.socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    listener.setblocking(False)

    class _Config(Config):
        def create_sockets(self) -> Sockets:
            return Sockets([listener], [], [])

    config = _Config()
    config.certfile, config.keyfile = str(cert), str(key)
    config.accesslog = config.errorlog = None
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        state["loop"], state["done"] = asyncio.get_running_loop(), asyncio.Event()
        ready.set()
        await serve(cast(ASGIFramework, app), config, shutdown_trigger=state["done"].wait)

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    ready.wait()

    def stop() -> None:
        state["loop"].call_soon_threadsafe(state["done"].set)
        thread.join()

    return listener.getsockname()[1], stop


def _warm(port: int, ca: Path, targets: list[Target]) -> int:
    """Fetch every target once (two at a time: the range draws with two workers)."""
    from forensics.range.client import RangeConnection, client_context, fetch

    context = client_context(ca)

    def one(target: Target) -> bool:
        connection = RangeConnection(target[0], port, context)
        try:
            return fetch(connection, target[1]).status == 200
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as threads:
        return sum(not ok for ok in threads.map(one, targets))


def _session(server: RangeServer, clock: _Clock, port: int, ca: Path) -> bool:
    """Play SESSION_S seconds of live stream at full speed; True if nothing was missed."""
    from forensics.range import LIVE_HOST
    from forensics.range.client import RangeConnection, client_context, fetch

    plan = server.content.stream
    connection = RangeConnection(LIVE_HOST, port, client_context(ca))
    fetched: list[int] = []
    sequence_ok = True
    began = time.perf_counter()
    try:
        for _ in range(SESSION_S // plan.segment_s):
            clock.advance(plan.segment_s)
            text = fetch(connection, "/hls/live.m3u8").text
            sequence = int(re.search(r"EXT-X-MEDIA-SEQUENCE:(\d+)", text)[1])  # type: ignore[index]
            numbers = [int(n) for n in re.findall(r"^seg/(\d+)\.ts$", text, re.M)]
            sequence_ok &= numbers == list(range(sequence, sequence + len(numbers)))
            start = fetched[-1] + 1 if fetched else numbers[0]
            for n in range(start, numbers[-1] + 1):
                reply = fetch(connection, f"/hls/seg/{n}.ts")
                sequence_ok &= reply.status == 200 and len(reply.body) > 0
                fetched.append(n)
    finally:
        connection.close()
    elapsed = time.perf_counter() - began
    contiguous = fetched == list(range(fetched[0], fetched[0] + len(fetched)))
    stream_s = len(fetched) * plan.segment_s
    speed = stream_s / elapsed
    verdict = "no gaps" if contiguous and sequence_ok else "GAPS"
    print(
        f"session: {stream_s} s of stream ({len(fetched)} segments made on demand) in "
        f"{elapsed:.1f} s, {verdict}, {speed:.1f}x real time",
        flush=True,
    )
    return contiguous and sequence_ok and speed > 1.0


def main() -> int:
    from forensics.range import API_HOST, IMG_HOST, LIVE_HOST, SHOP_HOST, RangeServer

    scratch = os.environ.get("QZ_BENCH_DIR")
    ok = True
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        clock = _Clock()
        with RangeServer(Path(tmp) / "range", now=clock) as server:
            port, ca = server.port, str(server.ca_cert_path)
            content = server.content
            clock.advance(120)  # publish a minute of segments to fetch
            assert server.timeline is not None
            segments = list(server.timeline.window()) + list(range(0, 40))
            pages: list[Target] = [
                (SHOP_HOST, "/"),
                (SHOP_HOST, "/licence"),
                (SHOP_HOST, "/list?page=2"),
                (SHOP_HOST, "/search?q=" + content.products[0].product_id[:3]),
                (API_HOST, "/v1/products?sort=sales&size=8"),
                (API_HOST, "/v1/flash"),
                (LIVE_HOST, "/hls/live.m3u8"),
            ]
            for product in content.products[:20]:
                pages.append((SHOP_HOST, f"/item/{product.product_id}"))
                pages.append((API_HOST, f"/v1/items/{product.product_id}/reviews"))
                pages.append((IMG_HOST, product.images[0]))
            seg_targets: list[Target] = [(LIVE_HOST, f"/hls/seg/{n}.ts") for n in segments]

            # Warm up: every picture and segment made once, as a first viewer would.
            began = time.perf_counter()
            ok &= _warm(port, Path(ca), pages + seg_targets) == 0
            print(
                f"warm-up: {len(set(segments))} segments and {len(pages)} pages/pictures made in "
                f"{time.perf_counter() - began:.1f} s",
                flush=True,
            )
            tls_dir = Path(tmp) / "range" / "tls"
            static = Path(tmp) / "static"
            static.mkdir()
            (static / "page.html").write_bytes(b"x" * 6000)
            (static / "seg.ts").write_bytes(b"y" * 60_000)
            # Spawned children: forking a process that runs the range's threads is unsafe.
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
                for future in [pool.submit(load, port, ca, pages[:1], 0.0) for _ in range(2)]:
                    future.result()  # children started and imported before timing
                base_server, base_thread = _baseline_server(
                    static, tls_dir / "server.pem", tls_dir / "server.key"
                )
                base_port = base_server.server_address[1]
                try:
                    base_pages = _report(
                        "baseline http.server: 6 kB page",
                        pool.submit(
                            load, base_port, ca, [("localhost", "/page.html")], PHASE_S
                        ).result(),
                        PHASE_S,
                    )
                    base_segs = _report(
                        "baseline http.server: 60 kB file",
                        pool.submit(
                            load, base_port, ca, [("localhost", "/seg.ts")], PHASE_S
                        ).result(),
                        PHASE_S,
                    )
                finally:
                    base_server.shutdown()
                    base_server.server_close()
                    base_thread.join()
                bare_port, stop_bare = _bare_hypercorn(
                    tls_dir / "server.pem", tls_dir / "server.key", b"x" * 6000
                )
                try:
                    bare = _report(
                        "reference: bare hypercorn, 6 kB",
                        pool.submit(load, bare_port, ca, [("localhost", "/")], PHASE_S).result(),
                        PHASE_S,
                        base_pages,
                    )
                finally:
                    stop_bare()

                results = []
                results.append(pool.submit(load, port, ca, pages, PHASE_S).result())
                range_pages = _report(
                    "range pages (HTML/JSON/images)", results[-1], PHASE_S, base_pages
                )
                print(f"{'':<34} {range_pages / bare:9.2f}x bare hypercorn", flush=True)
                results.append(pool.submit(load, port, ca, seg_targets, PHASE_S).result())
                _report("range stream segments", results[-1], PHASE_S, base_segs)
                both = [
                    pool.submit(load, port, ca, pages, PHASE_S),
                    pool.submit(load, port, ca, seg_targets, PHASE_S),
                ]
                mixed_pages, mixed_segs = both[0].result(), both[1].result()
                results += [mixed_pages, mixed_segs]
                _report("concurrent: pages", mixed_pages, PHASE_S, base_pages)
                _report("concurrent: segments", mixed_segs, PHASE_S, base_segs)
                total = (mixed_pages[0] + mixed_segs[0]) / PHASE_S
                print(f"{'concurrent: total':<34} {total:9.1f} req/s", flush=True)
                ok &= all(r[2] == 0 and r[0] > 0 for r in results)

            ok &= _session(server, clock, port, Path(ca))
    print("bench_range:", "OK" if ok else "FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
