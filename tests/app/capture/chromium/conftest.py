"""A tiny loopback web site for the real-browser tests, and the browser to test with."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); the engine tests drive it",
)

PAGE_HEIGHT = 3000
EVIDENCE_TEXT = "证据页面 EVIDENCE-TEXT-Q17"
# A tall page: known text, a script, an image, a counter that repaints every frame (so the
# screencast has something to send), and a red band at the very bottom.
TALL_PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Q17 tall page</title>
<style>html,body{{margin:0;padding:0;background:#fff}}
#band{{position:absolute;left:0;top:{PAGE_HEIGHT - 100}px;width:100%;height:100px;background:#f00}}
</style><script src="/app.js"></script></head>
<body style="height:{PAGE_HEIGHT}px;position:relative">
<h1>{EVIDENCE_TEXT}</h1><p id="counter">0</p><img src="/pixel.gif" width="10" height="10">
<a id="next" href="/second">next</a><div id="band"></div>
<script>let n = 0; (function tick() {{ document.getElementById('counter').textContent =
  String(n++); requestAnimationFrame(tick); }})();</script>
</body></html>""".encode()
SECOND_PAGE = b"<!doctype html><title>second</title><p>second page</p>"
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def tall_page(height: int) -> bytes:
    return (
        f"<!doctype html><title>h{height}</title><body style='margin:0;height:{height}px;"
        "background:linear-gradient(#fff,#00f)'><p>top</p></body>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {
        "/": ("text/html; charset=utf-8", TALL_PAGE),
        "/second": ("text/html; charset=utf-8", SECOND_PAGE),
        "/app.js": ("application/javascript", b"window.appLoaded = true;"),
        "/pixel.gif": ("image/gif", GIF),
        "/h24000": ("text/html; charset=utf-8", tall_page(24000)),
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.0)
            item: tuple[str, bytes] | None = ("text/html", b"<title>slow</title>slow")
        else:
            item = self.routes.get(self.path)
        if item is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype, body = item
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """A loopback web site serving ``routes`` (path → content type, body); its base URL."""
    handler = type("Routes", (_Handler,), {"routes": dict(routes)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    with serve(_Handler.routes) as url:
        yield url
