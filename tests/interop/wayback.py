"""pywb, the Webrecorder wayback server, run on loopback over a collection of WARCs.

pywb lives in a virtual environment of its own, ``.venv-pywb``, made by
``scripts/bootstrap.sh`` from ``tests/interop/pywb-requirements.txt``: pywb 2.10 cannot join
``.venv``. It pins ``werkzeug==3.1.7`` and ``pyOpenSSL<26.2`` (hence ``cryptography<48``,
older than the one the evidence core runs with), and its ``brotlipy`` installs a ``brotli``
package that shadows the ``Brotli`` module mitmproxy decodes responses with. So the tests
drive its command-line tools (``wb-manager``, ``wayback``) as child processes, the way an
archivist would, and talk to the server over HTTP on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYWB_BIN = ROOT / ".venv-pywb" / "bin"
CDXJ_INDEXER = ROOT / ".venv" / "bin" / "cdxj-indexer"

# No proxy from the environment: every request goes straight to the loopback server.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def missing_pywb() -> list[str]:
    """What ``scripts/bootstrap.sh`` should have installed and has not (empty when ready)."""
    return [
        f"{PYWB_BIN / tool} (run: bash scripts/bootstrap.sh)"
        for tool in ("wb-manager", "wayback")
        if not (PYWB_BIN / tool).is_file()
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("QUZHENG_", "PYTHON"))}


def _run(args: list[str | Path], cwd: Path) -> str:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    return out


def add_with_wb_manager(root: Path, coll: str, warcs: list[Path]) -> str:
    """``wb-manager init`` + ``add``: pywb copies the WARCs and indexes them itself. Returns
    what the tool printed."""
    return _run([PYWB_BIN / "wb-manager", "init", coll], root) + _run(
        [PYWB_BIN / "wb-manager", "add", coll, *warcs], root
    )


def add_with_cdxj_indexer(root: Path, coll: str, warcs: list[Path]) -> None:
    """``wb-manager init``, the WARCs copied in, and the index written by ``cdxj-indexer``
    (sorted), as a package's ``indexes/index.cdxj`` is (``forensics/package/export.py``)."""
    _run([PYWB_BIN / "wb-manager", "init", coll], root)
    archive = root / "collections" / coll / "archive"
    for warc in warcs:
        shutil.copyfile(warc, archive / warc.name)
    index = root / "collections" / coll / "indexes" / "index.cdxj"
    warc_copies = sorted(archive.glob("*.warc.gz"))
    _run([CDXJ_INDEXER, "--sort", "--dir-root", archive, "-o", index, *warc_copies], root)


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


@dataclass
class Wayback:
    base: str
    log: Path

    def get(self, path: str) -> Reply:
        try:
            with _OPENER.open(self.base + path, timeout=30) as resp:
                return Reply(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.headers, err.read())

    def cdx(self, coll: str, url: str) -> list[dict[str, str]]:
        """pywb's own CDX server API: the index lines it holds for ``url``, as it orders them."""
        query = urllib.parse.urlencode({"url": url, "output": "json"})
        reply = self.get(f"/{coll}/cdx?{query}")
        assert reply.status == 200, reply
        return [json.loads(line) for line in reply.body.decode().splitlines() if line]

    def problems(self) -> list[str]:
        """Lines of the server's log that report an error: a traceback, an ERROR/WARNING
        record, or a request answered with another status than 200."""
        bad = []
        for line in self.log.read_text(errors="replace").splitlines():
            request = re.search(r'"(?:GET|POST|HEAD) [^"]*" (\d{3}) ', line)
            if (
                "Traceback" in line
                or re.search(r"\[(ERROR|WARNING|CRITICAL)\]", line)
                or (request is not None and request[1] != "200")
            ):
                bad.append(line)
        return bad


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def wayback(root: Path) -> Iterator[Wayback]:
    """``wayback`` serving ``root/collections`` on a free loopback port, without live-web
    access (no ``--live``, no ``--proxy``), stopped on exit."""
    port = _free_port()
    log = root / "wayback.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(PYWB_BIN / "wayback"), "--bind", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=_env() | {"PYTHONUNBUFFERED": "1"},  # the log is read while it runs
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Wayback(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                if server.get("/").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
