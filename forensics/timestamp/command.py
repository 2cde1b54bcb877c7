"""``quzheng tsa serve``: run the built-in TSA in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from forensics.timestamp.tsa import TsaServer

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@contextlib.contextmanager
def _sigterm_sets(event: threading.Event) -> Iterator[None]:
    """SIGTERM ends serving like Ctrl-C does (signals can only be set in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: event.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    port: int,
    identity_dir: Path,
    host: str = "127.0.0.1",
    *,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve RFC 3161 over HTTP on ``host:port`` with the identity in ``identity_dir``
    (created on first use). Prints the URL and the trust-anchor path in Chinese and
    English, then serves until Ctrl-C, SIGTERM or ``stop`` is set. Returns the exit code.
    Raises ``InputError`` when the identity cannot be read or the port cannot be bound."""
    out = out or sys.stdout
    stop = stop or threading.Event()
    server = TsaServer(identity_dir, host=host, port=port)
    with server, _sigterm_sets(stop):
        print(f"内置时间戳服务（RFC 3161）已启动：{server.url}", file=out)
        print(f"Built-in time-stamping authority (RFC 3161) listening at {server.url}", file=out)
        print(f"信任锚 / trust anchor: {server.trust_anchor_path}", file=out)
        if host not in _LOOPBACK:
            print(
                f"注意：服务监听于 {host}，本机以外的计算机也可访问。\n"
                f"Note: listening on {host}, reachable from other computers.",
                file=out,
            )
        print("按 Ctrl-C 停止 / press Ctrl-C to stop", file=out, flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        print(
            f"时间戳服务已停止，共签发 {server.authority.issued} 个时间戳。\n"
            f"Time-stamping authority stopped; {server.authority.issued} tokens issued.",
            file=out,
            flush=True,
        )
    return 0
