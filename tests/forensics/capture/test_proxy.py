"""End to end: the real recording proxy child process, a real TLS upstream, real clients."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.capture.har import warc_to_har
from forensics.capture.recover import recover_open_segments
from forensics.errors import CaptureError
from tests.forensics.capture.conftest import (
    EVIL_SUFFIX,
    PAGE,
    UPSTREAM_SUFFIX,
    Pki,
    big_body,
    fetch,
    fetch_h2,
    rss_bytes,
    warcio_cli,
    websocket_exchange,
)

Factory = Callable[..., RecordingProxy]
SHOP = f"shop.{UPSTREAM_SUFFIX}"


@dataclass
class Rec:
    rtype: str
    headers: list[tuple[str, str]]
    http_headers: list[tuple[str, str]]
    status_line: str
    payload: bytes
    payload_sha256: str
    payload_len: int
    file: str

    def get(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def read_records(paths: list[Path], keep: int = 4 << 20) -> list[Rec]:
    """Every record, verifying digests as warcio streams them; payloads kept up to ``keep``."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for path in paths:
        with path.open("rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                h = hashlib.sha256()
                kept = bytearray()
                total = 0
                while data := record.raw_stream.read(1 << 20):
                    h.update(data)
                    total += len(data)
                    if len(kept) < keep:
                        kept += data
                http = record.http_headers
                out.append(
                    Rec(
                        rtype=record.rec_type,
                        headers=list(record.rec_headers.headers),
                        http_headers=list(http.headers) if http else [],
                        status_line=(http.protocol + " " + http.statusline) if http else "",
                        payload=bytes(kept),
                        payload_sha256=h.hexdigest(),
                        payload_len=total,
                        file=path.name,
                    )
                )
    return out


def check_with_warcio(paths: list[Path]) -> None:
    for path in paths:
        result = warcio_cli("check", "-v", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "digest pass" in result.stdout
        index = warcio_cli("index", "-f", "warc-type,warc-target-uri,offset,length", str(path))
        assert index.returncode == 0, index.stderr
        lines = [json.loads(line) for line in index.stdout.splitlines()]
        assert lines[0]["warc-type"] == "warcinfo"
        # The WACZ-style CDXJ index: only real HTTP captures may answer for an http(s) URL
        # (our metadata records must not shadow a page at replay time).
        exe = Path(sys.executable).with_name("cdxj-indexer")
        cdxj = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=120)
        assert cdxj.returncode == 0, cdxj.stderr
        for line in cdxj.stdout.splitlines():
            entry = json.loads(line.split(" ", 2)[2])
            if entry.get("url", "").startswith(("http://", "https://")):
                assert "status" in entry, entry


@dataclass
class Collected:
    segments: list[SegmentInfo] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, info: SegmentInfo) -> None:
        with self.lock:
            self.segments.append(info)


@pytest.fixture
def collected() -> Iterator[Collected]:
    yield Collected()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def responses_for(records: list[Rec], url: str) -> list[Rec]:
    return [r for r in records if r.rtype == "response" and r.get("WARC-Target-URI") == url]


# --------------------------------------------------------------------------- tests


