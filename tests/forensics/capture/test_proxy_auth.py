"""Issue #16: the recording proxy admits only the capture browser (per-session secret).

The real proxy child, a real TLS upstream, and intruders as separate processes (curl, or
Python's urllib where curl is missing) on the same computer.
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from forensics.capture.clientauth import (
    BROWSER_BACKGROUND_HOSTS,
    MAX_DETAILED,
    PRIME_HOST,
    PROXY_USER,
    is_browser_background_host,
)
from forensics.capture.controller import RecordingProxy, SegmentInfo
from tests.forensics.capture.conftest import UPSTREAM_SUFFIX, fetch, websocket_exchange
from tests.forensics.capture.test_proxy import read_records

Factory = Callable[..., RecordingProxy]
SHOP = f"shop.{UPSTREAM_SUFFIX}"
INTRUDER_PATH = "/intruder-7f3a91-exfil"

_URLLIB_INTRUDER = r"""
import sys, urllib.request, urllib.error
proxy, url, cafile = sys.argv[1:4]
import ssl
ctx = ssl.create_default_context(cafile=cafile)
opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({"http": proxy, "https": proxy}),
    urllib.request.HTTPSHandler(context=ctx),
)
try:
    opener.open(url, timeout=20)
    print(200)
except urllib.error.HTTPError as exc:
    print(exc.code)
except OSError as exc:  # a refused CONNECT: "Tunnel connection failed: 407 ..."
    text = str(exc)
    print(407 if "407" in text else "error " + text)
