"""The evidence timeline in Chinese speaks Chinese: the session's browser and targets, the
recording's resume event, an area screenshot named as such, and the numbers of the folded
time-stamp entries accounted for in the stamp column."""

from __future__ import annotations

from pathlib import Path

from app.capture.leftovers import recover
from app.capture.session import CaptureSession
from app.desk.timeline import row_from_record, timeline_rows
from app.installation import Installation
from forensics.case import Case
from forensics.entry_data import RecordingNote, SessionStartData
from forensics.entry_data.recording import PAUSE, RESUME, RESUME_DEFAULT_TEXT
from forensics.package import export_package
from forensics.report.model import build_model
from forensics.report.narrative import describe
from forensics.report.source import ReportSource
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from tests.app.capture.warcs import write_segment
from tests.conftest import World
from tests.legacy import seal_failed_export_as_before
from tests.ui.helpers import ENGLISH, write_png
from ui.models.timeline import TimelineModel

METHOD_QT = (
    "built-in fallback browser (Qt WebEngine, fresh profile; cannot play H.264/AAC) through "
    "the recording proxy (mitmproxy, WARC 1.1)"
)


def test_timeline_rows_read_in_chinese(case: Case, world: World, tmp_path: Path, zh: str) -> None:
    session = case.start_session(
        world.lead,
        SessionStartData(METHOD_QT, ("https://shop.range.test/",),
                         browser={"engine": "qtwebengine", "fallback": True}),
    )  # fmt: skip
    shot = case.seal_file(
        world.lead, write_png(tmp_path / "area.png", 200, 100), kind="capture.screenshot",
        media_type="image/png", session=session,
        data={"url": "https://shop.range.test/item/1",
              "area": {"x": 10, "y": 20, "width": 200, "height": 100}},
    )  # fmt: skip
    token = case.ledger.append(world.lead, "timestamp", {"stamped_seq": shot.seq})
    resumed = RecordingNote(RESUME, RESUME_DEFAULT_TEXT, "rec-1", 5_000_000, "2026-12-01T08:00:05Z")
    case.ledger.append(world.lead, "note", resumed.to_json(), session=session)
    model = TimelineModel()
    model.set_rows(timeline_rows(case.ledger.records()))
    by_kind = {model.row(i).kind: i for i in range(model.rowCount())}

    def cell(kind: str, column: int) -> str:
        return str(model.data(model.index(by_kind[kind], column)))

    assert cell("capture.screenshot", TimelineModel.KIND) == "区域截图"
    stamp = cell("capture.screenshot", TimelineModel.STAMP)
    assert stamp == f"已获取（第 {token.seq} 条时间戳记录）"  # the folded number, accounted for
    assert cell("note", TimelineModel.SUMMARY) == "录像继续"
    started = cell("session.start", TimelineModel.SUMMARY)
    assert started == "浏览器：内置备用浏览器  ·  取证目标：https://shop.range.test/"
    for i in range(model.rowCount()):
        summary = str(model.data(model.index(i, TimelineModel.SUMMARY)))
        assert not ENGLISH.search(summary.replace("https://shop.range.test/", "")), summary


def test_an_export_failed_in_an_earlier_version_reads_as_failed(
    case: Case, world: World, tsa: TsaServer, tmp_path: Path, zh: str
) -> None:
    """Earlier versions sealed an export entry before its package, and a note when the
    package could not be written: the timeline never shows that attempt as an export, and
    the failure note reads in Chinese."""
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)
    out = tmp_path / "out" / "x.qzp"
    out.parent.mkdir()
    seal_failed_export_as_before(case, world.lead, "x.qzp", "No space left on device (ENOSPC)")
    export_package(case, world.lead, out, tsa=config)  # the retry under the same name
    model = TimelineModel()
    model.set_rows(timeline_rows(case.ledger.records()))
    exports = [i for i in range(model.rowCount()) if model.row(i).kind == "package.export"]
    failed, done = (str(model.data(model.index(i, TimelineModel.SUMMARY))) for i in exports)
    note = model.row(exports[0]).failed_by
    assert note is not None and model.row(exports[1]).failed_by is None
    assert failed == f"导出未完成，未生成文件（见第 {note} 条记录）：x.qzp"
    assert done == "证据包 x.qzp"
    note_row = next(i for i in range(model.rowCount()) if model.row(i).seq == note)
    summary = str(model.data(model.index(note_row, TimelineModel.SUMMARY)))
    assert summary == f"第 {model.row(exports[0]).seq} 条记录的导出失败，未生成文件"


