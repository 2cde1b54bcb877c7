"""Leaderboards: ranked, with unreadable packages listed last, as CSV, HTML, JSON and PDF."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import pyzipper

from forensics.errors import InputError
from forensics.training import leaderboard
from forensics.training.board import FONT_PATH
from tests.forensics.training.conftest import Built


def test_board_ranks_and_writes_every_format(
    complete: Built, lacking: Built, tmp_path: Path
) -> None:
    from tests.forensics.package.conftest import rewrite

    tampered = tmp_path / "tampered.qzp"
    rewrite(
        complete.path,
        tampered,
        lambda m: m.update({"report/README.txt": m["report/README.txt"] + b"!"}),
    )
    junk = tmp_path / "junk.qzp"
    junk.write_bytes(b"PK not really")
    locked = tmp_path / "locked.qzp"
    with pyzipper.AESZipFile(locked, "w", encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"password 123")
        zf.writestr("datapackage.json", b"{}")
    out = tmp_path / "board"
    board = leaderboard(
        [junk, locked, tampered, lacking.path, complete.path], "shop-counterfeit-listing", out,
        **complete.trust(),
    )  # fmt: skip
    files = [r.file for r in board.rows]
    assert files == ["complete.qzp", "lacking.qzp", "tampered.qzp", "junk.qzp", "locked.qzp"]
    assert [r.rank for r in board.rows] == [1, 2, 3, 4, None]
    assert board.rows[4].error is not None and "password" in board.rows[4].error.en
    assert board.rows[0].total == 100 and board.rows[2].total == 0

    raw = board.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read UTF-8
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows[0][0] == "名次 rank" and "product-snapshot" in rows[0]
    assert rows[1][1] == "complete.qzp" and rows[1][4] == "100"
    assert rows[3][7] == "FAIL" and rows[4][7] == "unreadable" and rows[5][7] == "unreadable"

    page = board.html_path.read_text(encoding="utf-8")
    assert "<table>" in page and "complete.qzp" in page and "排行榜" in page
    data = json.loads(board.json_path.read_text(encoding="utf-8"))
    assert data["rows"][0]["score"]["total"] == 100
    assert data["rows"][3]["score"]["readable"] is False and data["rows"][4]["error"]
    if FONT_PATH.is_file():
        assert board.pdf_path is not None and board.pdf_path.read_bytes().startswith(b"%PDF")
    assert "complete.qzp" in board.render("zh")


def test_board_refuses_missing_files(complete: Built, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such package"):
        leaderboard([tmp_path / "x.qzp"], "test-purchase", tmp_path, **complete.trust())
    with pytest.raises(InputError, match="no packages"):
        leaderboard([], "test-purchase", tmp_path, **complete.trust())