"""


def intruder(proxy_url: str, url: str, cafile: Path) -> int:
    """Another process on this computer uses the proxy; returns the proxy's status code."""
    if shutil.which("curl"):
        result = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "--max-time", "20", "--cacert", str(cafile),
             "-x", proxy_url, "-w", "%{http_connect} %{http_code}", url],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        connect, code = result.stdout.split()
        return int(connect) if url.startswith("https:") else int(code)
    result = subprocess.run(
        [sys.executable, "-c", _URLLIB_INTRUDER, proxy_url, url, str(cafile)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return int(result.stdout.strip())


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
        return reply


def segment_files(segments: list[SegmentInfo]) -> list[Path]:
    return [s.path for s in segments]


def warc_bytes(segments: list[SegmentInfo]) -> bytes:
    """Every segment, uncompressed (each record is a gzip member of its own)."""
    return b"".join(gzip.decompress(s.path.read_bytes()) for s in segments)


def test_other_local_processes_are_refused_and_nothing_of_them_is_recorded(
    proxy_factory: Factory,
) -> None:
    segments: list[SegmentInfo] = []
    told: list[dict[str, object]] = []
    proxy = proxy_factory(on_segment=segments.append, on_refused=told.append)
    proxy.start()
    assert proxy.ca is not None
    cafile = proxy.ca.cert_path
    user, secret = proxy.credentials
    assert user == PROXY_USER and len(secret) >= 32

    # The legitimate client (as the browser does: with the session's credentials).
    assert fetch(proxy, SHOP, "/").status == 200
    # Intruders: no credentials, a wrong secret, a plain-HTTP request, all from processes
    # of their own.
    bare = f"http://127.0.0.1:{proxy.port}"
    wrong = f"http://{PROXY_USER}:{'x' * 43}@127.0.0.1:{proxy.port}"
    assert intruder(bare, f"https://{SHOP}{INTRUDER_PATH}-tls", cafile) == 407
    assert intruder(wrong, f"https://{SHOP}{INTRUDER_PATH}-wrong", cafile) == 407
    assert intruder(bare, f"http://{SHOP}{INTRUDER_PATH}-plain", cafile) == 407
    # A client that knows the secret gets through (the proxy URL form internal tools use).
    assert intruder(proxy.authenticated_proxy_url, f"https://{SHOP}/cookie", cafile) == 200
    # The priming address: answered by the proxy itself, for the browser only.
    primed = raw_request(
        proxy.port,
        f"GET http://{PRIME_HOST}/ HTTP/1.1\r\nHost: {PRIME_HOST}\r\n"
        f"Proxy-Authorization: {proxy.proxy_authorization}\r\n\r\n".encode(),
    )
    assert primed.startswith(b"HTTP/1.1 200")
    segs = proxy.stop()

    records = read_records(segment_files(segs))
    uris = [r.get("WARC-Target-URI") or "" for r in records]
    assert f"https://{SHOP}/" in uris and f"https://{SHOP}/cookie" in uris
    everything = warc_bytes(segs)
    assert b"intruder-7f3a91" not in everything  # no request, response or error record
    assert PRIME_HOST.encode() not in everything
    # The secret is consumed by the proxy: neither in the WARC nor in any disclosure.
    assert secret.encode() not in everything
    assert proxy.proxy_authorization.split()[1].encode() not in everything
    assert not any(b"proxy-authorization" in r.payload.lower() for r in records)
    disclosure = json.dumps(proxy.disclosure)
    assert secret not in disclosure
    assert "per-session secret" in str(proxy.disclosure["client_auth"])

    # Three refusals, reported with what the finding needs (and no path).
    assert proxy.refused_count == 3
    first = proxy.refusals
    assert [r["credentials"] for r in first] == ["none", "wrong", "none"]
    assert [r["method"] for r in first] == ["CONNECT", "CONNECT", "GET"]
    assert all(r["host"] == f"{SHOP}:{443 if i < 2 else 80}" for i, r in enumerate(first))
    assert all(str(r["client"]).startswith("127.0.0.1:") for r in first)
    assert "intruder" not in json.dumps(first)
    assert len(told) == 3


def test_a_flood_of_refusals_is_counted_not_listed(proxy_factory: Factory) -> None:
    proxy = proxy_factory()
    proxy.start()
    attempts = 60
    for i in range(attempts):
        reply = raw_request(
            proxy.port, f"CONNECT flood{i}.{UPSTREAM_SUFFIX}:443 HTTP/1.1\r\n\r\n".encode()
        )
        assert reply.startswith(b"HTTP/1.1 407"), reply[:80]
    proxy.stop()
    events = [e for e in proxy.events(timeout=1) if e.get("event") == "refused"]
    assert proxy.refused_count == attempts  # the last count comes at shutdown at the latest
    assert len(proxy.refusals) == MAX_DETAILED
    assert MAX_DETAILED < len(events) < attempts  # a few summaries, not one per attempt
    assert events[-1]["n"] == attempts


def test_a_refused_upload_is_cut_off_not_buffered(proxy_factory: Factory) -> None:
    """A large body without credentials: mitmproxy would stream it, so no 407 can come
    first; the connection is closed, nothing is forwarded or recorded, the proxy goes on."""
    segments: list[SegmentInfo] = []
    proxy = proxy_factory(on_segment=segments.append)
    proxy.start()
    head = (
        f"POST http://{SHOP}{INTRUDER_PATH}-upload HTTP/1.1\r\nHost: {SHOP}\r\n"
        "Content-Length: 50000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as sock:
        sock.sendall(head.encode() + b"x" * 65536)
        assert sock.recv(4096) == b""  # closed
    assert fetch(proxy, SHOP, "/").status == 200  # the browser's traffic goes on
    everything = warc_bytes(proxy.stop())
    assert b"intruder-7f3a91" not in everything and f"https://{SHOP}/".encode() in everything
    assert proxy.refused_count == 1 and proxy.refusals[0]["method"] == "POST"
    assert "Traceback" not in proxy.stderr_tail()


def test_the_admitted_client_keeps_its_websocket_recorded(proxy_factory: Factory) -> None:
    segments: list[SegmentInfo] = []
    proxy = proxy_factory(on_segment=segments.append)
    proxy.start()
    replies = websocket_exchange(proxy, SHOP, ["你好"], b"\x00\x01")
    assert replies == ["echo: 你好", b"echo: \x00\x01"]
    records = read_records(segment_files(proxy.stop()))
    messages = [r for r in records if r.get("Quzheng-Message-Protocol") == "websocket"]
    assert len(messages) == 4
    assert proxy.refused_count == 0


def test_the_child_does_not_start_without_a_secret(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-m", "forensics.capture.proxy", "--work-dir", str(tmp_path / "w"),
         "--confdir", str(tmp_path / "c")],
        input="short\n", capture_output=True, text=True, timeout=60, cwd=root,
    )  # fmt: skip
    assert result.returncode == 2
    event = json.loads(result.stdout.splitlines()[0])
    assert event["event"] == "error" and event["fatal"] is True
    assert "secret" in event["message"]


@pytest.mark.parametrize("header", ["Basic !!!", "Digest abc", "Basic " + "eA=="])
def test_malformed_credentials_are_refused(proxy_factory: Factory, header: str) -> None:
    proxy = proxy_factory()
    proxy.start()
    reply = raw_request(
        proxy.port,
        f"CONNECT {SHOP}:443 HTTP/1.1\r\nProxy-Authorization: {header}\r\n\r\n".encode(),
    )
    assert reply.startswith(b"HTTP/1.1 407")
    assert b'Proxy-Authenticate: Basic realm="quzheng-capture"' in reply
    deadline = time.monotonic() + 10
    while proxy.refused_count < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proxy.refusals[0]["credentials"] == "wrong"
    proxy.stop()


# ---- the browser's own background requests (Chromium's browser process, no credentials)

BACKGROUND_PATH = "/service/update2/json?cup2key=13:bg-5d1e77"
UPDATE_BODY = b'{"request":{"protocol":"3.1","app":[{"appid":"bg-5d1e77-app"}]}}'


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def background_requests(port: int, authorization: str | None) -> list[bytes]:
    """What Chromium 156's browser process sends at launch (measured), each on a
    connection of its own: CONNECT accounts.google.com:443, CONNECT
    update.googleapis.com:443, POST http://update.googleapis.com/service/update2/json."""
    auth = f"Proxy-Authorization: {authorization}\r\n" if authorization else ""
    replies = []
    for host in ("accounts.google.com", "update.googleapis.com"):
        replies.append(
            raw_request(
                port,
                f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n{auth}\r\n".encode(),
            )
        )
    head = (
        f"POST http://update.googleapis.com{BACKGROUND_PATH} HTTP/1.1\r\n"
        f"Host: update.googleapis.com\r\n{auth}Content-Type: application/json\r\n"
        f"Content-Length: {len(UPDATE_BODY)}\r\n\r\n"
    )
    replies.append(raw_request(port, head.encode() + UPDATE_BODY))
    return replies


def test_the_browsers_own_background_requests_are_refused_but_no_intruder(
    proxy_factory: Factory,
) -> None:
    segments: list[SegmentInfo] = []
    told: list[dict[str, object]] = []
    proxy = proxy_factory(on_segment=segments.append, on_refused=told.append)
    proxy.start()
    assert fetch(proxy, SHOP, "/").status == 200  # the browser's page traffic
    for reply in background_requests(proxy.port, None):
        assert reply.startswith(b"HTTP/1.1 407"), reply[:80]
        assert b'Proxy-Authenticate: Basic realm="quzheng-capture"' in reply
    wait_for(lambda: proxy.background_count >= 3)
    # Refused, counted apart, nobody told.
    assert proxy.background_count == 3
    assert proxy.refused_count == 0 and proxy.refusals == [] and told == []
    first = proxy.background_refusals
    assert [(r["method"], r["host"]) for r in first] == [
        ("CONNECT", "accounts.google.com:443"),
        ("CONNECT", "update.googleapis.com:443"),
        ("POST", "update.googleapis.com:80"),
    ]
    assert all(r["n"] == i + 1 and isinstance(r["time"], str) for i, r in enumerate(first))
    assert "bg-5d1e77" not in json.dumps(first)  # the authority only, never the path

    # The same hosts with WRONG credentials: intruders.
    wrong = "Basic " + base64.b64encode(f"{PROXY_USER}:{'x' * 43}".encode()).decode()
    for reply in background_requests(proxy.port, wrong):
        assert reply.startswith(b"HTTP/1.1 407"), reply[:80]
    # And without credentials to any other host: an intruder too.
    assert raw_request(
        proxy.port, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
    ).startswith(b"HTTP/1.1 407")
    # Nor is a vendor host on another port the browser's background service.
    assert raw_request(proxy.port, b"CONNECT accounts.google.com:8443 HTTP/1.1\r\n\r\n").startswith(
        b"HTTP/1.1 407"
    )
    wait_for(lambda: proxy.refused_count >= 5 and len(told) >= 5)
    segs = proxy.stop()

    assert proxy.background_count == 3
    assert proxy.refused_count == 5 and len(told) == 5
    assert [(r["credentials"], r["method"], r["host"]) for r in proxy.refusals] == [
        ("wrong", "CONNECT", "accounts.google.com:443"),
        ("wrong", "CONNECT", "update.googleapis.com:443"),
        ("wrong", "POST", "update.googleapis.com:80"),
        ("none", "CONNECT", "example.com:443"),
        ("none", "CONNECT", "accounts.google.com:8443"),
    ]
    assert [t["n"] for t in told] == [1, 2, 3, 4, 5]
    # Nothing of any of them is in the WARC: no request, response or error record.
    everything = warc_bytes(segs)
    assert f"https://{SHOP}/".encode() in everything
    for needle in (b"bg-5d1e77", b"google", b"example.com"):
        assert needle not in everything, needle
    events = list(proxy.events(timeout=1))
    assert sum(e.get("event") == "background" for e in events) == 3
    assert "Traceback" not in proxy.stderr_tail()


def test_a_flood_of_background_requests_is_counted_not_listed(proxy_factory: Factory) -> None:
    proxy = proxy_factory()
    proxy.start()
    attempts = 40
    for _ in range(attempts):
        reply = raw_request(proxy.port, b"CONNECT update.googleapis.com:443 HTTP/1.1\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 407"), reply[:80]
    proxy.stop()
    events = [e for e in proxy.events(timeout=1) if e.get("event") == "background"]
    assert proxy.background_count == attempts and proxy.refused_count == 0
    assert len(proxy.background_refusals) == MAX_DETAILED
    assert MAX_DETAILED < len(events) < attempts
    assert events[-1]["n"] == attempts


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("accounts.google.com", 443, True),
        ("Update.GoogleAPIs.com.", 80, True),
        ("clients2.google.com", 443, True),
        ("redirector.gvt1.com", 443, True),
        ("r4---sn-4g5e6nsz.gvt1.com", 443, True),
        ("edge.microsoft.com", 443, True),
        ("config.edge.skype.com", 443, True),
        ("a-0003.a-msedge.net", 443, False),  # not below .msedge.net
        ("l-0007.l.msedge.net", 443, True),
        ("gvt1.com", 443, False),  # a suffix entry covers names below it only
        ("accounts.google.com", 8443, False),
        ("www.google.com", 443, False),
        ("www.googleapis.com", 443, False),
        ("evilaccounts.google.com", 443, False),
        ("accounts.google.com.evil.example", 443, False),
        ("evilgvt1.com", 443, False),
        ("microsoft.com", 443, False),
        ("", 443, False),
        (".gvt1.com", 443, False),
    ],
)
def test_background_host_list(host: str, port: int, expected: bool) -> None:
    assert is_browser_background_host(host, port) is expected


def test_the_background_host_list_is_tight() -> None:
    assert all(h == h.lower().strip() and h.count(".") >= 1 for h in BROWSER_BACKGROUND_HOSTS)
    suffixes = {h for h in BROWSER_BACKGROUND_HOSTS if h.startswith(".")}
    # Only vendor-specific domains as suffixes: never a whole company domain.
    assert suffixes == {".gvt1.com", ".msedge.net"}
