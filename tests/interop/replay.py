"""ReplayWeb.page, self-hosted on loopback and driven by headless Chromium (Playwright).

What a third party sees when it opens a Quzheng package as a WACZ: the harness serves
ReplayWeb.page's static build (``ui.js``, ``sw.js`` from the npm package pinned in
``tests/interop/package.json``) and the package from a loopback HTTP server, embeds it the
self-hosting way (``<replay-web-page source=... url=... replayBase="/replay/">``), opens the
page in Debian's Chromium and reads back

* the text of the archived page as ReplayWeb.page replays it (the innermost iframe), and
* what wabac.js (the service worker inside ``sw.js``) recorded when it loaded
  ``datapackage-digest.json``: the collection info the UI renders (``/replay/w/api/c/<coll>
  ?all=1`` → ``verify``) and the raw ``verification`` records of its IndexedDB.

Why the raw records: ReplayWeb.page's UI never says whether the signature verified.
``MultiWACZ.getVerifyInfo()`` (wabac.js 2.27, ``src/wacz/multiwacz.ts``) counts the
``signature`` record among the "hashes verified" whatever its ``matched`` is, and only
copies ``datapackageHash``/``publicKey``/``domain``/``software``/``created`` as given. The
outcome of ``crypto.subtle.verify`` is stored only as ``{id: "signature", expected: true,
matched: <bool>}`` in the collection's IndexedDB (``db:<coll>``, store ``verification``).
:meth:`Replay.signature_verified` reads that.

Nothing leaves 127.0.0.1: the server binds there, Chromium runs with its background
networking off, and every request for another host is aborted.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
RWP_DIR = HERE / "node_modules" / "replaywebpage"
COLL = "case"  # the collection id ReplayWeb.page is told to use: its IndexedDB is "db:case"

# As the machine notes prescribe for headless Chromium as root on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def missing_prerequisites() -> list[str]:
    """What ``scripts/bootstrap.sh`` should have installed and has not (empty when ready)."""
    missing = []
    for name in ("ui.js", "sw.js"):
        if not (RWP_DIR / name).is_file():
            missing.append(f"{RWP_DIR / name} (run: npm ci --prefix tests/interop)")
    if chromium_path() is None:
        missing.append("Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[dev]')")
    return missing


EMBED_PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>interop</title><script src="/ui.js"></script></head>
<body style="margin:0">
<replay-web-page style="display:block;width:1200px;height:900px" source="/{name}" url="{url}"
  replayBase="/replay/" coll="{coll}" embed="replayonly"{extra}></replay-web-page>
</body>
</html>
"""

# wabac.js hashes what it reads only in a service worker registered with ?useHashCheck=1
# (src/swmain.ts → setUseHashCHeck), and only when the archive is loaded there, not in the
# Web Worker ReplayWeb.page loads archives in by default (noWebWorker). The embed appends
# "?serveIndex=1" to swName: the trailing "&_=" soaks that up.
HASH_CHECK_SW = "sw.js?serveIndex=1&amp;useHashCheck=1&amp;_="

REPLAY_INDEX = (
    b'<!doctype html><html><head><script src="./ui.js"></script></head>'
    b"<body><replay-app-main></replay-app-main></body></html>"
)

MIME = {
    ".js": "application/javascript",
    ".html": "text/html; charset=utf-8",
    ".wacz": "application/wacz",
    ".json": "application/json",
}


class _Handler(BaseHTTPRequestHandler):
    """Static files from a fixed table, with single-range requests (wabac.js reads the WACZ's
    zip directory and members by ``Range``)."""

    routes: ClassVar[dict[str, Path | bytes]] = {}  # replaced per server (see _serve)
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures
        pass

    def do_HEAD(self) -> None:
        self._send(head=True)

    def do_GET(self) -> None:
        self._send(head=False)

    def _send(self, head: bool) -> None:
        path = urlsplit(self.path).path
        item = self.routes.get(path)
        if item is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = item if isinstance(item, bytes) else item.read_bytes()
        ctype = MIME.get(Path(path).suffix, "application/octet-stream")
        if path.endswith("/"):
            ctype = MIME[".html"]
        status, body = 200, data
        rng = self.headers.get("Range")
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip()) if rng else None
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else len(data) - 1
            else:  # suffix range: the last N bytes
                start, end = max(0, len(data) - int(m.group(2))), len(data) - 1
            end = min(end, len(data) - 1)
            if start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, body = 206, data[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if not head:
            self.wfile.write(body)


@contextmanager
def _serve(routes: dict[str, Path | bytes]) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="replay-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Replay:
    """What ReplayWeb.page showed and recorded for one package."""

    text: str  # inner text of the replayed page
    frame_url: str  # the replay iframe's URL (…/replay/w/case/<ts>mp_/<url>)
    info: dict[str, Any]  # the collection info the UI renders, with its "verify"
    records: list[dict[str, Any]] = field(default_factory=list)  # IndexedDB "verification"

    @property
    def verify(self) -> dict[str, Any]:
        return dict(self.info.get("verify") or {})

    def record(self, rid: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r.get("id") == rid), None)

    @property
    def signed(self) -> bool:
        """ReplayWeb.page took the digest as signed: it shows the package hash and key
        (or the observing domain) that the signedData names."""
        v = self.verify
        return bool(v.get("datapackageHash")) and bool(v.get("publicKey") or v.get("domain"))

    @property
    def signature_verified(self) -> bool:
        """wabac.js's ``crypto.subtle.verify`` returned true for the signedData."""
        rec = self.record("signature")
        return bool(rec) and rec.get("expected") is True and rec.get("matched") is True

    def member_hash_matched(self, path: str) -> bool | None:
        """Whether wabac.js found ``path``'s bytes to hash as expected (None: not checked,
        see ``hash_check``). Its record ids carry the WACZ's internal name in front
        ("defaultpages/pages.jsonl")."""
        rec = next((r for r in self.records if str(r.get("id", "")).endswith(path)), None)
        return None if rec is None else rec.get("matched") is True


