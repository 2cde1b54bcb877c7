"""The item models, without windows: case list, evidence timeline, traffic, findings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from app.desk import cases
from app.desk.timeline import StampState, beijing_time, offset_text, timeline_rows
from app.desk.traffic import read_exchanges
from app.installation import Installation
from forensics.case import Case
from forensics.ledger_checks import Finding, Severity
from tests.conftest import World
from tests.ui.helpers import fill_case, write_warc
from ui.models.case_list import CASE_ID_ROLE, CaseListModel
from ui.models.findings import FindingsModel
from ui.models.timeline import ROW_ROLE, TimelineModel, human_size
from ui.models.traffic import TrafficModel

D = Qt.ItemDataRole.DisplayRole


def cell(model: object, row: int, col: int, role: int = D) -> object:
    return model.data(model.index(row, col), role)  # type: ignore[attr-defined]


def test_beijing_time_and_offsets() -> None:
    assert beijing_time("2026-11-28T19:30:01.123456Z") == "2026-11-29 03:30:01"
    assert beijing_time("not a time") == "not a time"
    assert offset_text(-12_345) == "-0.012 s" and offset_text(None) == ""
    assert human_size(0) == "" and human_size(512) == "512 B" and human_size(2048) == "2.0 KiB"


def test_timeline_model_rows_from_the_ledger(case: Case, world: World, tmp_path: Path) -> None:
    fill_case(case, world.lead, tmp_path)
    rows = timeline_rows(case.ledger.records())
    model = TimelineModel()
    model.set_rows(rows)
    assert model.rowCount() == len(rows) and model.columnCount() == 8
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no children
    kinds = [r.kind for r in rows]
    assert kinds[:3] == ["case.open", "officer.add", "officer.add"]
    shot = kinds.index("capture.screenshot")
    assert cell(model, shot, TimelineModel.KIND) == "screenshot"
    assert cell(model, shot, TimelineModel.FILE).endswith("-shot.png")
    assert cell(model, shot, TimelineModel.SHA256) == rows[shot].items[0].sha256[:12]
    assert cell(model, shot, TimelineModel.SIZE).endswith("KiB")
    assert cell(model, shot, TimelineModel.TIME) == beijing_time(rows[shot].time)
    # No TSA here: every seal point is queued; entries that are not seal points show "—".
    assert cell(model, shot, TimelineModel.STAMP) == "queued"
    assert cell(model, kinds.index("note"), TimelineModel.STAMP) == "—"
    assert cell(model, kinds.index("note"), TimelineModel.SUMMARY) == "页面标称“正品保证”"
    tip = cell(model, shot, TimelineModel.SHA256, Qt.ItemDataRole.ToolTipRole)
    assert rows[shot].items[0].sm3 in str(tip)
    assert cell(model, shot, 0, ROW_ROLE) is rows[shot]
    assert model.queued() == sum(1 for r in rows if r.stamp is StampState.QUEUED)

    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    model.mark_stamped([rows[shot].seq])
    assert cell(model, shot, TimelineModel.STAMP) == "stamped" and changed == [shot]
    assert model.headerData(TimelineModel.SHA256, Qt.Orientation.Horizontal) == "SHA-256"


def test_timeline_model_appends_in_seq_order(case: Case) -> None:
    rows = timeline_rows(case.ledger.records())
    model = TimelineModel()
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    for r in reversed(rows):
        model.append(r)
    model.append(rows[0])  # the same entry again is ignored
    assert [r.seq for r in model.rows()] == [r.seq for r in rows]
    assert inserted == [0] * len(rows) and model.row_of(rows[-1].seq) == len(rows) - 1


def test_time_stamp_entries_fold_into_the_entry_they_cover(case: Case, world: World) -> None:
    rec = case.note(world.lead, "x")
    case.ledger.append(world.lead, "timestamp", {"stamped_seq": 0})
    rows = timeline_rows(case.ledger.records())
    assert "timestamp" not in [r.kind for r in rows] and rows[-1].seq == rec.seq
    assert len(timeline_rows(case.ledger.records(), tokens=True)) == len(rows) + 1


def test_case_list_model(world: World, case: Case) -> None:
    model = CaseListModel()
    model.set_cases(cases.case_summaries(Installation(world.home)))
    assert model.rowCount() == 1 and model.columnCount() == 5
    assert cell(model, 0, CaseListModel.NUMBER) == "测试〔2026〕1号"
    assert cell(model, 0, CaseListModel.TITLE) == "测试案件"
    assert cell(model, 0, CaseListModel.OFFICERS) == "张明 (31000001)、李华 (31000002)"
    assert cell(model, 0, CaseListModel.STATUS) == "open"
    assert str(cell(model, 0, CaseListModel.ACTIVITY)).startswith("20")
    assert cell(model, 0, 0, CASE_ID_ROLE) == case.case_id
    assert model.row_of(case.case_id) == 0 and model.row_of("nope") == -1
    assert model.data(QModelIndex()) is None


def test_traffic_model_reads_the_warc_with_bounded_bodies(tmp_path: Path) -> None:
    big = b"<p>" + b"x" * 50_000 + b"</p>"
    warc = write_warc(
        tmp_path / "t.warc.gz",
        [
            ("https://shop.range.test/", "<h1>旗舰店</h1>".encode()),
            ("https://shop.range.test/big", big),
        ],
    )
    exchanges = read_exchanges(warc, preview_bytes=1024)
    model = TrafficModel()
    model.set_exchanges(exchanges)
    assert model.rowCount() == 2
    assert [cell(model, r, TrafficModel.URL) for r in range(2)] == [
        "https://shop.range.test/",
        "https://shop.range.test/big",
    ]
    assert cell(model, 0, TrafficModel.STATUS) == "200"
    assert cell(model, 0, TrafficModel.IP) == "127.0.0.1"
    first = model.exchange(0)
    assert first.preview == "<h1>旗舰店</h1>" and ("Cookie", "sid=officer") in first.request_headers
    assert "cookie" in {s.lower() for s in first.sensitive}
    second = model.exchange(1)
    assert len(second.preview) <= 1024 and second.preview_note  # cut, and it says so


def test_findings_model_sorts_errors_first_in_the_chosen_language() -> None:
    findings = [
        Finding("self-signed", Severity.INFO, "officer", "self-signed", "自签名"),
        Finding("item-hash", Severity.ERROR, "evidence/1.png", "hash differs", "哈希不一致"),
    ]
    model = FindingsModel("zh")
    model.set_findings(findings)
    assert cell(model, 0, FindingsModel.CODE) == "item-hash"
    assert cell(model, 0, FindingsModel.MESSAGE) == "哈希不一致"
    assert cell(model, 1, FindingsModel.SEVERITY) == "info"
    assert model.finding(0).severity is Severity.ERROR