def test_every_response_recorded_byte_exact_with_digests(
    proxy_factory: Factory, collected: Collected
) -> None:
    proxy = proxy_factory(on_segment=collected)
    with proxy:
        disclosure = proxy.disclosure
        page = fetch(proxy, SHOP, "/", headers={"Cookie": "sid=officer-own"})
        chunked = fetch(proxy, SHOP, "/chunked/300000")
        sized = fetch(proxy, SHOP, "/bytes/2000000")
        posted = fetch(
            proxy,
            SHOP,
            "/echo",
            method="POST",
            body=b"form=1&q=%E5%81%87",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        cookie = fetch(proxy, f"login.{UPSTREAM_SUFFIX}", "/cookie")
        missing = fetch(proxy, SHOP, "/nope", headers={"Authorization": "Bearer secret"})
    assert proxy.returncode == 0
    assert page.body == PAGE and chunked.body == big_body(300000)
    assert sized.body == big_body(2000000) and posted.body == b"form=1&q=%E5%81%87"
    assert missing.status == 404 and cookie.status == 200

    # Disclosure (§B3): version, loopback address, CA fingerprint, addon code hash.
    assert disclosure["mitmproxy"] == "12.3.1"
    assert str(disclosure["listen"]).startswith("127.0.0.1:")
    assert proxy.ca is not None and disclosure["ca_sha256"] == proxy.ca.sha256
    assert len(str(disclosure["addon_sha256"])) == 64

    paths = [s.path for s in collected.segments]
    assert paths and all(p.exists() and p.name.endswith(".warc.gz") for p in paths)
    assert not list(paths[0].parent.glob("*.open"))
    check_with_warcio(paths)
    records = read_records(paths)

    served = {
        f"https://{SHOP}/": PAGE,
        f"https://{SHOP}/chunked/300000": big_body(300000),
        f"https://{SHOP}/bytes/2000000": big_body(2000000),
        f"https://{SHOP}/echo": b"form=1&q=%E5%81%87",
        f"https://login.{UPSTREAM_SUFFIX}/cookie": b'{"ok": true}',
        f"https://{SHOP}/nope": b"not found",
    }
    by_id = {r.get("WARC-Record-ID"): r for r in records}
    for url, body in served.items():
        (resp,) = responses_for(records, url)
        assert resp.payload == body, url
        assert resp.get("WARC-Payload-Digest") == "sha256:" + hashlib.sha256(body).hexdigest()
        assert resp.get("WARC-IP-Address") == "127.0.0.1"
        assert resp.all("WARC-Protocol") == ["http/1.1", "tls/1.3"]
        assert (resp.get("WARC-Cipher-Suite") or "").startswith("TLS_")
        date = resp.get("WARC-Date") or ""
        assert len(date) == len("2026-11-28T19:30:01.123456Z") and date.endswith("Z")
        req = by_id[resp.get("WARC-Concurrent-To")]
        assert req.rtype == "request" and req.get("WARC-Concurrent-To") == resp.get(
            "WARC-Record-ID"
        )
    (post_req,) = [r for r in records if r.rtype == "request" and r.status_line.startswith("POST")]
    assert post_req.payload == b"form=1&q=%E5%81%87"
    (chunked_resp,) = responses_for(records, f"https://{SHOP}/chunked/300000")
    names = [k.lower() for k, _ in chunked_resp.http_headers]
    assert "transfer-encoding" not in names and "x-archive-orig-transfer-encoding" in names

    # The upstream certificate chain and its validation, before the exchanges.
    tls = [r for r in records if r.get("Quzheng-Metadata") == "tls-server-certificate"]
    assert tls
    info = json.loads(tls[0].payload)
    assert info["validation"]["verified"] is True and info["chain"][0]["pem"].startswith("-----")
    assert tls[0].get("Quzheng-Validation") == "verified"
    assert tls[0].get("WARC-Target-URI") == f"urn:quzheng:tls-server:{SHOP}:443"

    # Warcinfo: operator, software versions, host, proxy disclosure.
    warcinfo = next(r for r in records if r.rtype == "warcinfo").payload.decode()
    assert "operator: 测试员 (TEST-0001)" in warcinfo
    assert "mitmproxy-version: 12.3.1" in warcinfo and "quzheng-version:" in warcinfo
    assert f"addon-sha256: {disclosure['addon_sha256']}" in warcinfo
    assert "proxy-listen: 127.0.0.1:" in warcinfo and "hostname:" in warcinfo

    # The segment report: URLs, hosts, sensitive headers flagged (not removed).
    urls = {u for s in collected.segments for u in s.urls}
    assert set(served) <= urls
    hosts = {h for s in collected.segments for h in s.hosts}
    assert {SHOP, f"login.{UPSTREAM_SUFFIX}"} <= hosts
    flagged = {(u.url, h) for s in collected.segments for u in s.sensitive for h in u.headers}
    assert (f"https://{SHOP}/", "cookie") in flagged
    assert (f"https://{SHOP}/nope", "authorization") in flagged
    assert (f"https://login.{UPSTREAM_SUFFIX}/cookie", "set-cookie") in flagged
    data = collected.segments[0].ledger_data()
    assert data["segment"] == paths[0].name and data["urls"]

    # HAR export derived from the WARC.
    har_path = paths[0].parent / "capture.har"
    warc_to_har(paths, har_path)
    har = json.loads(har_path.read_text(encoding="utf-8"))
    assert har["log"]["version"] == "1.2"
    entries = har["log"]["entries"]
    assert len(entries) == len(served)
    for entry in entries:
        for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
            assert key in entry
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString"):
            assert key in entry["request"]
        for key in ("status", "statusText", "content", "redirectURL", "headersSize"):
            assert key in entry["response"]
    by_url = {e["request"]["url"]: e for e in entries}
    assert by_url[f"https://{SHOP}/"]["response"]["content"]["text"] == PAGE.decode()
    assert by_url[f"https://{SHOP}/"]["_quzheng"]["sensitive"] == ["cookie"]
    assert by_url[f"https://login.{UPSTREAM_SUFFIX}/cookie"]["response"]["cookies"][0] == {
        "name": "session",
        "value": "abc123",
        "path": "/",
        "httpOnly": True,
    }
    assert by_url[f"https://{SHOP}/echo"]["request"]["postData"]["text"] == "form=1&q=%E5%81%87"
    assert har["log"]["_quzheng"]["sensitive_entries"] == 3


def test_http2_is_stored_http11_style(proxy_factory: Factory, collected: Collected) -> None:
    with proxy_factory(on_segment=collected) as proxy:
        status, body, alpn = fetch_h2(proxy, SHOP, "/bytes/100000")
    assert (status, alpn) == (200, "h2") and body == big_body(100000)
    records = read_records([s.path for s in collected.segments])
    (resp,) = responses_for(records, f"https://{SHOP}/bytes/100000")
    assert resp.status_line == "HTTP/1.1 200 OK"
    assert resp.all("WARC-Protocol") == ["h2", "tls/1.3"]
    assert resp.payload == body
    (req,) = [r for r in records if r.rtype == "request"]
    assert req.status_line == "GET /bytes/100000 HTTP/1.1"
    assert ("Host", SHOP) in req.http_headers  # from :authority (RFC 9113 §8.3.1)
    check_with_warcio([s.path for s in collected.segments])


def test_websocket_messages_recorded(proxy_factory: Factory, collected: Collected) -> None:
    with proxy_factory(on_segment=collected) as proxy:
        replies = websocket_exchange(
            proxy, f"live.{UPSTREAM_SUFFIX}", ["你好", "bid 42"], b"\x00\x01"
        )
    assert replies == ["echo: 你好", "echo: bid 42", b"echo: \x00\x01"]
    records = read_records([s.path for s in collected.segments])
    (handshake,) = [r for r in records if r.rtype == "response"]
    assert handshake.status_line.startswith("HTTP/1.1 101")
    messages = [r for r in records if r.get("Quzheng-Message-Protocol") == "websocket"]

    def direction(d: str) -> list[bytes]:
        return [m.payload for m in messages if m.get("Quzheng-Message-Direction") == d]

    # Each direction in order (the two directions interleave as the network decides).
    assert direction("client-to-server") == ["你好".encode(), b"bid 42", b"\x00\x01"]
    assert direction("server-to-client") == [
        "echo: 你好".encode(),
        b"echo: bid 42",
        b"echo: \x00\x01",
    ]
    assert all(m.rtype == "resource" for m in messages)
    assert all(m.get("WARC-Concurrent-To") == handshake.get("WARC-Record-ID") for m in messages)
    types = {m.payload: m.get("Content-Type") for m in messages}
    assert types["你好".encode()] == "text/plain; charset=utf-8"
    assert types[b"\x00\x01"] == "application/octet-stream"
    assert messages[0].get("WARC-Target-URI") == f"wss://live.{UPSTREAM_SUFFIX}/ws"
    check_with_warcio([s.path for s in collected.segments])


def test_untrusted_upstream_certificate_is_recorded_and_refused(
    proxy_factory: Factory, collected: Collected
) -> None:
    proxy = proxy_factory(on_segment=collected)
    with proxy:
        with pytest.raises(OSError):  # ssl.SSLError or a 502: never the page
            result = fetch(proxy, f"shop.{EVIL_SUFFIX}", "/")
            if result.status >= 500:
                raise OSError(f"proxy answered {result.status}")
        fetch(proxy, SHOP, "/")  # the proxy keeps working for good sites
    records = read_records([s.path for s in collected.segments])
    failed = [r for r in records if r.get("Quzheng-Validation") == "failed"]
    assert failed, [r.get("Quzheng-Metadata") for r in records]
    info = json.loads(failed[0].payload)
    assert info["host"] == f"shop.{EVIL_SUFFIX}"
    assert info["validation"]["verified"] is False
    assert "certificate verify failed" in info["validation"]["error"].lower()
    assert info["chain"] and "Untrusted test CA" in info["chain"][0]["issuer"]
    assert not responses_for(records, f"https://shop.{EVIL_SUFFIX}/")
    assert responses_for(records, f"https://{SHOP}/")


def _other_local_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for UDP connect
            addr: str = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def test_proxy_refuses_anything_but_loopback(proxy_factory: Factory) -> None:
    with proxy_factory() as proxy:
        assert proxy.disclosure["listen"] == f"127.0.0.1:{proxy.port}"
        listening = Path("/proc/net/tcp")
        if listening.exists():
            # The kernel's own table: the socket is bound to 127.0.0.1, not 0.0.0.0.
            port_hex = f"{proxy.port:04X}"
            local = [
                line.split()[1]
                for line in listening.read_text().splitlines()[1:]
                if line.split()[1].endswith(":" + port_hex) and line.split()[3] == "0A"
            ]
            assert local == [f"0100007F:{port_hex}"]
        other = _other_local_address()
        if other is not None:
            with pytest.raises(OSError):
                socket.create_connection((other, proxy.port), timeout=3).close()
        fetch(proxy, SHOP, "/")  # loopback works


def test_addon_refuses_non_loopback_peer() -> None:
    """The second wall: even if a socket were ever bound wider, the addon drops the client."""
    from forensics.capture.addon import RecordingAddon

    events: list[dict[str, object]] = []

    class Writer:
        failed = threading.Event()

    class Client:
        def __init__(self, peer: str) -> None:
            self.peername = (peer, 50000)
            self.error: str | None = None

    addon = RecordingAddon(Writer(), events.append, {})  # type: ignore[arg-type]
    outsider, local, local6 = Client("192.168.1.20"), Client("127.0.0.1"), Client("::1")
    for client in (outsider, local, local6):
        addon.client_connected(client)
    assert outsider.error and "loopback" in outsider.error
    assert local.error is None and local6.error is None
    assert events == [{"event": "warning", "kind": "non-loopback-client", "peer": "192.168.1.20"}]


def test_segments_roll_by_size_by_time_and_on_request(
    proxy_factory: Factory, collected: Collected
) -> None:
    limit = 300_000
    with proxy_factory(on_segment=collected, segment_bytes=limit, segment_seconds=1.0) as proxy:
        for _ in range(4):
            fetch(proxy, SHOP, "/bytes/120000")
        wait_for(lambda: len(collected.segments) >= 1)  # events arrive on the reader thread
        size_rolled = len(collected.segments)
        time.sleep(1.6)  # the writer closes a segment older than 1 s without new traffic
        deadline = time.monotonic() + 5
        while len(collected.segments) == size_rolled and time.monotonic() < deadline:
            time.sleep(0.05)
        time_rolled = len(collected.segments)
        fetch(proxy, SHOP, "/")
        proxy.roll()
        deadline = time.monotonic() + 5
        while len(collected.segments) == time_rolled and time.monotonic() < deadline:
            time.sleep(0.05)
        rolled_on_request = len(collected.segments)
        fetch(proxy, SHOP, "/")
    assert size_rolled >= 1
    assert time_rolled == size_rolled + 1
    assert rolled_on_request == time_rolled + 1
    assert len(collected.segments) == rolled_on_request + 1  # closed at stop
    paths = [s.path for s in collected.segments]
    assert len(set(paths)) == len(paths)
    for info in collected.segments[:size_rolled]:
        assert info.path.stat().st_size <= limit + 130_000  # one record may cross the line
    check_with_warcio(paths)
    records = read_records(paths)
    assert len(responses_for(records, f"https://{SHOP}/bytes/120000")) == 4
    # Every segment that holds an exchange also holds the TLS record of its connection.
    for path in paths:
        recs = [r for r in records if r.file == path.name]
        if any(r.rtype == "response" for r in recs):
            assert any(r.get("Quzheng-Metadata") == "tls-server-certificate" for r in recs)


NO_PROC = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads memory use from /proc (Linux)"
)


