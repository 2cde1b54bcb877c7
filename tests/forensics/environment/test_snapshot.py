"""The whole snapshot: every section recorded with a status, the clock where the report
reads it, and unreachable services recorded with their reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forensics import __version__
from forensics.canonical import canonical_bytes
from forensics.environment import SECTIONS, STATUSES, snapshot
from forensics.errors import InputError
from tests.forensics.environment.conftest import fake_resolver
from tests.forensics.environment.echo_service import ECHO_IP


def test_snapshot_on_this_machine_has_every_section(
    echo_server: Callable[..., str], sntp: Callable[[float], str], tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    snap = snapshot(
        ["https://shop.range.test/item/1"],
        ntp_servers=[sntp(0.0)],
        echo_urls=[echo_server()],
        browser_profile=profile,
        resolver=fake_resolver({}),  # *.range.test does not resolve here
        timeout=2.0,
    )
    record = snap.to_json()
    canonical_bytes(record)  # integers and strings only: no floats anywhere
    for name in SECTIONS:
        section = record[name]
        assert section["status"] in STATUSES, name
        assert section["summary"]["en"] and section["summary"]["zh"], name
        for reason in section["reasons"]:
            assert reason["en"] and reason["zh"] and reason["code"]
    assert record["system"]["quzheng"] == __version__
    assert record["system"]["hostname"] and record["system"]["os"]
    assert record["network"]["local_ips"]
    assert record["egress"]["status"] == "ok" and record["egress"]["egress_ip"] == ECHO_IP
    assert record["processes"]["count"] > 0
    assert record["browser_profile"]["status"] == "ok" and record["browser_profile"]["fresh"]
    clock = record["clock"]
    assert clock["status"] == "ok" and clock["clock_status"] == "ok"
    assert isinstance(clock["offset_us"], int) and isinstance(clock["rtt_us"], int)
    assert clock["server"] == clock["best_server"] and clock["server"].startswith("127.0.0.1:")
    resolution = record["resolution"]
    assert resolution["status"] == "warning"
    assert resolution["resolutions"]["shop.range.test"]["ips"] == []
    assert {w["code"] for w in record["warnings"]} >= {"target-unresolved"}
    assert all(w["en"] and w["zh"] for w in record["warnings"])
    lines = snap.lines("zh")
    assert len([line for line in lines if line.startswith("[")]) == len(SECTIONS)


def test_unreachable_echo_and_time_servers_are_recorded_with_reasons(
    closed_url: str, dead_ntp: str, edges: dict[str, Any]
) -> None:
    snap = snapshot(ntp_servers=[dead_ntp], echo_urls=[closed_url], **{**edges, "timeout": 0.5})
    egress = snap.to_json()["egress"]
    assert egress["status"] == "unavailable" and egress["egress_ip"] is None
    assert egress["services"] == [
        {
            "url": closed_url,
            "reachable": False,
            "ip": None,
            "error_code": "refused",
            "error": "connection refused",
        }
    ]
    clock = snap.to_json()["clock"]
    assert clock["status"] == "unavailable" and clock["offset_us"] is None
    assert clock["servers"][0]["error_code"] in ("refused", "timeout")
    codes = {(w["section"], w["code"]) for w in snap.warnings_json()}
    assert ("egress", "egress-unknown") in codes and ("clock", "clock-unchecked") in codes
    text = "\n".join(snap.lines("en"))
    assert closed_url in text and "connection refused" in text


def test_no_echo_service_and_no_time_server_configured(edges: dict[str, Any]) -> None:
    snap = snapshot(ntp_servers=[], **edges)
    assert snap.check("egress").status == "unavailable"  # type: ignore[union-attr]
    clock = snap.check("clock")
    assert clock is not None and clock.status == "unavailable"
    assert "no time server configured" in clock.summary("en")


def test_echo_services_that_disagree_or_talk_nonsense(
    echo_server: Callable[..., str], edges: dict[str, Any]
) -> None:
    urls = [
        echo_server(ECHO_IP),
        echo_server('{"origin": "198.51.100.9"}'),
        echo_server("<html>welcome</html>"),
        echo_server("当前 IP：203.0.113.7  来自于：中国"),
        echo_server("busy", status=503),
    ]
    egress = snapshot(ntp_servers=[], echo_urls=urls, **edges).to_json()["egress"]
    assert egress["status"] == "warning" and egress["egress_ip"] is None
    assert egress["egress_ips"] == ["198.51.100.9", ECHO_IP]
    codes = [s["error_code"] for s in egress["services"]]
    assert codes == [None, None, "bad-reply", None, "http-error"]
    assert {r["code"] for r in egress["reasons"]} == {
        "egress-disagree",
        "echo-bad-reply",
        "echo-http-error",
    }


def test_clock_offset_over_threshold_warns(
    sntp: Callable[[float], str], edges: dict[str, Any]
) -> None:
    clock = snapshot(ntp_servers=[sntp(5.0)], **edges).to_json()["clock"]
    assert clock["status"] == "warning" and clock["clock_status"] == "offset-exceeds-threshold"
    assert clock["offset_us"] > 4_000_000


def test_time_is_injected(edges: dict[str, Any]) -> None:
    pinned = 1_795_000_000.25
    snap = snapshot(ntp_servers=[], now=lambda: pinned, **edges)
    assert snap.to_json()["taken_at"] == "2026-11-18T11:06:40.250000Z"


def test_a_failing_probe_is_recorded_and_the_others_still_run(edges: dict[str, Any]) -> None:
    def broken() -> list[Any]:
        raise RuntimeError("process table unreadable")

    snap = snapshot(ntp_servers=[], **{**edges, "processes": broken})
    procs = snap.check("processes")
    assert procs is not None and procs.status == "unavailable"
    assert "process table unreadable" in procs.reasons[0].en
    assert snap.check("hosts").status == "ok"  # type: ignore[union-attr]


def test_proxy_disclosure_must_be_canonical(edges: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        snapshot(ntp_servers=[], proxy_disclosure={"listen": "127.0.0.1:8080", "x": 1.5}, **edges)


def test_whole_check_takes_about_one_timeout(
    closed_url: str, dead_ntp: str, edges: dict[str, Any]
) -> None:
    start = time.monotonic()
    snapshot(ntp_servers=[dead_ntp], echo_urls=[closed_url], **{**edges, "timeout": 0.5})
    assert time.monotonic() - start < 3
