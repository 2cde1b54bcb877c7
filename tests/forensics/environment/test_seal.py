"""Sealing checks into a case: ``env.check`` entries that verify, are queued for a
time-stamp, and carry the before/after comparison."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forensics.case import Case
from forensics.entry_data import EnvCheckData
from forensics.environment import find_before, seal_snapshot, snapshot
from forensics.errors import InputError, PolicyError
from forensics.ledger_checks import verify_case_dir
from forensics.trust import TrustPolicy
from tests.conftest import World

TARGETS = ["https://shop.example.com/item/1"]


def _verifies(case: Case, world: World) -> bool:
    lines = [line for _, _, line in case.store.ledger_rows()]
    return verify_case_dir(
        case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas())
    ).bottom_line


def test_before_and_after_checks_are_sealed_and_compared(
    case: Case,
    world: World,
    edges: dict[str, Any],
    hosts_file: Path,
    sntp: Callable[[float], str],
    echo_server: Callable[..., str],
) -> None:
    kw = {**edges, "ntp_servers": [sntp(0.0)], "echo_urls": [echo_server()]}
    session = case.start_session(world.lead)
    before = seal_snapshot(
        case, world.lead, snapshot(TARGETS, **kw), phase="before", session=session
    )
    hosts_file.write_text("10.1.2.3 shop.example.com\n")
    after_snap = snapshot(TARGETS, **{**kw, "environ": {"ALL_PROXY": "socks5://10.0.0.8:1080"}})
    after = seal_snapshot(case, world.second, after_snap, phase="after", session=session)

    assert before.kind == after.kind == "env.check"
    assert before.entry["session"] == after.entry["session"] == session
    data = before.entry["data"]
    assert data["phase"] == "before" and "changes" not in data
    clock = data["snapshot"]["clock"]
    assert {"offset_us", "rtt_us", "server"} <= clock.keys()
    assert isinstance(clock["offset_us"], int) and clock["server"].startswith("127.0.0.1:")

    data = after.entry["data"]
    assert data["phase"] == "after" and data["compared_with"] == before.seq
    subjects = {c["subject"] for c in data["changes"]}
    assert subjects == {"hosts", "proxy"}
    assert all(c["en"] and c["zh"] and c["comparable"] for c in data["changes"])
    assert {w["code"] for w in data["warnings"]} >= {"hosts-target-entry", "proxy-env"}
    assert data["warnings"] == data["snapshot"]["warnings"]
    # Both read back through the one type of env.check data as exactly what was sealed.
    for rec in (before, after):
        check = EnvCheckData.from_json(rec.data)
        assert check.to_json() == dict(rec.data)
    assert check.compared_with == before.seq
    assert check.clock == data["snapshot"]["clock"] and check.section("proxy")["status"]
    assert EnvCheckData.from_json(before.data).changes is None

    queued = {int(str(r[0])) for r in case.store._query("SELECT seq FROM stamp_queue")}
    assert {before.seq, after.seq} <= queued  # seal points: each gets a time-stamp
    case.end_session(session, [world.lead, world.second])
    assert _verifies(case, world)
    assert find_before(case, session) == before


def test_after_without_before_says_so(case: Case, world: World, edges: dict[str, Any]) -> None:
    rec = seal_snapshot(
        case, world.lead, snapshot(TARGETS, ntp_servers=[], **edges), phase="after", session=None
    )
    data = rec.entry["data"]
    assert data["compared_with"] is None and data["changes"] == []
    assert data["warnings"][-1]["code"] == "no-before-check"
    check = EnvCheckData.from_json(data)
    assert check.to_json() == data and check.changes == () and check.compared_with is None
    assert _verifies(case, world)


def test_after_in_a_session_falls_back_to_a_check_before_the_session(
    case: Case, world: World, edges: dict[str, Any]
) -> None:
    snap = snapshot(TARGETS, ntp_servers=[], **edges)
    early = seal_snapshot(case, world.lead, snap, phase="before")
    other = case.start_session(world.lead)
    seal_snapshot(case, world.lead, snap, phase="before", session=other)
    session = case.start_session(world.lead)
    after = seal_snapshot(case, world.lead, snap, phase="after", session=session)
    assert after.entry["data"]["compared_with"] == early.seq  # never another session's


def test_refusals(case: Case, world: World, edges: dict[str, Any]) -> None:
    snap = snapshot(TARGETS, ntp_servers=[], **edges)
    with pytest.raises(InputError):
        seal_snapshot(case, world.lead, snap, phase="during")
    with pytest.raises(PolicyError):
        seal_snapshot(case, world.stranger, snap, phase="before")
    assert len(case.ledger.records()) == 3  # case.open and two officer.add only