def test_a_token_obtained_during_a_session_names_its_entry(
    case: Case, world: World, tsa: TsaServer, tmp_path: Path, zh: str
) -> None:
    """The workspace adds rows as they are sealed and marks them stamped when the session's
    stamper reports: the stamp column names the folded ``timestamp`` entry there too."""
    shot = case.seal_file(
        world.lead, write_png(tmp_path / "shot.png", 20, 10), kind="capture.screenshot",
        media_type="image/png", data={"url": "https://shop.range.test/"},
    )  # fmt: skip
    model = TimelineModel(compact=True)
    model.append(row_from_record(shot, {}))
    assert str(model.data(model.index(0, TimelineModel.STAMP))) != ""
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)
    outcome = stamp_pending(case, world.lead, config)
    model.mark_stamped(outcome.stamped, outcome.tokens)
    token = outcome.tokens[shot.seq]
    assert case.ledger.records()[token].kind == "timestamp"
    assert str(model.data(model.index(0, TimelineModel.STAMP))) == f"已获取（#{token}）"


def test_the_report_reads_recording_notes_in_one_language(case: Case, world: World) -> None:
    """The pause and resume notes as the recorder seals them (the resume default is the
    recorder's own constant) print in the report's language only."""
    session = case.start_session(world.lead, SessionStartData("m", ()))
    for event, said in ((PAUSE, "主播下播"), (RESUME, RESUME_DEFAULT_TEXT)):
        note = RecordingNote(event, said, "rec-1", 1_000_000, "2026-12-01T08:00:01Z")
        case.ledger.append(world.lead, "note", note.to_json(), session=session)
    model = build_model(ReportSource.from_case(case))
    pause, resume = [r for r in model.records if r.kind == "note"]
    assert describe("zh", pause, model) == "录像暂停，原因：主播下播"
    assert describe("zh", resume, model) == "录像继续"
    assert describe("en", resume, model) == "Recording resumed"


def test_declared_account_and_recovered_files_read_in_chinese(
    case: Case, world: World, zh: str
) -> None:
    """The account a capture session declares, and what an interrupted capture left (sealed
    by the recovery), read in Chinese in the timeline and in the report."""
    session = CaptureSession(Installation(world.home), case, world.lead)
    try:
        session.set_logged_in_account("shop_8848").result(10)
        session.set_logged_in_account(None).result(10)
    finally:
        session._close_writers()
    proxy = case.store.dir / "work" / "proxy"
    proxy.mkdir(parents=True)
    write_segment(proxy, "dead00000002", [("https://b.test/", "127.0.0.1", b"B")])
    (proxy / "traffic-x.warc.gz.damaged").write_bytes(b"not a WARC")
    assert recover(case, world.lead) == []
    model = TimelineModel()
    model.set_rows(timeline_rows(case.ledger.records()))
    summaries = {
        model.row(i).seq: str(model.data(model.index(i, TimelineModel.SUMMARY)))
        for i in range(model.rowCount())
    }
    records = [r for r in case.ledger.records() if r.kind in ("note", "capture.recovered")]
    assert [summaries[r.seq] for r in records] == [
        "已登录账号：shop_8848",
        "未使用登录账号",
        "中断的取证留下：已关闭但未封存的文件",
        "中断的取证留下：无法读取的流量分段，按原样封存",
    ]
    report = build_model(ReportSource.from_case(case))
    wanted = {r.seq for r in records}
    said = [describe("zh", r, report) for r in report.records if r.seq in wanted]
    assert said[:2] == ["声明取证浏览器已登录账号：shop_8848", "声明取证浏览器未使用登录账号"]
    assert said[2].startswith("中断后恢复的分段封存：中断的取证已关闭但未封存的文件，文件 archive/")
    assert said[3].startswith("中断后恢复的分段封存：无法读取的流量分段，按原样封存，文件 archive/")
    assert not any(ENGLISH.search(text.split("archive/")[0]) for text in said)
