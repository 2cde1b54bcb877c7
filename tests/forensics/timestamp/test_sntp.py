"""The SNTP clock check against small responders on 127.0.0.1 with deliberately skewed
clocks. No test touches the internet."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from forensics.canonical import canonical_bytes
from forensics.timestamp.sntp import ClockCheck, _from_ntp, check_clock
from tests.forensics.timestamp.sntp_responder import NTP_TO_UNIX, ntp_bytes, sntp_responders


@pytest.fixture
def responder() -> Iterator[Callable[..., str]]:
    with sntp_responders() as start:
        yield start


@pytest.fixture
def dead_server() -> str:
    """A UDP port on 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def within_half_round_trip(check: ClockCheck, skew_us: int) -> bool:
    """SNTP's error bound: the true offset lies within half the round trip (+1 ms of
    rounding) of the measured one."""
    assert check.offset_us is not None and check.round_trip_us is not None
    return abs(check.offset_us - skew_us) <= check.round_trip_us // 2 + 1000


def test_skewed_server_gives_offset_and_warning(responder: Callable[..., str]) -> None:
    server = responder(skew=3.5)
    check = check_clock([server], timeout=1)
    assert check.reachable and check.best is not None and check.best.server == server
    assert within_half_round_trip(check, 3_500_000)
    assert check.round_trip_us is not None and check.round_trip_us >= 0
    assert check.best.stratum == 2
    assert check.status == "offset-exceeds-threshold" and check.warning
    assert "+3" in check.summary() and "告警阈值" in check.summary("zh")


def test_small_offset_is_ok(responder: Callable[..., str]) -> None:
    check = check_clock([responder(skew=0.2)], timeout=1, warn_threshold_ms=1000)
    assert check.status == "ok" and not check.warning
    assert within_half_round_trip(check, 200_000)


def test_injected_local_clock_is_the_one_measured(responder: Callable[..., str]) -> None:
    """``now`` is the clock under test: ten seconds slow shows as +10 s."""
    check = check_clock([responder()], timeout=1, now=lambda: time.time() - 10)
    assert within_half_round_trip(check, 10_000_000)


def test_unreachable_server_is_recorded_not_hidden(dead_server: str) -> None:
    check = check_clock([dead_server], timeout=0.3)
    assert not check.reachable and check.status == "no-server-reachable" and check.warning
    [result] = check.servers
    assert result.server == dead_server and not result.reachable
    assert result.error_code in ("refused", "timeout")
    assert dead_server in check.summary() and "不可达" in check.summary("zh")
    record = check.to_json()
    canonical_bytes(record)  # integers, strings, booleans and null: no floats
    assert record["status"] == "no-server-reachable" and record["offset_us"] is None
    assert record["servers"][0]["reachable"] is False


def test_mixed_servers_keep_every_result(responder: Callable[..., str], dead_server: str) -> None:
    good = responder(skew=-0.5)
    check = check_clock([dead_server, good], timeout=0.5)
    assert [s.server for s in check.servers] == [dead_server, good]
    assert check.best is not None and check.best.server == good
    assert check.offset_us is not None and check.offset_us < 0


@pytest.mark.parametrize(("mode", "code"), [("kiss", "kiss-of-death"), ("wrong-cookie", "timeout")])
def test_refusals_and_spoofed_answers(responder: Callable[..., str], mode: str, code: str) -> None:
    check = check_clock([responder(mode=mode)], timeout=0.3)
    assert not check.reachable and check.servers[0].error_code == code


def test_no_servers_configured() -> None:
    check = check_clock([], timeout=0.1)
    assert check.status == "no-server-reachable" and check.servers == ()


def test_ntp_era_rollover() -> None:
    """After 2036-02-07 NTP seconds wrap to 0 (era 1); the era nearest our clock is used."""
    after_wrap_us = ((1 << 32) - NTP_TO_UNIX + 100) * 1_000_000
    raw = (100).to_bytes(4, "big") + bytes(4)
    assert _from_ntp(raw, pivot_us=after_wrap_us) == after_wrap_us
    now_us = int(time.time()) * 1_000_000
    assert _from_ntp(ntp_bytes(now_us / 1_000_000), pivot_us=now_us) == now_us
