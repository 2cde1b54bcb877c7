"""Clock check: SNTP v4 (RFC 4330) against configured servers, for ``env.check`` entries.

Every server is asked once, in parallel. Each answer gives the offset of the local clock
(server minus local) and the round trip; unreachable servers are recorded as such with the
reason, never dropped, and when none answers the check says so. The best estimate is the
answer with the shortest round trip (the least uncertain one).

What it trusts: nothing in a reply that does not echo the random cookie we sent.
"""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from forensics.canonical import format_time

# 国家授时中心 (NTSC, the national time service centre) first: traceable Chinese time.
DEFAULT_NTP_SERVERS: Final = (
    "ntp.ntsc.ac.cn",
    "cn.pool.ntp.org",
    "ntp.aliyun.com",
    "time.cloudflare.com",
)
DEFAULT_WARN_THRESHOLD_MS: Final = 1000
DEFAULT_TIMEOUT: Final = 2.0
NTP_PORT: Final = 123

_NTP_TO_UNIX: Final = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_ERA: Final = 1 << 32


@dataclass(frozen=True)
class ServerResult:
    """One server's answer, or why there was none (``error_code`` and ``error``)."""

    server: str
    address: str | None  # the IP address asked, when the name resolved
    reachable: bool
    offset_us: int | None = None  # server time minus local time
    round_trip_us: int | None = None
    stratum: int | None = None
    # bad-address | unresolvable | refused | timeout | network | bad-reply | unsynchronized
    # | kiss-of-death
    error_code: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "address": self.address,
            "reachable": self.reachable,
            "offset_us": self.offset_us,
            "round_trip_us": self.round_trip_us,
            "stratum": self.stratum,
            "error_code": self.error_code,
            "error": self.error,
        }


@dataclass(frozen=True)
class ClockCheck:
    """The result of one clock check. ``status`` is "ok", "offset-exceeds-threshold" or
    "no-server-reachable"."""

    checked_at: dt.datetime
    servers: tuple[ServerResult, ...]
    best: ServerResult | None
    warn_threshold_ms: int

    @property
    def reachable(self) -> bool:
        return self.best is not None

    @property
    def offset_us(self) -> int | None:
        return None if self.best is None else self.best.offset_us

    @property
    def round_trip_us(self) -> int | None:
        return None if self.best is None else self.best.round_trip_us

    @property
    def warning(self) -> bool:
        """True when the clock is off by more than the threshold, or cannot be checked."""
        return self.status != "ok"

    @property
    def status(self) -> str:
        if self.best is None or self.best.offset_us is None:
            return "no-server-reachable"
        if abs(self.best.offset_us) > self.warn_threshold_ms * 1000:
            return "offset-exceeds-threshold"
        return "ok"

    def summary(self, lang: str = "en") -> str:
        zh = lang.startswith("zh")
        if self.best is None or self.best.offset_us is None:
            tried = ", ".join(s.server for s in self.servers) or "-"
            return (
                f"时钟核对失败：所有时间服务器均不可达（{tried}）"
                if zh
                else f"clock check failed: no time server reachable ({tried})"
            )
        ms = self.best.offset_us / 1000
        rt = (self.best.round_trip_us or 0) / 1000
        if zh:
            text = f"本机时钟与 {self.best.server} 相差 {ms:+.1f} 毫秒（往返 {rt:.1f} 毫秒）"
            if self.status != "ok":
                text += f"，超过告警阈值 {self.warn_threshold_ms} 毫秒"
            return text
        text = (
            f"local clock offset {ms:+.1f} ms against {self.best.server} (round trip {rt:.1f} ms)"
        )
        if self.status != "ok":
            text += f", over the warning threshold of {self.warn_threshold_ms} ms"
        return text

    def to_json(self) -> dict[str, Any]:
        """For ``env.check`` entries: integers, strings, booleans and null only."""
        return {
            "checked_at": format_time(self.checked_at),
            "status": self.status,
            "offset_us": self.offset_us,
            "round_trip_us": self.round_trip_us,
            "best_server": None if self.best is None else self.best.server,
            "warn_threshold_ms": self.warn_threshold_ms,
            "servers": [s.to_json() for s in self.servers],
        }


