"""The sub-checks one by one: hosts file, proxy settings, processes, VPN, browser
profile, target resolution, the recording proxy's disclosure."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from forensics.canonical import canonical_bytes
from forensics.environment import FRESH_PROFILE_SECONDS, Interface, match_tool, snapshot
from forensics.environment.net import target_host
from forensics.environment.proxy import _scutil_proxy, redact
from tests.forensics.environment.conftest import fake_resolver

TARGETS = ["https://shop.range.test/item/1", "live.range.test"]


def snap_json(edges: dict[str, Any], targets: Sequence[str] = TARGETS, **kw: Any) -> dict[str, Any]:
    record = snapshot(targets, ntp_servers=[], **{**edges, **kw}).to_json()
    canonical_bytes(record)
    return record


# -- hosts file --------------------------------------------------------------------------


def test_hosts_entry_mentioning_a_target_is_flagged(edges: dict[str, Any], tmp_path: Path) -> None:
    hosts = tmp_path / "hosts-tampered"
    content = (
        "127.0.0.1 localhost\n"
        "# 10.9.9.9 shop.range.test  (commented out: not an entry)\n"
        "10.1.2.3   shop.range.test img.shop.range.test   # redirect\n"
        "10.1.2.4 other.test\n"
    )
    hosts.write_text(content)
    record = snap_json(edges, hosts_path=hosts)["hosts"]
    assert record["status"] == "warning"
    assert record["sha256"] == hashlib.sha256(content.encode()).hexdigest()
    assert record["entries_total"] == 3
    assert record["target_entries"] == [
        {
            "line": 3,
            "ip": "10.1.2.3",
            "names": ["shop.range.test", "img.shop.range.test"],
            "target": "shop.range.test",
        }
    ]
    [reason] = record["reasons"]
    assert reason["code"] == "hosts-target-entry" and "10.1.2.3" in reason["zh"]


def test_hosts_without_target_entries_is_ok(edges: dict[str, Any], hosts_file: Path) -> None:
    record = snap_json(edges)["hosts"]
    assert record["status"] == "ok" and record["target_entries"] == []
    assert record["sha256"] == hashlib.sha256(hosts_file.read_bytes()).hexdigest()


def test_unreadable_hosts_file_is_unavailable_with_reason(
    edges: dict[str, Any], tmp_path: Path
) -> None:
    record = snap_json(edges, hosts_path=tmp_path)["hosts"]  # a directory: cannot be read
    assert record["status"] == "unavailable" and record["sha256"] is None
    assert record["reasons"][0]["code"] == "hosts-unreadable" and record["reasons"][0]["warning"]


def test_missing_hosts_file_is_recorded(edges: dict[str, Any], tmp_path: Path) -> None:
    record = snap_json(edges, hosts_path=tmp_path / "nope")["hosts"]
    assert record["status"] == "ok" and record["exists"] is False and record["sha256"] is None


# -- proxy settings ----------------------------------------------------------------------


def test_environment_proxy_is_detected_and_its_password_never_recorded(
    edges: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://officer:s3cret@10.0.0.8:3128")
    monkeypatch.setenv("no_proxy", "localhost")
    record = snap_json(edges, environ=None)  # None: the real os.environ
    proxy = record["proxy"]
    assert proxy["status"] == "warning" and proxy["active"] is True
    assert proxy["env"]["HTTP_PROXY"] == "http://officer:***@10.0.0.8:3128"
    assert proxy["env"]["no_proxy"] == "localhost"
    assert [r["code"] for r in proxy["reasons"]] == ["proxy-env"]
    assert b"s3cret" not in canonical_bytes(record)


def test_no_proxy_alone_is_not_a_proxy(edges: dict[str, Any]) -> None:
    proxy = snap_json(edges, environ={"NO_PROXY": "localhost"})["proxy"]
    assert proxy["status"] == "ok" and proxy["active"] is False


def test_gnome_manual_proxy_is_detected(edges: dict[str, Any]) -> None:
    answers = {
        ("org.gnome.system.proxy", "mode"): "'manual'",
        ("org.gnome.system.proxy.http", "host"): "'10.0.0.9'",
        ("org.gnome.system.proxy.http", "port"): "8888",
    }

    def gsettings(args: Sequence[str], timeout: float) -> str:
        return answers.get((args[2], args[3]), "''") + "\n"

    proxy = snap_json(edges, run=gsettings)["proxy"]
    assert proxy["status"] == "warning"
    assert proxy["os"]["gnome"] == {"mode": "manual", "http": "10.0.0.9:8888"}
    assert "proxy-os" in [r["code"] for r in proxy["reasons"]]


def test_missing_commands_are_notes_not_failures(
    edges: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # gsettings cannot be found
    proxy = snap_json(edges, run=None)["proxy"]
    assert proxy["status"] == "ok"
    assert proxy["unavailable_sources"] == ["gnome"]
    [note] = proxy["reasons"]
    assert note["warning"] is False and "command not found" in note["en"]


# -- processes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("TeamViewer.exe", "teamviewer"),
        ("SunloginClient.exe", "sunlogin"),
        ("向日葵", "sunlogin"),
        ("ToDesk", "todesk"),
        ("frpc", "frp"),
        ("clash-verge", "clash"),
        ("v2rayN.exe", "v2ray"),
        ("ss-local", "shadowsocks"),
        ("Fiddler.exe", "fiddler"),
        ("Charles", "charles"),
        ("BurpSuiteCommunity", "burp"),
        ("mitmdump", "mitmproxy"),
        ("python3", None),
        ("frpcx", None),
        ("chromium", None),
        ("sleep", None),
    ],
)
def test_flag_list(name: str, tool: str | None) -> None:
    found = match_tool(name)
    assert (found.key if found else None) == tool


def test_a_running_flagged_process_is_detected(edges: dict[str, Any], tmp_path: Path) -> None:
    sleeper = tmp_path / "frpc"  # a harmless sleep that looks like the frp tunnel client
    shutil.copy("/bin/sleep", sleeper)
    with subprocess.Popen([str(sleeper), "30"]) as child:
        try:
            record = snap_json(edges, processes=None)["processes"]  # None: the real list
        finally:
            child.kill()
    assert record["status"] == "warning"
    assert {"pid": child.pid, "name": "frpc", "tool": "frp", "category": "proxy"}.items() <= next(
        f for f in record["flagged"] if f["pid"] == child.pid
    ).items()
    assert any(p["pid"] == os.getpid() for p in record["processes"])
    assert any(r["code"] == "process-proxy" and "frpc" in r["zh"] for r in record["reasons"])


# -- network interfaces and VPN ----------------------------------------------------------


def test_vpn_interface_up_is_reported(edges: dict[str, Any]) -> None:
    def interfaces() -> list[Interface]:
        return [
            Interface("lo", True, ("127.0.0.1",)),
            Interface("eth0", True, ("192.0.2.20",)),
            Interface("wg0", True, ("10.8.0.2",)),
            Interface("tun1", False, ()),
        ]

    record = snap_json(edges, interfaces=interfaces)
    vpn = record["vpn"]
    assert vpn["status"] == "warning" and vpn["active"] is True
    assert vpn["interfaces"] == [{"name": "wg0", "up": True}, {"name": "tun1", "up": False}]
    assert "wg0" in vpn["reasons"][0]["en"] and "tun1" not in vpn["reasons"][0]["en"]
    assert record["network"]["local_ips"] == ["10.8.0.2", "127.0.0.1", "192.0.2.20"]


def test_only_loopback_means_no_network(edges: dict[str, Any]) -> None:
    network = snap_json(edges, interfaces=lambda: [Interface("lo", True, ("127.0.0.1",))])
    assert network["network"]["status"] == "warning"
    assert network["network"]["reasons"][0]["code"] == "no-network"


# -- browser profile ---------------------------------------------------------------------


def test_browser_profile_states(edges: dict[str, Any], tmp_path: Path) -> None:
    now = time.time()
    missing = snap_json(edges, browser_profile=tmp_path / "none", now=lambda: now)
    assert missing["browser_profile"]["status"] == "unavailable"
    assert missing["browser_profile"]["reasons"][0]["code"] == "profile-missing"

    profile = tmp_path / "profile"
    profile.mkdir()
    empty = snap_json(edges, browser_profile=profile)["browser_profile"]
    assert empty["status"] == "ok" and empty["fresh"] is True and empty["entries"] == 0

    (profile / "Default").mkdir()
    (profile / "Default" / "Preferences").write_text("{}")
    new = snap_json(edges, browser_profile=profile, now=lambda: now)["browser_profile"]
    assert new["status"] == "ok" and new["fresh"] is True and new["entries"] == 2

    old = profile / "Default" / "Cookies"
    old.write_bytes(b"SQLite format 3\x00")
    os.utime(old, (now - 30 * 86400, now - 30 * 86400))
    stale = snap_json(edges, browser_profile=profile, now=lambda: now)["browser_profile"]
    assert stale["status"] == "warning" and stale["fresh"] is False
    assert stale["reasons"][0]["code"] == "profile-not-fresh"
    later = snap_json(edges, browser_profile=profile, now=lambda: now + FRESH_PROFILE_SECONDS * 2)
    assert later["browser_profile"]["fresh"] is False  # time is injected


# -- target resolution -------------------------------------------------------------------


def test_target_resolution(edges: dict[str, Any]) -> None:
    resolver = fake_resolver(
        {"shop.example.com": ["203.0.113.80"], "evil.example.com": ["127.0.0.1"]}
    )
    record = snap_json(
        edges,
        targets=[
            "https://shop.example.com/item?id=1",
            "shop.example.com/other",  # the same host: asked once
            "HTTPS://Evil.Example.com./",
            "https://gone.example.com/",
            "http://198.51.100.5:8080/x",
            "https://[",
        ],
        resolver=resolver,
    )["resolution"]
    assert record["targets"] == [
        "shop.example.com",
        "evil.example.com",
        "gone.example.com",
        "198.51.100.5",
    ]
    res = record["resolutions"]
    assert res["shop.example.com"] == {"ips": ["203.0.113.80"], "literal": False, "error": None}
    assert res["198.51.100.5"]["literal"] is True
    assert res["gone.example.com"]["ips"] == [] and "gaierror" in res["gone.example.com"]["error"]
    codes = sorted(r["code"] for r in record["reasons"])
    assert codes == ["target-invalid", "target-private-ip", "target-unresolved"]


def test_target_host() -> None:
    assert target_host("https://User@Shop.Example.COM:443/p") == "shop.example.com"
    assert target_host("  ") is None
    assert target_host("live.douyin.com") == "live.douyin.com"


def test_no_target_is_a_note(edges: dict[str, Any]) -> None:
    record = snap_json(edges, targets=[])["resolution"]
    assert record["status"] == "ok" and record["reasons"][0]["code"] == "no-target"


# -- the recording proxy's disclosure ----------------------------------------------------

DISCLOSURE = {
    "software": "quzheng 0.1.0",
    "mitmproxy": "12.1.1",
    "listen": "127.0.0.1:18080",
    "ca_sha256": "ab" * 32,
    "addon_sha256": "cd" * 32,
    "modifies_traffic": False,
}


@pytest.mark.parametrize(
    ("listen", "status", "codes"),
    [
        ("127.0.0.1:18080", "ok", []),
        ("[::1]:18080", "ok", []),
        ({"host": "localhost", "port": 18080}, "ok", []),
        ("0.0.0.0:18080", "warning", ["proxy-listen-not-loopback"]),
        (None, "warning", ["proxy-listen-unknown"]),
    ],
)
def test_disclosure_listen_address(
    edges: dict[str, Any], listen: Any, status: str, codes: list[str]
) -> None:
    disclosure = {k: v for k, v in {**DISCLOSURE, "listen": listen}.items() if v is not None}
    record = snap_json(edges, proxy_disclosure=disclosure)["proxy_disclosure"]
    assert record["status"] == status
    assert [r["code"] for r in record["reasons"]] == codes
    assert record["disclosed"] == disclosure and record["only_proxy"] is True


def test_disclosure_with_another_proxy_configured(edges: dict[str, Any]) -> None:
    record = snap_json(
        edges, proxy_disclosure=DISCLOSURE, environ={"HTTPS_PROXY": "http://10.0.0.8:3128"}
    )["proxy_disclosure"]
    assert record["only_proxy"] is False
    assert [r["code"] for r in record["reasons"]] == ["proxy-not-only"]


def test_no_disclosure_is_a_note(edges: dict[str, Any]) -> None:
    record = snap_json(edges)["proxy_disclosure"]
    assert record["status"] == "unavailable" and record["reasons"][0]["warning"] is False


def test_etc_environment_proxy_is_detected(edges: dict[str, Any], tmp_path: Path) -> None:
    etc = tmp_path / "environment"
    etc.write_text('PATH="/usr/bin"\nexport https_proxy="http://u:pw@10.0.0.7:8080"\n')
    proxy = snap_json(edges, etc_environment=etc)["proxy"]
    assert proxy["os"]["etc_environment"] == {"https_proxy": "http://u:***@10.0.0.7:8080"}
    assert proxy["status"] == "warning" and proxy["reasons"][0]["code"] == "proxy-os"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("http://officer:pw@10.0.0.8:3128", "http://officer:***@10.0.0.8:3128"),
        ("officer:pw@10.0.0.8:3128", "officer:***@10.0.0.8:3128"),
        ("socks5h://a:b%40c@proxy.example", "socks5h://a:***@proxy.example"),
        ("http://10.0.0.8:3128", "http://10.0.0.8:3128"),
        ("http://[", "http://["),
    ],
)
def test_proxy_passwords_are_redacted(value: str, shown: str) -> None:
    assert redact(value) == shown


def test_macos_scutil_output_is_read() -> None:
    output = (
        "<dictionary> {\n  ExceptionsList : <array> {\n    0 : *.local\n  }\n"
        "  HTTPEnable : 1\n  HTTPPort : 8080\n  HTTPProxy : 10.0.0.1\n}\n"
    )
    assert _scutil_proxy(lambda args, timeout: output, 1.0) == {
        "HTTPEnable": "1",
        "HTTPPort": "8080",
        "HTTPProxy": "10.0.0.1",
    }
