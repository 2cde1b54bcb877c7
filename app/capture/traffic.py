"""What the recording proxy saw, indexed from the sealed WARC segments.

A capture's record must name the server IP and the TLS certificate of the page's host
(REQUIREMENTS §A3, §A5). The proxy writes both into its WARC segments — ``WARC-IP-Address``
on every response record and a ``tls-server-certificate`` metadata record per connection —
and reports nothing else about single exchanges. So the session indexes each segment once
it is sealed, and a capture asks the index about its URL. The answer comes from the sealed
traffic itself, and names the segments it came from, so anyone can check it in the WARC.

Thread-safe: segments are added on the sealer thread, questions come from task threads.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_url(url: str) -> str:
    """scheme://host[:port]/path?query, lower-case host, default port and fragment dropped."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)


@dataclass(frozen=True)
class ResponseSeen:
    ip: str | None
    status: int | None
    date: str
    segment: str


@dataclass
class HostSeen:
    ips: set[str] = field(default_factory=set)
    tls: dict[str, Any] | None = None
    tls_segment: str = ""


def _cert_summary(cert: dict[str, Any]) -> dict[str, Any]:
    keys = ("subject", "issuer", "serial", "sha256", "not_before", "not_after")
    return {k: cert.get(k) for k in keys if k in cert}


def tls_summary(payload: dict[str, Any], segment: str) -> dict[str, Any]:
    """The part of a ``tls-server-certificate`` record a capture entry repeats."""
    raw_chain = payload.get("chain")
    chain: list[Any] = raw_chain if isinstance(raw_chain, list) else []
    raw_validation = payload.get("validation")
    validation: dict[str, Any] = raw_validation if isinstance(raw_validation, dict) else {}
    leaf = chain[0] if chain and isinstance(chain[0], dict) else {}
    return {
        "host": payload.get("host"),
        "port": payload.get("port"),
        "ip": payload.get("ip"),
        "sni": payload.get("sni"),
        "tls_version": payload.get("tls_version"),
        "cipher": payload.get("cipher"),
        "alpn": payload.get("alpn"),
        "verified": validation.get("verified"),
        "validation_error": validation.get("error"),
        "mapped": payload.get("mapped"),
        "connected_to": payload.get("connected_to"),
        "leaf": _cert_summary(leaf) if isinstance(leaf, dict) else {},
        "chain_sha256": [c.get("sha256") for c in chain if isinstance(c, dict)],
        "seen": payload.get("time"),
        "segment": segment,
    }


class TrafficIndex:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._responses: dict[str, list[ResponseSeen]] = {}
        self._requests: set[str] = set()
        self._hosts: dict[tuple[str, int], HostSeen] = {}
        self.segments: list[str] = []

    # -- feeding --------------------------------------------------------------------------

    def add_segment(self, path: Path, name: str | None = None) -> None:
        """Index one closed WARC segment (reads headers and metadata records only)."""
        from warcio.archiveiterator import ArchiveIterator

        name = name or path.name
        responses: list[tuple[str, ResponseSeen]] = []
        requests: list[str] = []
        tls: list[dict[str, Any]] = []
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                rtype = record.rec_type
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if rtype == "response":
                    http = record.http_headers
                    status: int | None = None
                    if http is not None:
                        try:
                            status = int(http.get_statuscode())
                        except (TypeError, ValueError):
                            status = None
                    responses.append(
                        (
                            normalize_url(uri),
                            ResponseSeen(
                                record.rec_headers.get_header("WARC-IP-Address"),
                                status,
                                record.rec_headers.get_header("WARC-Date") or "",
                                name,
                            ),
                        )
                    )
                elif rtype == "request":
                    requests.append(normalize_url(uri))
                elif (
                    rtype == "metadata"
                    and record.rec_headers.get_header("Quzheng-Metadata")
                    == "tls-server-certificate"
                ):
                    try:
                        payload = json.loads(record.content_stream().read(1 << 20))
                    except ValueError:
                        continue
                    if isinstance(payload, dict):
                        tls.append(payload)
        with self._cond:
            for url, seen in responses:
                self._responses.setdefault(url, []).append(seen)
                if seen.ip:
                    self._hosts.setdefault(host_port(url), HostSeen()).ips.add(seen.ip)
            self._requests.update(requests)
            for payload in tls:
                host = str(payload.get("host") or "").lower()
                port = payload.get("port")
                if not host or not isinstance(port, int):
                    continue
                entry = self._hosts.setdefault((host, port), HostSeen())
                entry.tls = tls_summary(payload, name)
                entry.tls_segment = name
                if isinstance(payload.get("ip"), str):
                    entry.ips.add(payload["ip"])
            self.segments.append(name)
            self._cond.notify_all()

    # -- asking ---------------------------------------------------------------------------

    def has_response(self, url: str) -> bool:
        with self._cond:
            return normalize_url(url) in self._responses

    def response_urls(self) -> set[str]:
        with self._cond:
            return set(self._responses)

    def request_urls(self) -> set[str]:
        with self._cond:
            return set(self._requests)

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (not on the GUI thread) until ``predicate()`` holds or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def server_info(self, url: str) -> dict[str, Any]:
        """Server IP(s) and TLS certificate of ``url``'s host, as the sealed traffic shows."""
        key = normalize_url(url)
        host, port = host_port(url)
        with self._cond:
            seen = list(self._responses.get(key, []))
            hs = self._hosts.get((host, port))
            ips = sorted(hs.ips) if hs else []
            tls = dict(hs.tls) if hs and hs.tls else None
        info: dict[str, Any] = {
            "host": host,
            "port": port,
            "ip": seen[-1].ip if seen else None,
            "ips": ips,
            "status": seen[-1].status if seen else None,
            "response_date": seen[-1].date if seen else None,
            "traffic_segments": sorted({s.segment for s in seen}),
            "tls": tls,
            "source": "sealed WARC traffic: WARC-IP-Address of the response records and "
            "the proxy's tls-server-certificate metadata record",
        }
        if not seen:
            info["note_en"] = (
                "no response for this URL is in the traffic sealed so far (served from the "
                "browser's cache, or not loaded over the network); the IPs are those seen "
                "for the host"
            )
            info["note_zh"] = (
                "已封存的流量中没有此网址的响应（可能来自浏览器缓存），IP 为该主机的已知地址"
            )
        if urlsplit(url).scheme.lower() == "https" and tls is None:
            info["tls_note_en"] = "no TLS certificate record for this host in the sealed traffic"
            info["tls_note_zh"] = "已封存的流量中没有该主机的 TLS 证书记录"
        return info