@NO_PROC
def test_memory_stays_flat_for_a_large_body(proxy_factory: Factory, collected: Collected) -> None:
    size = 200 * 1024 * 1024
    samples: list[int] = []
    with proxy_factory(on_segment=collected) as proxy:
        fetch(proxy, SHOP, "/bytes/1000")  # warm up: TLS, certificate generation
        baseline = rss_bytes(proxy.pid)

        def sample(_got: int) -> None:
            if len(samples) < 100_000:
                samples.append(rss_bytes(proxy.pid))

        digest = hashlib.sha256()
        got = fetch(proxy, SHOP, f"/bytes/{size}", on_progress=sample)
        digest.update(got.body)
        peak = rss_bytes(proxy.pid, "VmHWM")
    assert len(got.body) == size
    del got
    assert max(samples) - baseline < 80 * 1024 * 1024, (baseline, max(samples))
    assert peak < 300 * 1000 * 1000
    (resp,) = [
        r
        for r in read_records([s.path for s in collected.segments], keep=0)
        if r.rtype == "response" and (r.get("WARC-Target-URI") or "").endswith(f"/bytes/{size}")
    ]
    assert resp.payload_len == size
    assert resp.get("WARC-Payload-Digest") == "sha256:" + digest.hexdigest()


def test_sigkill_during_large_download_is_recovered(
    proxy_factory: Factory, collected: Collected, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    proxy = proxy_factory(on_segment=collected, work_dir=work)
    received: list[int] = []
    killed = threading.Event()
    with proxy:
        fetch(proxy, SHOP, "/")  # one complete exchange before the crash

        def progress(got: int) -> None:
            received.append(got)
            if got >= 8 * 1024 * 1024 and not killed.is_set():
                killed.set()
                proxy.kill()

        try:
            got = fetch(proxy, SHOP, f"/slow/{100 * 1024 * 1024}", on_progress=progress)
        except (OSError, ValueError):  # http.client may or may not notice the short body
            pass
        else:
            assert len(got.body) < 100 * 1024 * 1024
    assert killed.is_set() and proxy.returncode == -9
    assert not collected.segments  # nothing was closed: everything is in the open segment
    assert list(work.glob("*.warc.gz.open"))

    recovered = recover_open_segments(work)
    assert len(recovered) == 1 and recovered[0].name.endswith("-recovered.warc.gz")
    assert not list(work.glob("*.open")) and not list(work.glob(".spool-*"))
    check_with_warcio(recovered)
    records = read_records(recovered, keep=16 << 20)
    assert responses_for(records, f"https://{SHOP}/")[0].payload == PAGE
    (partial,) = responses_for(records, f"https://{SHOP}/slow/{100 * 1024 * 1024}")
    assert partial.get("WARC-Truncated") == "unspecified"
    assert 0 < partial.payload_len < 100 * 1024 * 1024
    assert partial.payload == big_body(len(partial.payload))  # a true prefix of what was sent
    (report,) = [r for r in records if r.get("Quzheng-Metadata") == "recovery"]
    meta = json.loads(report.payload)
    assert meta["salvaged"] and meta["damaged_file"].endswith(".warc.gz.open")
    assert recover_open_segments(work) == []  # idempotent


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_fail_closed_when_evidence_cannot_be_written(
    proxy_factory: Factory, collected: Collected
) -> None:
    # RLIMIT_FSIZE makes every write past 3 MB fail with EFBIG, as a full disk would.
    code = (
        "import resource, runpy, sys;"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000));"
        "runpy.run_module('forensics.capture.proxy', run_name='__main__', alter_sys=True)"
    )
    errors: list[CaptureError] = []
    proxy = proxy_factory(
        on_segment=collected, on_error=errors.append, command=[sys.executable, "-c", code]
    )
    with proxy:
        fetch(proxy, SHOP, "/")
        with pytest.raises((OSError, ValueError)):
            got = fetch(proxy, SHOP, f"/slow/{20 * 1024 * 1024}")
            if len(got.body) < 20 * 1024 * 1024:
                raise OSError("truncated")
        deadline = time.monotonic() + 10
        while proxy.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not proxy.running  # it stopped by itself
        with pytest.raises(OSError):
            fetch(proxy, SHOP, "/")  # and forwards nothing more
    assert proxy.returncode == 3
    assert errors and proxy.error is not None
    assert "can no longer be recorded" in proxy.error.message_en


