"""``proxy_findings``: what ``session.end`` says about the recording proxy's refusals, with
the real proxy child. Another program is an intruder (``proxy-client-refused``); the
capture browser's own background requests to its vendor's services are no intruder
(``browser-background-refused``, informational) and nobody is alerted for them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from app.capture.proxy_watch import (
    BACKGROUND_REFUSED_EN,
    BACKGROUND_REFUSED_ZH,
    PROXY_REFUSED_EN,
    PROXY_REFUSED_ZH,
    proxy_findings,
)
from forensics.capture.controller import RecordingProxy
from tests.forensics.capture.conftest import (  # noqa: F401 - fixtures
    evil_upstream,
    pki,
    proxy_factory,
    upstream,
)

Factory = Callable[..., RecordingProxy]


def refused(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        assert sock.recv(4096).startswith(b"HTTP/1.1 407")


def test_no_refusals_no_findings(proxy_factory: Factory) -> None:  # noqa: F811
    assert proxy_findings(None) == []
    proxy = proxy_factory()
    proxy.start()
    proxy.stop()
    assert proxy_findings(proxy) == []


def test_background_requests_are_an_informational_finding_of_their_own(
    proxy_factory: Factory,  # noqa: F811
) -> None:
    told: list[dict[str, object]] = []
    proxy = proxy_factory(on_refused=told.append)
    proxy.start()
    for _ in range(2):
        refused(proxy.port, b"CONNECT accounts.google.com:443 HTTP/1.1\r\n\r\n")
    refused(proxy.port, b"CONNECT update.googleapis.com:443 HTTP/1.1\r\n\r\n")
    refused(
        proxy.port,
        b"POST http://update.googleapis.com/service/update2/json HTTP/1.1\r\n"
        b"Host: update.googleapis.com\r\nContent-Length: 2\r\n\r\n{}",
    )
    proxy.stop()

    (finding,) = proxy_findings(proxy)
    assert finding["kind"] == "browser-background-refused"
    assert finding["count"] == 4
    assert finding["hosts"] == [
        "accounts.google.com:443",
        "update.googleapis.com:443",
        "update.googleapis.com:80",
    ]
    assert BACKGROUND_REFUSED_EN in finding["en"] and "(4 request(s))" in finding["en"]
    assert BACKGROUND_REFUSED_ZH in finding["zh"] and "（4 次）" in finding["zh"]
    assert PROXY_REFUSED_EN not in finding["en"] and PROXY_REFUSED_ZH not in finding["zh"]
    assert told == []  # the officer is not alerted


def test_intruders_and_background_requests_are_two_findings(
    proxy_factory: Factory,  # noqa: F811
) -> None:
    told: list[dict[str, object]] = []
    proxy = proxy_factory(on_refused=told.append)
    proxy.start()
    refused(proxy.port, b"CONNECT update.googleapis.com:443 HTTP/1.1\r\n\r\n")
    refused(proxy.port, b"CONNECT example.com:443 HTTP/1.1\r\n\r\n")
    refused(
        proxy.port,
        b"CONNECT accounts.google.com:443 HTTP/1.1\r\n"
        b"Proxy-Authorization: Basic cXV6aGVuZzp3cm9uZw==\r\n\r\n",
    )
    deadline = time.monotonic() + 10
    while len(told) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    proxy.stop()

    intruders, background = proxy_findings(proxy)
    assert intruders["kind"] == "proxy-client-refused" and intruders["count"] == 2
    assert [(f["credentials"], f["host"]) for f in intruders["first"]] == [
        ("none", "example.com:443"),
        ("wrong", "accounts.google.com:443"),
    ]
    assert PROXY_REFUSED_EN in intruders["en"] and PROXY_REFUSED_ZH in intruders["zh"]
    assert background["kind"] == "browser-background-refused" and background["count"] == 1
    assert background["hosts"] == ["update.googleapis.com:443"]
    assert [t["host"] for t in told] == ["example.com:443", "accounts.google.com:443"]
