"""Scoring packages against the three exercises, from the package alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forensics.errors import AuthError, InputError
from forensics.training import (
    CriterionScore,
    ScoreTable,
    list_exercises,
    load_exercise,
    score_package,
)
from tests.forensics.training.conftest import Built

EXERCISES = ("shop-counterfeit-listing", "live-room-claims", "test-purchase")


def score(built: Built, exercise: str, path: Path | None = None) -> ScoreTable:
    return score_package(path or built.path, exercise, **built.trust())


def row(table: ScoreTable, cid: str) -> CriterionScore:
    return next(r for r in table.rows if r.id == cid)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_complete_package_scores_full_marks(complete: Built, exercise: str) -> None:
    table = score(complete, exercise)
    print(table.render("en"))
    assert table.integrity_ok and table.readable
    lost = {r.id: r.reason.en for r in table.rows if r.lost}
    assert not lost, lost
    assert table.total == table.max_total == 100
    assert table.passed
    assert table.trainee == "张明 (31000001)"
    assert table.duration_s is not None and table.duration_s < 600


def test_lacking_package_scores_lower_and_names_what_is_missing(lacking: Built) -> None:
    table = score(lacking, "shop-counterfeit-listing")
    assert table.integrity_ok
    assert 60 <= table.total < 100
    snap = row(table, "product-snapshot")
    assert snap.points == 0 and snap.lost == 8
    # Named in words, never as the ledger's kind code.
    assert "page snapshot" in snap.reason.en and "网页快照" in snap.reason.zh
    assert "capture." not in snap.reason.en + snap.reason.zh
    env = row(table, "env-check")
    assert env.points == 4  # the check before capture, not the one after
    assert any("after" in d.en and not d.ok for d in env.details)
    assert any("取证后" in d.zh and not d.ok for d in env.details)
    rec = row(table, "screen-recording")
    assert rec.points == 0 and "no screen recording" in rec.reason.en
    text = table.render("zh")
    assert "商品详情页网页快照" in text and "-8" in text

    live = score(lacking, "live-room-claims")
    claims = row(live, "claims-recorded")
    assert claims.points == 0
    assert all(not d.ok for d in claims.details)
    assert "not found in the recording" in claims.details[0].en
    # The raw HLS segment in the traffic still shows the "genuine" claim.
    assert row(live, "stream-data").points == 5


def test_tampered_package_scores_zero_for_integrity_and_in_total(
    complete: Built, tmp_path: Path
) -> None:
    from tests.forensics.package.conftest import rewrite

    def flip(members: dict[str, bytes]) -> None:
        name = next(n for n in members if n.endswith("-item.png"))
        data = bytearray(members[name])
        data[-20] ^= 0x01
        members[name] = bytes(data)

    bad = tmp_path / "tampered.qzp"
    rewrite(complete.path, bad, flip)
    table = score(complete, "shop-counterfeit-listing", bad)
    integrity = row(table, "integrity")
    assert not table.integrity_ok and integrity.points == 0 and integrity.lost == 20
    assert any("item-sha256" in d.en for d in integrity.details)
    assert table.total == 0 and table.subtotal > 0 and not table.passed
    assert table.rule is not None and "total is 0" in table.rule.en
    assert "总分为 0" in table.render("zh") or "总分记为 0" in table.render("zh")
    data = table.to_json()
    assert data["total"] == 0 and data["integrity_ok"] is False
    assert data["verification_errors"]


def test_cap_rule_caps_instead_of_zeroing(complete: Built, tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.forensics.package.conftest import rewrite

    ex = load_exercise("shop-counterfeit-listing")
    capped = replace(ex, integrity=replace(ex.integrity, on_fail="cap", cap=30))
    bad = tmp_path / "tampered.qzp"
    rewrite(
        complete.path, bad, lambda m: m.update({"report/README.txt": m["report/README.txt"] + b" "})
    )
    table = score_package(bad, capped, **complete.trust())
    assert not table.integrity_ok and table.total == 30 and table.subtotal == 80


def test_score_json_and_both_languages(complete: Built) -> None:
    table = score(complete, "live-room-claims")
    data = json.loads(json.dumps(table.to_json(), ensure_ascii=False))
    assert data["exercise"]["id"] == "live-room-claims" and data["total"] == 100
    assert next(c["id"] for c in data["criteria"]) == "integrity"
    assert all(c["reason"]["zh"] and c["reason"]["en"] for c in data["criteria"])
    zh, en = table.render("zh"), table.render("en")
    assert "总分：100 / 100" in zh and "合格" in zh
    assert "Total: 100 / 100" in en and "PASSED" in en


def test_unreadable_file_scores_zero(complete: Built, tmp_path: Path) -> None:
    junk = tmp_path / "junk.qzp"
    junk.write_bytes(b"not a zip at all")
    table = score(complete, "test-purchase", junk)
    assert not table.readable and table.total == 0
    assert "cannot be read" in row(table, "integrity").reason.en


def test_encrypted_without_password_and_missing_file_raise(complete: Built, tmp_path: Path) -> None:
    import pyzipper

    enc = tmp_path / "enc.qzp"
    with pyzipper.AESZipFile(enc, "w", encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"password 123")
        zf.writestr("datapackage.json", b"{}")
    with pytest.raises(AuthError):
        score(complete, "test-purchase", enc)
    with pytest.raises(InputError):
        score(complete, "test-purchase", tmp_path / "nothing.qzp")


def test_unknown_exercise_is_a_clear_error(complete: Built) -> None:
    with pytest.raises(InputError) as info:
        score(complete, "no-such-exercise")
    assert "unknown exercise" in info.value.message_en
    assert "shop-counterfeit-listing" in info.value.message_en
    assert "\n" not in info.value.message_en


def test_every_bundled_exercise_is_complete() -> None:
    exercises = {e.id: e for e in list_exercises()}
    assert set(EXERCISES) <= set(exercises)
    for e in exercises.values():
        assert e.max_points == 100 and e.integrity.weight > 0
        assert e.title.zh and e.title.en and e.briefing.zh and e.briefing.en
        assert e.scenario.zh and e.tasks
        types = {c.type for c in e.criteria}
        assert {"env_check", "officers", "case_fields", "time_limit"} <= types