def _split_server(server: str) -> tuple[str, int]:
    """ "host", "host:port", "[v6]:port" or a bare IPv6 address."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else NTP_PORT
    if server.count(":") == 1:
        host, port = server.split(":")
        return host, int(port)
    return server, NTP_PORT


def _from_ntp(raw: bytes, pivot_us: int) -> int:
    """An NTP 64-bit timestamp → µs since 1970, in the era nearest ``pivot_us``."""
    seconds = int.from_bytes(raw[:4], "big")
    fraction = int.from_bytes(raw[4:8], "big")
    unix = seconds - _NTP_TO_UNIX
    pivot_s = pivot_us // 1_000_000
    # NTP seconds wrap every 2^32 s (2036, era 1): pick the era closest to our own clock.
    while unix - pivot_s > _ERA // 2:
        unix -= _ERA
    while pivot_s - unix > _ERA // 2:
        unix += _ERA
    return unix * 1_000_000 + (fraction * 1_000_000 >> 32)


def query_server(
    server: str, timeout: float = DEFAULT_TIMEOUT, now: Callable[[], float] = time.time
) -> ServerResult:
    """Ask one server. Never raises for network trouble: the result says what happened."""
    try:
        host, port = _split_server(server)
    except ValueError:
        return ServerResult(server, None, False, error_code="bad-address", error="bad address")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        return ServerResult(server, None, False, error_code="unresolvable", error=str(exc))
    family, socktype, proto, _, sockaddr = infos[0]
    address = str(sockaddr[0])
    cookie = secrets.token_bytes(8)
    # LI 0, version 4, mode 3 (client); the transmit timestamp is a random cookie that the
    # server must echo as originate timestamp (RFC 9109 §3: do not reveal the local clock).
    packet = bytes([0x23]) + bytes(39) + cookie
    try:
        with socket.socket(family, socktype, proto) as sock:
            sock.settimeout(timeout)
            sock.connect(sockaddr)  # a connected UDP socket only accepts that peer's datagrams
            t1 = round(now() * 1_000_000)
            sock.send(packet)
            deadline = time.monotonic() + timeout
            while True:
                reply = sock.recv(512)
                t4 = round(now() * 1_000_000)
                if len(reply) >= 48 and reply[24:32] == cookie:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:  # only stray datagrams: treat as no answer
                    raise TimeoutError
                sock.settimeout(remaining)
    except TimeoutError:
        return ServerResult(
            server, address, False, error_code="timeout", error=f"no reply within {timeout:g} s"
        )
    except ConnectionRefusedError:
        return ServerResult(
            server, address, False, error_code="refused", error="port unreachable (refused)"
        )
    except OSError as exc:
        return ServerResult(server, address, False, error_code="network", error=str(exc))

    li, version, mode, stratum = reply[0] >> 6, (reply[0] >> 3) & 7, reply[0] & 7, reply[1]
    if mode != 4 or version not in (3, 4):
        return ServerResult(
            server, address, False, error_code="bad-reply", error=f"mode {mode} version {version}"
        )
    if stratum == 0:
        code = reply[12:16].decode("ascii", "replace")
        return ServerResult(
            server, address, False, error_code="kiss-of-death", error=f"kiss code {code!r}"
        )
    if li == 3 or stratum > 15:
        return ServerResult(
            server, address, False, error_code="unsynchronized", error="server not synchronised"
        )
    if reply[40:48] == bytes(8):
        return ServerResult(server, address, False, error_code="bad-reply", error="no timestamp")
    t2 = _from_ntp(reply[32:40], t1)
    t3 = _from_ntp(reply[40:48], t1)
    offset = ((t2 - t1) + (t3 - t4)) // 2
    round_trip = max(0, (t4 - t1) - (t3 - t2))
    return ServerResult(
        server,
        address,
        True,
        offset_us=offset,
        round_trip_us=round_trip,
        stratum=stratum,
    )


def check_clock(
    servers: Sequence[str] = DEFAULT_NTP_SERVERS,
    timeout: float = DEFAULT_TIMEOUT,
    now: Callable[[], float] = time.time,
    *,
    warn_threshold_ms: int = DEFAULT_WARN_THRESHOLD_MS,
) -> ClockCheck:
    """Ask every server once, in parallel (the whole check takes at most ``timeout``
    seconds plus name resolution). ``now`` is the local clock under test."""
    checked_at = dt.datetime.fromtimestamp(now(), dt.UTC)
    if servers:
        with ThreadPoolExecutor(max_workers=min(8, len(servers))) as pool:
            results = tuple(pool.map(lambda s: query_server(s, timeout, now), servers))
    else:
        results = ()
    answered = [r for r in results if r.reachable and r.round_trip_us is not None]
    best = min(answered, key=lambda r: r.round_trip_us or 0) if answered else None
    return ClockCheck(
        checked_at=checked_at,
        servers=results,
        best=best,
        warn_threshold_ms=warn_threshold_ms,
    )
