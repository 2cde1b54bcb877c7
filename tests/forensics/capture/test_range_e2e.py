"""End to end against the practice range: the shop over TLS and a live HLS session."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from forensics.capture.controller import RecordingProxy, SegmentInfo
from tests.forensics.capture.conftest import fetch
from tests.forensics.capture.test_proxy import check_with_warcio, read_records

range_pkg = pytest.importorskip("forensics.range", reason="the practice range is not built yet")
RangeServer = range_pkg.RangeServer
DOMAIN: str = range_pkg.DOMAIN
SHOP: str = range_pkg.SHOP_HOST
LIVE: str = range_pkg.LIVE_HOST
API: str = range_pkg.API_HOST
IMG: str = range_pkg.IMG_HOST


class Clock:
    """The range's live stream follows this clock; the test moves it by hand."""

    def __init__(self) -> None:
        self._t = 1_767_225_600.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._t += seconds


@pytest.fixture(scope="module")
def the_range(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Clock]]:
    clock = Clock()
    with RangeServer(tmp_path_factory.mktemp("range"), seed=2026, port=0, now=clock) as server:
        yield server, clock


def _proxy(tmp_path: Path, server: object, segments: list[SegmentInfo]) -> RecordingProxy:
    return RecordingProxy(
        tmp_path / "work",
        tmp_path / "conf",
        map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},  # type: ignore[attr-defined]
        upstream_cas=[server.ca_cert_path],  # type: ignore[attr-defined]
        operator="测试员 (TEST-0001)",
        on_segment=segments.append,
    )


def _direct(server: object, host: str, path: str) -> bytes:
    """The same request straight to the range, with the Host header the proxy would send."""
    from forensics.range.client import RangeConnection, client_context

    conn = RangeConnection(host, server.port, client_context(server.ca_cert_path))  # type: ignore[attr-defined]
    try:
        conn.request("GET", path, headers={"Host": host})
        return conn.getresponse().read()
    finally:
        conn.close()


def test_shop_pages_recorded_byte_identical(
    the_range: tuple[object, Clock], tmp_path: Path
) -> None:
    server, _clock = the_range
    segments: list[SegmentInfo] = []
    received: dict[str, bytes] = {}
    with _proxy(tmp_path, server, segments) as proxy:
        for host, path in (
            (SHOP, "/"),
            (SHOP, "/licence"),
            (SHOP, "/list"),
            (API, "/v1/products"),
            (IMG, "/logo.png"),
        ):
            got = fetch(proxy, host, path)
            assert got.status == 200, (host, path)
            received[f"https://{host}{path}"] = got.body
    paths = [s.path for s in segments]
    check_with_warcio(paths)
    records = read_records(paths)
    for url, body in received.items():
        (resp,) = [r for r in records if r.rtype == "response" and r.get("WARC-Target-URI") == url]
        assert resp.payload == body
        assert resp.get("WARC-Payload-Digest") == "sha256:" + hashlib.sha256(body).hexdigest()
    assert received[f"https://{SHOP}/"] == _direct(server, SHOP, "/")
    assert received[f"https://{IMG}/logo.png"] == _direct(server, IMG, "/logo.png")
    tls = [r for r in records if r.get("Quzheng-Metadata") == "tls-server-certificate"]
    assert {json.loads(r.payload)["host"] for r in tls} == {SHOP, API, IMG}
    for record in tls:
        info = json.loads(record.payload)
        assert info["validation"]["verified"] is True and info["mapped"] is True
        assert info["port"] == 443 and info["connected_to"].startswith("127.0.0.1:")


def test_live_hls_session_has_every_segment(
    the_range: tuple[object, Clock], tmp_path: Path
) -> None:
    server, clock = the_range
    segments: list[SegmentInfo] = []
    seen: dict[int, str] = {}
    with _proxy(tmp_path, server, segments) as proxy:
        for _ in range(6):
            playlist = fetch(proxy, LIVE, "/hls/live.m3u8")
            assert playlist.status == 200
            for n in map(int, re.findall(r"^seg/(\d+)\.ts$", playlist.body.decode(), re.M)):
                if n not in seen:
                    got = fetch(proxy, LIVE, f"/hls/seg/{n}.ts")
                    assert got.status == 200 and got.body[:1] == b"\x47"  # MPEG-TS sync
                    seen[n] = hashlib.sha256(got.body).hexdigest()
            clock.advance(2.0)  # one segment of stream time per poll
    numbers = sorted(seen)
    assert numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) >= 6
    paths = [s.path for s in segments]
    check_with_warcio(paths)
    recorded: dict[int, str] = {}
    for rec in read_records(paths, keep=0):
        m = re.search(r"/hls/seg/(\d+)\.ts$", rec.get("WARC-Target-URI") or "")
        if rec.rtype == "response" and m:
            recorded[int(m[1])] = rec.payload_sha256
    assert recorded == seen  # every segment the player got, byte for byte, no gaps
    n = numbers[0]
    assert seen[n] == hashlib.sha256(_direct(server, LIVE, f"/hls/seg/{n}.ts")).hexdigest()