_READ_VERIFICATION = """async (coll) => {
  const name = "db:" + coll;
  const dbs = await indexedDB.databases();
  if (!dbs.some((d) => d.name === name)) return null;
  return await new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onerror = () => reject(String(req.error));
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("verification")) { db.close(); resolve([]); return; }
      const all = db.transaction("verification").objectStore("verification").getAll();
      all.onerror = () => { db.close(); reject(String(all.error)); };
      all.onsuccess = () => { db.close(); resolve(all.result); };
    };
  });
}"""

_READ_INFO = """async (coll) => {
  const resp = await fetch("/replay/w/api/c/" + coll + "?all=1");
  return await resp.json();
}"""


def open_in_replaywebpage(
    package: Path,
    url: str,
    *,
    expect_text: str | None = None,
    timeout_s: float = 90.0,
    screenshot: Path | None = None,
    hash_check: bool = False,
) -> Replay:
    """Load ``package`` (a ``.wacz`` file) in ReplayWeb.page at archived ``url``; wait until
    the replayed page is there (and shows ``expect_text``, if given) and return what it
    showed and recorded. ``hash_check``: have wabac.js hash datapackage.json (against the
    digest's ``hash``, when signedData names it) and pages.jsonl (against datapackage.json),
    which ReplayWeb.page as published does not do."""
    from playwright.sync_api import Route, sync_playwright

    missing = missing_prerequisites()
    if missing:
        raise RuntimeError("ReplayWeb.page harness not installed: " + "; ".join(missing))
    name = package.name
    extra = f' swName="{HASH_CHECK_SW}" noWebWorker' if hash_check else ""
    page_html = EMBED_PAGE.format(
        name=html.escape(name), url=html.escape(url, quote=True), coll=COLL, extra=extra
    ).encode()
    routes: dict[str, Path | bytes] = {
        "/": page_html,
        "/index.html": page_html,
        "/ui.js": RWP_DIR / "ui.js",
        "/replay/ui.js": RWP_DIR / "ui.js",
        "/replay/sw.js": RWP_DIR / "sw.js",
        f"/{name}": package,
        # What the service worker itself serves there (wabac.js getIndexHtml): the replay
        # frame gets the app even when it loads before the worker controls it.
        "/replay/": REPLAY_INDEX,
        "/replay/index.html": REPLAY_INDEX,
    }
    with _serve(routes) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})

            def only_loopback(route: Route) -> None:
                if route.request.url.startswith(base + "/"):
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", only_loopback)
            page = context.new_page()
            console: list[str] = []
            context.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
            page.goto(base + "/", wait_until="load")
            deadline = time.monotonic() + timeout_s
            reload_at = time.monotonic() + timeout_s / 3  # once, should the first load stall
            frame, text = None, ""
            marker = f"/replay/w/{COLL}/"
            while time.monotonic() < deadline:
                frame = next((f for f in page.frames if marker in f.url and "mp_/" in f.url), None)
                if frame is not None:
                    try:
                        text = frame.inner_text("body", timeout=2000)
                    except Exception:  # the frame navigated or is still empty
                        text = ""
                    if text and (expect_text is None or expect_text in text):
                        break
                elif time.monotonic() > reload_at:
                    console.append("harness: no replay frame yet, reloading the page")
                    reload_at = deadline
                    page.reload(wait_until="load")
                page.wait_for_timeout(250)
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
            if frame is None:
                frames = [f.url for f in page.frames]
                raise AssertionError(
                    f"ReplayWeb.page showed no replay frame; frames: {frames}; console: "
                    + "\n".join(console[-40:])
                )
            app = next(f for f in page.frames if urlsplit(f.url).path == "/replay/")
            info = app.evaluate(_READ_INFO, COLL)
            records = app.evaluate(_READ_VERIFICATION, COLL) or []
            return Replay(text=text, frame_url=frame.url, info=info, records=records)
        finally:
            browser.close()
