"""Grading answer sheets against a tamper key."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.errors import InputError
from forensics.training import AnswerKey, AnswersError, grade, make_tamper_set
from forensics.training.grade import normalize_location
from tests.forensics.training.conftest import Built


@pytest.fixture(scope="module")
def key_path(complete: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = make_tamper_set(complete.path, 7, 5, tmp_path_factory.mktemp("grade") / "set")
    assert key.path is not None
    return key.path


def key_of(path: Path) -> AnswerKey:
    return AnswerKey.from_json(json.loads(path.read_text()))


def test_perfect_sheet_scores_full(key_path: Path) -> None:
    key = key_of(key_path)
    sheet = {
        "format": 1,
        "trainee": "李华 31000002",
        "answers": [
            {"file": c.file, "class": c.cls, "location": c.location} for c in key.challenges
        ],
    }
    report = grade(json.dumps(sheet), key_path)
    assert report.points == report.max_points == 14 and report.percent == 100
    assert report.trainee == "李华 31000002"
    assert "14 / 14" in report.render("en") and "类型正确 7/7" in report.render("zh")


def test_partly_wrong_sheet(key_path: Path, tmp_path: Path) -> None:
    key = key_of(key_path)
    by_cls = {c.cls: c for c in key.challenges}
    answers = []
    for c in key.challenges:
        if c.cls == "entries-reordered":
            # Right class, the other of the two swapped entries, written the Chinese way.
            other = next(a for a in c.accept if a != c.location)
            answers.append(
                {
                    "file": c.file,
                    "class": "entries-reordered",
                    "location": "第" + other.split()[1] + "条",
                }
            )
        elif c.cls == "token-moved":
            answers.append({"file": c.file, "class": "evidence-byte", "location": c.location})
        elif c.cls == "clock-manipulated":
            answers.append({"file": c.file, "class": "clock-manipulated", "location": "entry 0"})
        elif c.cls == "entry-removed":
            continue  # not answered
        else:
            answers.append({"file": c.file, "class": c.cls, "location": c.location})
    answers.append({"file": "challenge-99.qzp", "class": "evidence-byte", "location": "x"})
    sheet = tmp_path / "answers.json"
    sheet.write_text(json.dumps({"format": 1, "answers": answers}), encoding="utf-8")
    report = grade(sheet, key_path)
    rows = {r.expected_class: r for r in report.rows}
    assert rows["entries-reordered"].points == 2
    assert (rows["token-moved"].class_ok, rows["token-moved"].location_ok) == (False, True)
    assert (rows["clock-manipulated"].class_ok, rows["clock-manipulated"].location_ok) == (
        True,
        False,
    )
    assert rows["entry-removed"].points == 0 and rows["entry-removed"].answered_class == ""
    assert report.points == 14 - 1 - 1 - 2
    assert report.unknown_files == ("challenge-99.qzp",)
    text = report.render("en")
    assert by_cls["entry-removed"].location in text  # the right answer is shown
    data = report.to_json()
    assert data["points"] == 10 and data["max"] == 14


@pytest.mark.parametrize(
    ("given_", "want"),
    [(7, "entry 7"), ("7", "entry 7"), ("#7", "entry 7"), ("seq 7", "entry 7"),
     ("Ledger Entry 7", "entry 7"), ("第7条", "entry 7"), ("./evidence/a.png", "evidence/a.png")],
)  # fmt: skip
def test_locations_written_many_ways(given_: object, want: str) -> None:
    assert normalize_location(given_) == want


def test_malformed_input_is_one_clear_error(key_path: Path, tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="not valid JSON"):
        grade("{not json", key_path)
    with pytest.raises(AnswersError, match="answers"):
        grade(json.dumps({"format": 1}), key_path)
    with pytest.raises(InputError, match="not a Quzheng answer key"):
        grade(json.dumps({"answers": []}), json.dumps({"challenges": []}))
    with pytest.raises(AnswersError, match="cannot read"):
        grade(tmp_path / "missing.json", key_path)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(sheet=_json, key=_json)
def test_hostile_sheets_raise_only_our_errors(sheet: object, key: object) -> None:
    with contextlib.suppress(InputError):
        grade(json.dumps(sheet), json.dumps(key))


@settings(max_examples=60, deadline=None)
@given(
    answers=st.lists(
        st.dictionaries(st.sampled_from(["file", "class", "location"]), _json, max_size=3),
        max_size=5,
    )
)
def test_hostile_answers_against_a_real_key(
    key_path: Path, answers: list[dict[str, object]]
) -> None:
    try:
        report = grade(json.dumps({"format": 1, "answers": answers}), key_path)
    except InputError:
        return
    assert 0 <= report.points <= report.max_points
