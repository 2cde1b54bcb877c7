"""``app/train.py``: the ``quzheng train`` commands, their output and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from app.train import add_train_parser, board_command, grade_command, score_command, tamper_command
from tests.forensics.training.conftest import Built, Trainees


@pytest.fixture
def home(trainees: Trainees, complete: Built, monkeypatch: pytest.MonkeyPatch) -> Path:
    trainees.ids.trust_tsa(complete.tsa_roots[0], "training-tsa")
    monkeypatch.setenv("QUZHENG_HOME", str(trainees.home))
    monkeypatch.setenv("QUZHENG_LANG", "zh")
    return trainees.home


def test_score_prints_a_table_or_json(
    home: Path, complete: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    assert score_command(complete.path, "shop-counterfeit-listing") == 0
    out = capsys.readouterr().out
    assert "总分：100 / 100" in out and "营业执照" in out
    assert score_command(complete.path, "test-purchase", json_out=True, lang="en") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 100 and data["exercise"]["id"] == "test-purchase"


def test_score_exit_codes(
    home: Path, complete: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.forensics.package.conftest import rewrite

    bad = tmp_path / "bad.qzp"
    rewrite(complete.path, bad, lambda m: m.update({"report/README.txt": b"changed"}))
    assert score_command(bad, "shop-counterfeit-listing", lang="en") == 1
    assert "Total: 0 / 100" in capsys.readouterr().out
    assert score_command(complete.path, "nope", lang="en") == 2
    err = capsys.readouterr().err
    assert err.startswith("quzheng: unknown exercise 'nope'") and err.count("\n") == 1
    assert score_command(tmp_path / "none.qzp", "test-purchase") == 2
    assert "证据包文件不存在" in capsys.readouterr().err


def test_tamper_grade_and_board(
    home: Path, complete: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "set"
    assert tamper_command(complete.path, 3, 7, out, classes=["token-moved"], lang="en") == 0
    text = capsys.readouterr().out
    assert "3 challenge(s) written" in text and "keep the answer key apart" in text
    key = json.loads((out / "answer-key.json").read_text())
    sheet = json.loads((out / "challenges" / "answers-template.json").read_text())
    for a, c in zip(sheet["answers"], key["challenges"], strict=True):
        a["class"], a["location"] = c["class"], c["location"]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(sheet), encoding="utf-8")
    assert grade_command(answers, out / "answer-key.json") == 0
    assert "总分：6 / 6" in capsys.readouterr().out
    answers.write_text("{broken", encoding="utf-8")
    assert grade_command(answers, out / "answer-key.json", lang="en") == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert tamper_command(complete.path, 2, 1, out) == 2  # not an empty folder
    assert "不是空目录" in capsys.readouterr().err

    challenges = sorted((out / "challenges").glob("*.qzp"))
    assert board_command([complete.path, *challenges], "test-purchase", tmp_path / "board") == 0
    printed = capsys.readouterr().out
    assert "leaderboard.csv" in printed and printed.index("complete.qzp") < printed.index(
        "challenge-01"
    )


def test_parser_wiring(home: Path, complete: Built, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="quzheng")
    add_train_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["train", "score", str(complete.path), "--exercise", "live-room-claims", "--lang", "en"]
    )
    assert args.func(args) == 0
    assert "Total: 100 / 100" in capsys.readouterr().out
    args = parser.parse_args(
        [
            "train",
            "tamper",
            "x.qzp",
            "--count",
            "2",
            "--seed",
            "1",
            "--out",
            "o",
            "--class",
            "token-moved",
        ]
    )
    assert args.classes == ["token-moved"]


def test_unknown_tamper_class_and_help_lists_every_class(
    home: Path,
    complete: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from forensics.training import CLASSES

    monkeypatch.setenv("COLUMNS", "400")  # no line breaks inside class names

    assert (
        tamper_command(complete.path, 2, 1, tmp_path / "o", classes=["photoshop"], lang="en") == 2
    )
    assert "unknown tamper class" in capsys.readouterr().err
    parser = argparse.ArgumentParser(prog="quzheng")
    add_train_parser(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "tamper", "--help"])
    help_text = capsys.readouterr().out.replace("\n", " ")
    assert all(c in help_text for c in CLASSES)
