"""Plain-text "what is my IP" services on 127.0.0.1, for the clean-environment check's egress
section (the SNTP counterpart is tests/forensics/timestamp/sntp_responder.py)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ECHO_IP = "203.0.113.7"


@contextlib.contextmanager
def echo_services() -> Iterator[Callable[..., str]]:
    """Start an HTTP service answering every GET with ``body`` (and ``status``); its URL."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(body: str = ECHO_IP + "\n", status: int = 200) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                raw = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = False
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        servers.append((httpd, thread))
        return f"http://127.0.0.1:{httpd.server_port}/ip"

    try:
        yield start
    finally:
        for httpd, thread in servers:
            httpd.shutdown()
            httpd.server_close()
            thread.join()
