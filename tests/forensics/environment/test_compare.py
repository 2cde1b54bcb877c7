"""Before and after capture (§B4): what changed, described in zh and en."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.environment import Interface, compare, snapshot
from tests.forensics.environment.conftest import fake_resolver

TARGETS = ["https://shop.example.com/item/1"]


def test_identical_checks_have_no_changes(edges: dict[str, Any]) -> None:
    before = snapshot(TARGETS, ntp_servers=[], **edges)
    after = snapshot(TARGETS, ntp_servers=[], **edges)
    changes = compare(before, after)
    # The clock and egress could not be checked (no servers): said so, not passed over.
    assert {c.subject for c in changes} == {"egress_ip", "clock"}
    assert all(not c.comparable for c in changes)
    assert "before and after" in changes[0].en


def test_changed_hosts_file_and_proxy_are_reported(edges: dict[str, Any], hosts_file: Path) -> None:
    before = snapshot(TARGETS, ntp_servers=[], **edges)
    hosts_file.write_text(hosts_file.read_text() + "10.1.2.3 shop.example.com\n")
    after = snapshot(
        TARGETS,
        ntp_servers=[],
        **{**edges, "environ": {"HTTPS_PROXY": "http://10.0.0.8:3128"}},
    )
    changes = {c.subject: c for c in compare(before.to_json(), after.to_json())}
    hosts = changes["hosts"]
    assert hosts.before == before.to_json()["hosts"]["sha256"]
    assert hosts.after == after.to_json()["hosts"]["sha256"] != hosts.before
    assert "10.1.2.3 shop.example.com" in hosts.en and "新增" in hosts.zh
    proxy = changes["proxy"]
    assert "HTTPS_PROXY: (unset) → http://10.0.0.8:3128" in proxy.en
    assert proxy.zh.startswith("代理设置发生变化")
    assert "dns" not in changes and "resolution:shop.example.com" not in changes


def test_dns_resolution_egress_and_vpn_changes(edges: dict[str, Any], tmp_path: Path) -> None:
    before = snapshot(TARGETS, ntp_servers=[], **edges).to_json()
    resolv = tmp_path / "resolv2.conf"
    resolv.write_text("nameserver 8.8.8.8\n")
    after = snapshot(
        TARGETS,
        ntp_servers=[],
        **{
            **edges,
            "resolv_conf": resolv,
            "resolver": fake_resolver({"shop.example.com": ["198.51.100.1"]}),
            "interfaces": lambda: [Interface("wg0", True, ("10.8.0.2",))],
        },
    ).to_json()
    before["egress"] = {"status": "ok", "egress_ips": ["203.0.113.7"]}
    after["egress"] = {"status": "ok", "egress_ips": ["198.51.100.9"]}
    changes = {c.subject: c for c in compare(before, after)}
    assert changes["dns"].after == ["8.8.8.8"] and "223.5.5.5" in changes["dns"].en
    res = changes["resolution:shop.example.com"]
    assert (res.before, res.after) == (["203.0.113.80"], ["198.51.100.1"])
    assert changes["egress_ip"].en == "public egress IP changed: 203.0.113.7 → 198.51.100.9"
    assert changes["vpn"].after == ["wg0"]


def _with_clock(snap: dict[str, Any], offset_us: int) -> dict[str, Any]:
    out = copy.deepcopy(snap)
    out["clock"] = {"status": "ok", "offset_us": offset_us, "warn_threshold_ms": 1000}
    return out


def test_clock_offset_change_beyond_threshold(edges: dict[str, Any]) -> None:
    base = snapshot(TARGETS, ntp_servers=[], **edges).to_json()
    small = compare(_with_clock(base, 12_000), _with_clock(base, 400_000))
    assert "clock" not in {c.subject for c in small}
    [clock] = [
        c
        for c in compare(_with_clock(base, 12_000), _with_clock(base, 1_512_000))
        if c.subject == "clock"
    ]
    assert clock.comparable and (clock.before, clock.after) == (12_000, 1_512_000)
    assert "+1.500 s" in clock.en and "超过 1000 毫秒" in clock.zh
    tight = compare(_with_clock(base, 0), _with_clock(base, 400_000), clock_threshold_ms=100)
    assert "clock" in {c.subject for c in tight}


def test_one_side_unavailable_is_not_comparable(edges: dict[str, Any]) -> None:
    before = snapshot(TARGETS, ntp_servers=[], **edges).to_json()
    after = copy.deepcopy(before)
    after["hosts"] = {"status": "unavailable", "sha256": None}
    [hosts] = [c for c in compare(before, after) if c.subject == "hosts"]
    assert not hosts.comparable and "not checked after capture" in hosts.en
    assert hosts.zh == "hosts 文件无法比对：取证后未能检查"


def test_malformed_input_never_raises() -> None:
    odd: Any = {
        "proxy": [],
        "hosts": {"status": "ok", "entries": "x"},
        "resolution": {"status": "ok", "resolutions": {"a": 1}},
    }
    for before, after in ((odd, {}), ({}, odd), (odd, odd), ([], {})):
        changes = compare(before, after)
        assert all(c.en and c.zh for c in changes)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_section = st.fixed_dictionaries(
    {"status": st.sampled_from(["ok", "warning", "unavailable", 3])},
    optional={
        k: _json
        for k in (
            "env",
            "os",
            "sha256",
            "entries",
            "dns_servers",
            "resolutions",
            "egress_ips",
            "interfaces",
            "offset_us",
            "warn_threshold_ms",
        )
    },
)
_snapshot = st.dictionaries(
    st.sampled_from(["proxy", "hosts", "dns", "resolution", "egress", "vpn", "clock", "x"]),
    _section | _json,
)


@settings(max_examples=50, deadline=None)
@given(_snapshot, _snapshot)
def test_compare_of_hostile_records_never_raises(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    # A package's ledger is hostile until verified: compare reads it without trusting it.
    for change in compare(before, after):
        assert change.en and change.zh
