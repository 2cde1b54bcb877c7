"""The stream and chat items in the report: sealed from a traffic segment by the capture
session's own hook (``app.capture.stream_items`` with a real ``Sealer``), then listed in
the report beside the recording segment they overlap, with the chat's count and its first
and last messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.capture.sealer import Item, Sealer
from app.capture.stream_items import StreamItems
from forensics.case import Case
from forensics.entry_data import ChatData, StreamData
from forensics.range import build_content
from forensics.range.content import LIVE_HOST
from forensics.report import ReportSource, build_report
from forensics.report.labels import label
from tests.conftest import World
from tests.forensics.package.test_entry_data import read_back
from tests.forensics.range.conftest import SEED
from tests.forensics.report.builders import FullCase
from tests.forensics.report.test_report import pages_text, squeeze
from tests.forensics.stream.rangestream import FLV_URL, message_warc, range_flv

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
CHAT_URL = f"wss://{LIVE_HOST}/ws/chat"


def seal_room_traffic(case: Case, world: World, tmp_path: Path) -> StreamItems:
    """A traffic segment of the live room sealed through a session's sealer, its stream and
    chat items derived by the session's hook."""
    sent = list(build_content(SEED).chat_between(8000, 16000))
    warc = message_warc(
        tmp_path / "traffic-room.warc.gz",
        [(CHAT_URL, "server-to-client", json.dumps(m.to_dict())) for m in sent],
        [(FLV_URL, "video/x-flv", range_flv(4, 4))],
    )
    sealer = Sealer(case, world.lead)
    items = StreamItems(case, sealer, tmp_path / "stream-tmp", warn=pytest.fail)
    sealer.on_record = items.on_record
    try:
        # The recording segment of the full case ran 11:30:00-11:30:02 (UTC).
        sealer.seal_items(
            "capture.traffic",
            {
                "segment": warc.name,
                "started": "2026-11-28T11:29:59.000000Z",
                "ended": "2026-11-28T11:30:01.500000Z",
            },
            [Item(warc.name, "application/warc", path=warc)],
            folder="archive",
        ).result(30)
        assert items.drain(60)
        sealer.drain(30)
    finally:
        items.close()
        sealer.close()
    return items


def test_report_lists_stream_beside_recording_and_the_chat(
    full: FullCase, world: World, tmp_path: Path
) -> None:
    case = full.case
    seal_room_traffic(case, world, tmp_path)
    (stream,) = [r for r in case.ledger.records() if r.kind == "capture.stream"]
    (chat,) = [r for r in case.ledger.records() if r.kind == "capture.chat"]
    video = full.records["video"]
    assert [o["seq"] for o in stream.data["recording_overlap"]] == [video.seq]
    assert stream.data["recording_overlap"][0]["overlap_ms"] == 1500
    assert chat.data["count"] > 0 and chat.data["first"]["kind"] in (
        "comment",
        "gift",
        "order",
        "enter",
    )
    # Both read back through their one type as exactly what the producers sealed (the
    # rest of this case is built by hand: tests/forensics/report/builders.py).
    assert read_back([stream, chat]) == {"capture.stream", "capture.chat"}
    typed, said = StreamData.from_json(stream.data), ChatData.from_json(chat.data)
    assert [(o.seq, o.overlap_ms) for o in typed.recording_overlap] == [(video.seq, 1500)]
    assert typed.sources and all(s.segment and s.record_id for s in typed.sources)
    assert typed.parent is not None and typed.parent.sha256 == stream.data["parent_sha256"]
    assert said.first is not None and said.count == sum(said.by_kind.values())
    assert said.period == typed.period and said.period.started

    source = ReportSource.from_case(case)
    for lang in ("zh", "en"):
        out = tmp_path / f"r-{lang}.pdf"
        build_report(source, out, lang=lang, now=lambda: NOW)
        text = squeeze("\n".join(pages_text(out)))
        assert squeeze(label(lang, "st.head")) in text and squeeze(label(lang, "ch.head")) in text
        assert squeeze(stream.items[0].path) in text
        assert squeeze(video.items[0].path) in text  # the overlapping recording segment
        shared = "重叠1.5秒" if lang == "zh" else "1.5sshared"
        assert shared in text
        assert (
            squeeze(chat.data["first"]["text"]) in text
            and squeeze(chat.data["last"]["text"]) in text
        )
        assert squeeze(chat.data["first"]["user"]) in text
