"""The traffic index: server IPs and certificates of a page's host, from sealed WARC."""

from __future__ import annotations

import threading
from pathlib import Path

from app.capture.traffic import TrafficIndex, host_port, normalize_url
from tests.app.capture.warcs import write_segment

TLS = {
    "kind": "tls-server-certificate",
    "host": "shop.range.test",
    "port": 8443,
    "ip": "127.0.0.1",
    "sni": "shop.range.test",
    "tls_version": "TLSv1.3",
    "cipher": "TLS_AES_256_GCM_SHA384",
    "validation": {"verified": True, "error": None},
    "chain": [
        {"subject": "CN=*.range.test", "issuer": "CN=Range CA", "sha256": "ab" * 32, "pem": "…"},
        {"subject": "CN=Range CA", "issuer": "CN=Range CA", "sha256": "cd" * 32},
    ],
    "time": "2026-11-28T19:30:01.000000Z",
}


def test_normalize_url() -> None:
    assert (
        normalize_url("HTTPS://Shop.Range.Test:443/a?b=1#frag") == "https://shop.range.test/a?b=1"
    )
    assert normalize_url("https://shop.range.test:8443") == "https://shop.range.test:8443/"
    assert host_port("https://shop.range.test/x") == ("shop.range.test", 443)
    assert host_port("http://a.test:8080/") == ("a.test", 8080)


def test_server_info_from_sealed_segments(tmp_path: Path) -> None:
    index = TrafficIndex()
    page = "https://shop.range.test:8443/item/1"
    first = write_segment(
        tmp_path, "aaaa11112222", [(page, "127.0.0.1", b"<html>1</html>")], tls=[TLS]
    )
    index.add_segment(first)
    info = index.server_info(page + "#reviews")
    assert info["ip"] == "127.0.0.1" and info["ips"] == ["127.0.0.1"] and info["status"] == 200
    assert info["traffic_segments"] == [first.name]
    tls = info["tls"]
    assert tls["verified"] is True and tls["leaf"]["subject"] == "CN=*.range.test"
    assert tls["chain_sha256"] == ["ab" * 32, "cd" * 32] and "pem" not in tls["leaf"]
    # A later load from another address: the newest response answers, every IP is listed.
    second = write_segment(tmp_path, "cccc11112222", [(page, "10.0.0.7", b"<html>2</html>")])
    index.add_segment(second)
    info = index.server_info(page)
    assert info["ip"] == "10.0.0.7" and info["ips"] == ["10.0.0.7", "127.0.0.1"]
    assert info["traffic_segments"] == sorted([first.name, second.name])
    assert info["tls"]["segment"] == first.name  # the certificate record stays known


def test_unknown_url_says_so(tmp_path: Path) -> None:
    info = TrafficIndex().server_info("https://elsewhere.test/")
    assert info["ip"] is None and info["tls"] is None
    assert "no response" in info["note_en"] and "tls_note_en" in info


def test_wait_for_a_segment(tmp_path: Path) -> None:
    index = TrafficIndex()
    seg = write_segment(tmp_path, "bbbb11112222", [("https://a.test/", "127.0.0.1", b"x")])
    assert not index.wait_for(lambda: index.has_response("https://a.test/"), 0.05)
    threading.Timer(0.1, index.add_segment, args=(seg,)).start()
    assert index.wait_for(lambda: index.has_response("https://a.test/"), 5.0)
    assert "https://a.test/" in index.response_urls()
