"""`quzheng verify` of a case and `quzheng report` leave a signed ledger entry when an
officer of the case acts (REQUIREMENTS E1); without one they say so and record nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.cli import main
from forensics.case import Case
from forensics.entry_data import ReportData, VerifyData
from forensics.identity import Profile
from forensics.ledger_checks import verify_case_dir
from forensics.trust import TrustPolicy
from tests.conftest import AGENCY, PASSPHRASE, World


def _kinds(case: Case) -> list[str]:
    return [r.kind for r in case.ledger.records()]


def test_verify_of_a_case_is_recorded_by_the_acting_officer(
    world: World, case: Case, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QUZHENG_OFFICER", raising=False)
    before = len(case.ledger.records())
    assert main(["verify", case.case_id]) == 0
    assert "not recorded" in capsys.readouterr().err
    assert len(case.ledger.records()) == before  # nobody named: nothing appended

    assert main(["verify", case.case_id, "--as", "31000002", "--json"]) == 0
    out, err = capsys.readouterr()
    rec = case.ledger.records()[-1]
    assert rec.kind == "verify" and rec.actor_badge == "31000002"
    assert f"ledger entry {rec.seq}" in err
    data = VerifyData.from_json(rec.data)
    assert (data.verdict, data.exit_code, data.via, data.head_seq) == ("pass", 0, "cli", before - 1)
    # the output hash is that of the result the command printed (keys sorted, compact)
    printed = json.loads(out)
    compact = json.dumps(printed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert data.result_sha256 == hashlib.sha256(compact.encode()).hexdigest()

    # A stranger's verification cannot be signed into the case: the verdict still stands.
    assert main(["verify", case.case_id, "--as", "31000099"]) == 0
    assert "not recorded" in capsys.readouterr().err
    assert _kinds(case)[-1] == "verify" and len(case.ledger.records()) == before + 1
    lines = [line for _, _, line in case.store.ledger_rows()]
    policy = TrustPolicy.of(world.ids.trusted_cas(), [])
    assert not verify_case_dir(case.store.dir, lines, policy).errors


def test_report_is_recorded_with_its_digests(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.forensics.report.builders import build_full_case

    work = tmp_path / "work"
    work.mkdir()
    fc = build_full_case(world.home, world.ids, world.lead, world.second, world.stranger, work)
    case = fc.case
    head = case.ledger.records()[-1]
    out = tmp_path / "r.pdf"
    assert main(["report", "--case", case.case_id, "--out", str(out), "--as", "31000001"]) == 0
    capsys.readouterr()
    rec = case.ledger.records()[-1]
    assert rec.kind == "custody.report"
    data = ReportData.from_json(rec.data)
    assert data.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert data.size == out.stat().st_size and data.file_name == "r.pdf"
    assert (data.head_seq, data.head_hash, data.lang, data.via) == (
        head.seq,
        head.hash,
        "zh",
        "cli",
    )
    # An officer who is not on the case is refused before anything is written.
    world.ids.init_officer(Profile("赵六", "31000777", AGENCY), PASSPHRASE)
    world.ids.issue("31000777", PASSPHRASE)
    assert main(["report", "--case", case.case_id, "--out", str(tmp_path / "x.pdf"),
                 "--as", "31000777"]) != 0  # fmt: skip
    assert "not an officer" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert case.ledger.records()[-1].seq == rec.seq
    case.close()
