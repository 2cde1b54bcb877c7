"""At the desk, the unlocked officer's verification, report and viewing of evidence are
recorded in the case's ledger (app.desk.access); viewing is recorded once per item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desk import access
from app.desk.cases import verify_case
from app.desk.report import write_report
from app.installation import Installation
from forensics.entry_data import AccessData
from forensics.identity import Profile
from tests.conftest import AGENCY, PASSPHRASE, World


@pytest.fixture
def desk() -> Iterator[None]:
    yield
    access.set_officer(None)


def test_views_once_per_item_and_only_by_an_officer_of_the_case(
    world: World, tmp_path: Path, desk: None
) -> None:
    from tests.forensics.report.builders import build_full_case

    work = tmp_path / "work"
    work.mkdir()
    fc = build_full_case(world.home, world.ids, world.lead, world.second, world.stranger, work)
    case_id = fc.case.case_id
    fc.case.close()
    inst = Installation(world.home)
    shot = fc.records["shot"]
    assert access.viewed(inst, case_id, shot.seq, shot.items[0]) is None  # nobody unlocked

    access.set_officer(world.second)
    first = access.viewed(inst, case_id, shot.seq, shot.items[0])
    assert first is not None
    rec = first.result(timeout=60)
    assert rec is not None and rec.kind == "custody.access" and rec.actor_badge == "31000002"
    assert AccessData.from_json(rec.data) == AccessData(
        shot.seq, shot.items[0].path, shot.items[0].sha256, "gui"
    )
    assert access.viewed(inst, case_id, shot.seq, shot.items[0]) is None  # once

    report = verify_case(inst, case_id)
    summary = write_report(inst, case_id, tmp_path / "desk", "en")
    assert summary.path.name == "desk.pdf"
    with inst.open_case(case_id, recover=False) as case:
        kinds = [r.kind for r in case.ledger.records()]
        assert kinds[-3:] == ["custody.access", "verify", "custody.report"]
        assert case.ledger.records()[-2].data["verdict"] == str(report.verdict)

    # An officer who is not on the case records nothing (it could not sign the case).
    world.ids.init_officer(Profile("赵六", "31000777", AGENCY), PASSPHRASE)
    world.ids.issue("31000777", PASSPHRASE)
    access.set_officer(world.ids.unlock("31000777", PASSPHRASE))
    full = fc.records["full"]
    later = access.viewed(inst, case_id, full.seq, full.items[0])
    assert later is not None and later.result(timeout=60) is None
    verify_case(inst, case_id)
    with inst.open_case(case_id, recover=False) as case:
        assert [r.kind for r in case.ledger.records()][-3:] == kinds[-3:]
