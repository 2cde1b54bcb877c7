"""``quzheng case new --room`` and ``quzheng case add-officer`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from forensics.case import Case
from forensics.custody import import_package
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.app.test_cli import _one_clean_line, run
from tests.conftest import PASSPHRASE, World
from tests.received import export_complete_case, police_home

LEAD = {"QUZHENG_OFFICER": "31000001"}


def ledger(case_id: str, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    proc = run("case", "log", case_id, env=env)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line)["entry"] for line in proc.stdout.strip().splitlines()]


def test_case_new_records_the_live_room_of_the_target(world: World) -> None:
    proc = run(
        "case", "new", "--title", "直播间销售假冒商品", "--officer", "31000002",
        "--platform", "某直播平台", "--account", "主播甲", "--room", "88886666",
        "--target-url", "https://live.range.test/room/88886666", env=LEAD,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    case_id = proc.stdout.strip()
    opened = ledger(case_id)[0]
    assert opened["kind"] == "case.open"
    assert opened["data"]["target"] == {  # type: ignore[index]
        "platform": "某直播平台",
        "account": "主播甲",
        "room": "88886666",
        "url": "https://live.range.test/room/88886666",
    }
    shown = run("case", "show", case_id).stdout
    assert "room: 88886666" in shown and "platform: 某直播平台" in shown


def test_add_officer_signed_by_an_officer_of_the_case(world: World) -> None:
    case_id = run("case", "new", "--title", "补充人员", "--officer", "31000002", env=LEAD).stdout
    case_id = case_id.strip()
    proc = run(
        "case", "add-officer", "--case", case_id[:8], "--officer", "31000099",
        "--role", "recorder", "--as", "31000002",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "31000099" in proc.stdout and "recorder" in proc.stdout
    added = ledger(case_id)[-1]
    assert added["kind"] == "officer.add"
    assert added["data"]["badge"] == "31000099" and added["data"]["role"] == "recorder"  # type: ignore[index]
    assert added["actor"]["badge"] == "31000002"  # type: ignore[index]
    assert run("verify", case_id).returncode == 0
    # The newly added officer may now sign, e.g. a note.
    assert run("note", "已到场", "--case", case_id, "--as", "31000099").returncode == 0


def test_add_officer_by_key_fingerprint(world: World) -> None:
    case_id = run("case", "new", "--title", "按指纹添加", env=LEAD).stdout.strip()
    fp = world.stranger.officer.key_fp
    proc = run("case", "add-officer", "--case", case_id, "--officer", fp[:12], env=LEAD)
    assert proc.returncode == 0, proc.stderr
    added = ledger(case_id)[-1]
    assert added["data"]["key"] == fp and added["data"]["role"] == "officer"  # type: ignore[index]


def test_add_officer_refusals_are_one_line(world: World) -> None:
    case_id = run("case", "new", "--title", "拒绝", "--officer", "31000002", env=LEAD).stdout
    case_id = case_id.strip()
    before = len(ledger(case_id))
    add = ("case", "add-officer", "--case", case_id, "--officer")
    assert "no officer with badge 99999999" in _one_clean_line(run(*add, "99999999", env=LEAD))
    assert "already an officer of this case" in _one_clean_line(run(*add, "31000002", env=LEAD))
    assert "already an officer of this case" in _one_clean_line(run(*add, "31000001", env=LEAD))
    # A stranger cannot add themself (or anyone) to someone else's case.
    line = _one_clean_line(run(*add, "31000099", "--as", "31000099"))
    assert "31000099 is not an officer of this case" in line
    assert "usage" in _one_clean_line(run(*add, "31000099", "--role", "lead", env=LEAD))
    assert len(ledger(case_id)) == before
    zh = _one_clean_line(run(*add, "31000002", env={**LEAD, "QUZHENG_LANG": "zh"}))
    assert "已是本案的办案人员" in zh


def test_a_received_case_takes_no_new_officer(world: World, tsa: TsaServer, tmp_path: Path) -> None:
    case_id = export_complete_case(world, tsa, tmp_path)
    police = police_home(tmp_path, world, tsa)
    receiver = police.unlock("P0001", PASSPHRASE)
    import_package(
        police.home,
        tmp_path / "case.qzp",
        receiver,
        policy=TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
    ).close()
    env = {"QUZHENG_HOME": str(police.home), "QUZHENG_OFFICER": "P0001"}
    before = ledger(case_id, env)
    proc = run("case", "add-officer", "--case", case_id, "--officer", "P0002", env=env)
    assert "received case" in _one_clean_line(proc)
    assert ledger(case_id, env) == before
    with Case.open(police.home, case_id, recover=False) as case:
        assert case.received and "P0002" not in case.info().officers
