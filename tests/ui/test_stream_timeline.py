"""The timeline (the case's and the workspace's sealed list) names a stream item's period and
the recording entries that show the same minutes, and a chat item's count and last message,
in Chinese — from items sealed by the capture session's own hook."""

from __future__ import annotations

from pathlib import Path

from app.desk.timeline import timeline_rows
from forensics.entry_data import ChatData
from tests.conftest import World
from tests.forensics.report.builders import FullCase
from tests.forensics.stream.test_report_section import seal_room_traffic
from ui.models.timeline import TimelineModel


def test_stream_and_chat_rows_say_what_they_hold(
    full: FullCase, world: World, tmp_path: Path, zh: str
) -> None:
    seal_room_traffic(full.case, world, tmp_path)
    records = full.case.ledger.records()
    (chat,) = [r for r in records if r.kind == "capture.chat"]
    video = full.records["video"]
    model = TimelineModel()
    model.set_rows(timeline_rows(records))
    by_kind = {model.row(i).kind: i for i in range(model.rowCount())}

    def summary(kind: str) -> str:
        return str(model.data(model.index(by_kind[kind], TimelineModel.SUMMARY)))

    # The period 11:29:59-11:30:01 UTC is 19:29:59-19:30:01 in Beijing.
    stream = summary("capture.stream")
    assert stream.startswith("直播流原样数据") and "19:29:59" in stream and "19:30:01" in stream
    assert stream.endswith(f"同一时段的录像见第 {video.seq} 条记录")
    said = ChatData.from_json(chat.data)
    assert said.last is not None
    assert summary("capture.chat") == (
        f"直播间互动消息 {said.count} 条；最后一条：{said.last.user}：{said.last.text[:80]}"
    )
