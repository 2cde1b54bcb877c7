"""``RangeServer``: the practice range on one TLS socket on 127.0.0.1, in a background thread.

hypercorn serves the ASGI app (HTTP/1.1, HTTP/2 by ALPN, WebSockets) on a socket bound here,
so port 0 works and the port is known before ``start()`` returns. The event loop runs in a
thread of its own; media and pictures are drawn in a small worker pool so the loop keeps
answering while a segment is encoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from hypercorn.asyncio import serve
from hypercorn.config import Config, Sockets
from hypercorn.typing import ASGIFramework

from forensics.atomic import write_atomic
from forensics.range.app import RangeApp
from forensics.range.content import DOMAIN, Content, build_content
from forensics.range.errors import RangeError
from forensics.range.fonts import fonts_for_thread
from forensics.range.live import LiveTimeline, SegmentStore
from forensics.range.manifest import Manifest
from forensics.range.tls import RangeTLS, ensure_tls
from forensics.range.video import RENDER_VERSION

log = logging.getLogger("quzheng.range")

HOST = "127.0.0.1"
STATIC_DIR = Path(__file__).resolve().parents[2] / "resources" / "range" / "static"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 15.0
# On stop, clients get this long to finish before their connections are cut.
_GRACE_S = 1.5


def _sni_callback(ssl_obj: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> int | None:
    # Refuse, at the TLS layer, a client that asks for a name this server cannot be.
    if name is None:
        return None
    name = name.lower().rstrip(".")
    if name == DOMAIN or name.endswith("." + DOMAIN) or name == "localhost":
        return None
    return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME


class _ListeningSocket(socket.socket):
    """A listening socket that remembers the connections it accepted.

    On stop, hypercorn waits for every connection to end, and asyncio waits up to 30 s for a
    TLS peer to answer close_notify. A client that never reads (or a half-dead one) would
    hold ``stop()`` that long; shutting its socket down ends the wait at once.
    """

    def __init__(self) -> None:
        super().__init__(socket.AF_INET, socket.SOCK_STREAM)
        self._accepted: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def accept(self) -> tuple[socket.socket, Any]:
        conn, address = super().accept()
        self._accepted.add(conn)
        return conn, address

    def cut_connections(self) -> None:
        for conn in list(self._accepted):
            with contextlib.suppress(OSError):  # already closed
                conn.shutdown(socket.SHUT_RDWR)


class _Config(Config):
    """hypercorn's config, serving our already-bound socket and checking SNI."""

    def __init__(self, sock: _ListeningSocket, tls: RangeTLS) -> None:
        super().__init__()
        self._sock = sock
        self.certfile = str(tls.server_cert_path)
        self.keyfile = str(tls.server_key_path)
        self.accesslog = None
        self.errorlog = log
        self.graceful_timeout = 2.0
        self.keep_alive_timeout = 10.0
        self.h2_max_concurrent_streams = 64
        self.backlog = 256
        self.ssl_handshake_timeout = 10.0

    def create_sockets(self) -> Sockets:
        return Sockets(secure_sockets=[self._sock], insecure_sockets=[], quic_sockets=[])

    def create_ssl_context(self) -> ssl.SSLContext | None:
        context = super().create_ssl_context()
        if context is not None:
            context.sni_callback = _sni_callback
        return context