def test_start_failure_is_a_clear_error(proxy_factory: Factory, pki: Pki, tmp_path: Path) -> None:
    proxy = proxy_factory(upstream_cas=[tmp_path / "missing-ca.pem"])
    with pytest.raises(CaptureError) as info:
        proxy.start()
    assert "upstream CA file not found" in info.value.message_en
    assert proxy.returncode == 2


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGTERM on Windows (stdin EOF is used)")
def test_sigterm_closes_the_open_segment_with_the_transfer_in_flight(
    proxy_factory: Factory, collected: Collected
) -> None:
    import signal

    proxy = proxy_factory(on_segment=collected)
    with proxy:
        fetch(proxy, SHOP, "/")
        killer = threading.Timer(1.0, lambda: __import__("os").kill(proxy.pid, signal.SIGTERM))
        killer.start()
        try:
            fetch(proxy, SHOP, f"/slow/{60 * 1024 * 1024}")
        except (OSError, ValueError):
            pass
        finally:
            killer.join()
        wait_for(lambda: not proxy.running, timeout=5)  # a graceful stop is quick
    assert proxy.returncode == 0
    assert proxy.stopped_event is not None and proxy.stopped_event["reason"] == "signal SIGTERM"
    records = read_records([s.path for s in collected.segments], keep=0)
    (cut,) = responses_for(records, f"https://{SHOP}/slow/{60 * 1024 * 1024}")
    assert cut.get("WARC-Truncated") in ("unspecified", "disconnect")
    assert 0 < cut.payload_len < 60 * 1024 * 1024
    assert f"https://{SHOP}/slow/{60 * 1024 * 1024}" in collected.segments[-1].urls


def test_events_stream_reports_listening_segment_and_stopped(proxy_factory: Factory) -> None:
    proxy = proxy_factory()
    with proxy:
        fetch(proxy, SHOP, "/")
    kinds = [e["event"] for e in proxy.events(timeout=5)]
    assert kinds[0] == "listening" and kinds[-1] == "stopped"
    assert "segment" in kinds