class RangeServer:
    """The practice range. Use as a context manager, or call ``start()`` and ``stop()``.

    ``now`` is the clock (seconds, like ``time.time``) that drives the live stream, the
    chat and the flash price; tests inject one they can advance.
    """

    host = HOST

    def __init__(
        self,
        data_dir: Path,
        seed: int = 2026,
        port: int = 0,
        now: Callable[[], float] | None = None,
        *,
        static_dir: Path | None = None,
        flv_kbps: int = 0,
    ) -> None:
        if not 0 <= port < 65536:
            raise RangeError(f"port {port} is out of range", f"端口 {port} 超出范围")
        self.data_dir = Path(data_dir)
        self.seed = seed
        self.content: Content = build_content(seed)
        self._requested_port = port
        self._now = now or time.time
        self._static_dir = static_dir or STATIC_DIR
        # Load tests only: the HTTP-FLV stream padded to about this many kbit/s (0: off).
        self.flv_kbps = flv_kbps
        self._port: int | None = None
        self._tls: RangeTLS | None = None
        self._sock: _ListeningSocket | None = None
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.timeline: LiveTimeline | None = None
        self._app: RangeApp | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start serving; returns once the socket is listening and the app is ready."""
        if self._thread is not None:
            raise RangeError("the range is already running", "靶场已在运行")
        if not self._static_dir.is_dir():
            raise RangeError(
                f"the range's site files are missing: {self._static_dir}",
                f"缺少靶场站点文件：{self._static_dir}",
            )
        self._tls = ensure_tls(self.data_dir)
        sock = _ListeningSocket()
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((HOST, self._requested_port))
            sock.listen(256)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise RangeError(
                f"cannot listen on {HOST}:{self._requested_port}: {exc}",
                f"无法在 {HOST}:{self._requested_port} 上监听：{exc}",
            ) from exc
        self._sock = sock
        self._port = sock.getsockname()[1]
        try:
            fonts = fonts_for_thread()
            cache_dir = self.data_dir / "cache" / f"seed-{self.seed}-r{RENDER_VERSION}-{fonts.key}"
            self.timeline = LiveTimeline(self.content.stream, self._now, self._now())
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="range-media")
            self._write_manifest()
            self._ready.clear()
            self._failure = None
            self._thread = threading.Thread(
                target=self._run, args=(cache_dir,), name="quzheng-range", daemon=True
            )
            self._thread.start()
            started = self._ready.wait(_START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        if not started or self._failure is not None:
            failure = self._failure
            self.stop()
            raise RangeError(
                f"the range did not start: {failure or 'timed out'}",
                f"靶场未能启动：{failure or '超时'}",
            ) from failure
        log.info("range: serving on https://%s:%d", HOST, self._port)

    def _run(self, cache_dir: Path) -> None:
        try:
            asyncio.run(self._main(cache_dir))
        except asyncio.CancelledError as exc:
            # hypercorn cancels its tasks when told to stop: an error only before that.
            shutdown = self._shutdown
            if shutdown is None or not shutdown.is_set():
                self._failure = exc
                log.error("range: server cancelled before it was stopped")
            else:
                log.debug("range: tasks cancelled while stopping")
        except BaseException as exc:  # reported to start() or logged; the thread must end
            self._failure = exc
            log.exception("range: server stopped with an error")
        finally:
            self._ready.set()

    async def _main(self, cache_dir: Path) -> None:
        assert self._sock is not None and self._tls is not None  # set by start()
        assert self.timeline is not None and self._executor is not None
        self._loop = asyncio.get_running_loop()
        self._shutdown = asyncio.Event()
        self._loop.set_exception_handler(self._loop_exception)
        store = SegmentStore(cache_dir, self.content.stream, self._executor)
        app = RangeApp(
            self.content,
            self.timeline,
            store,
            self._static_dir,
            self._executor,
            flv_kbps=self.flv_kbps,
        )
        self._app = app
        config = _Config(self._sock, self._tls)
        shutdown = self._shutdown

        listener = self._sock

        async def shutdown_trigger() -> None:
            await shutdown.wait()
            # Tell long-lived chat connections first: hypercorn waits for them to end.
            app.closing.set()
            asyncio.get_running_loop().call_later(_GRACE_S, listener.cut_connections)

        # The app speaks plain-dict ASGI; hypercorn's TypedDict message types are the same.
        framework = cast("ASGIFramework", app)
        server = asyncio.create_task(serve(framework, config, shutdown_trigger=shutdown_trigger))
        ready = asyncio.create_task(app.ready.wait())
        await asyncio.wait({server, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
        if server.done():
            server.result()  # raises what stopped it
            return
        self._ready.set()
        await server

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """While stopping, connections' tasks are cancelled, and asyncio's stream callback
        (CPython 3.12) reports each as an error with a traceback: not one. Anything else
        goes to asyncio's default handler."""
        shutdown = self._shutdown
        stopping = shutdown is not None and shutdown.is_set()
        if stopping and isinstance(context.get("exception"), asyncio.CancelledError):
            log.debug("range: %s", context.get("message", "task cancelled while stopping"))
            return
        loop.default_exception_handler(context)

    def stop(self) -> None:
        """Stop serving and release the socket and worker threads. Safe to call twice."""
        thread, loop, shutdown = self._thread, self._loop, self._shutdown
        if thread is not None:
            if loop is not None and shutdown is not None and not loop.is_closed():
                # RuntimeError: the loop closed in between, so the thread is ending anyway.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(shutdown.set)
            thread.join(_STOP_TIMEOUT_S)
            if thread.is_alive():
                log.warning("range: server thread did not stop within %s s", _STOP_TIMEOUT_S)
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._sock is not None:
            self._sock.close()
        self._thread = self._loop = self._shutdown = None
        self._executor = None
        self._sock = None
        self._port = None

    def __enter__(self) -> RangeServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what clients need --------------------------------------------------------------------

    def _running_port(self) -> int:
        if self._port is None:
            raise RangeError("the range has not been started", "靶场尚未启动")
        return self._port

    @property
    def port(self) -> int:
        return self._running_port()

    @property
    def ca_cert_path(self) -> Path:
        """PEM of the range CA: the only certificate a range client needs to trust."""
        if self._tls is None:
            raise RangeError("the range has not been started", "靶场尚未启动")
        return self._tls.ca_cert_path

    @property
    def flv_viewers(self) -> int:
        """How many HTTP-FLV responses are being sent now (0 when not running)."""
        app = self._app if self._thread is not None else None
        return 0 if app is None else app.flv_viewers

    @property
    def flv_bytes_sent(self) -> int:
        """FLV body bytes handed to the server so far, every viewer together (load tests)."""
        app = self._app
        return 0 if app is None else app.flv_bytes_sent

    def task_count(self, timeout: float = 5.0) -> int:
        """How many asyncio tasks the server's loop holds now (for leak checks)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return 0

        async def count() -> int:
            return len(asyncio.all_tasks()) - 1  # not this one

        return asyncio.run_coroutine_threadsafe(count(), loop).result(timeout)

    @property
    def manifest(self) -> Manifest:
        return Manifest(self.seed, self._running_port(), self.content, str(self.ca_cert_path))

    def url(self, host: str, path: str = "/") -> str:
        """``url("shop.range.test", "/item/1")`` → ``https://shop.range.test:<port>/item/1``."""
        return self.manifest.url(host, path)

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting the range CA only (for tests and tools)."""
        context = ssl.create_default_context(cafile=str(self.ca_cert_path))
        context.set_alpn_protocols(["h2", "http/1.1"])
        return context

    def _write_manifest(self) -> None:
        data: dict[str, Any] = self.manifest.to_dict()
        path = self.data_dir / "manifest.json"
        try:
            write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
        except OSError as exc:
            raise RangeError(f"cannot write {path}: {exc}", f"无法写入 {path}：{exc}") from exc
