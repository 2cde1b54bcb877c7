"""The chat viewer (``ui/viewers/chat.py``), offscreen, with a chat list written by the core
from the range's messages: one row per message, time in Beijing time, the kind translated;
a file that is not a chat list is said to be so. ``capture.chat`` JSON items open in it."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.desk.beijing import beijing
from app.desk.timeline import ItemRef
from forensics.range import build_content
from forensics.stream.chat import ChatMessage, chat_json
from tests.forensics.range.conftest import SEED
from ui.viewers import CHAT, TEXT, viewer_kind
from ui.viewers.chat import ChatViewer


def messages() -> list[ChatMessage]:
    kinds = {"chat": "comment", "assistant": "comment", "gift": "gift", "enter": "enter"}
    return [
        ChatMessage(
            f"2026-12-06T23:40:{10 + i:02d}.250000Z",
            m.user,
            m.text,
            "order" if m.text == "已下单" else kinds[m.kind],
            m.kind,
            m.t_ms,
            f"<urn:uuid:{i}>",
        )
        for i, m in enumerate(build_content(SEED).chat_between(0, 40_000))
    ]


def shown(viewer: ChatViewer) -> list[list[str]]:
    table = viewer.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_chat_list_is_a_table_in_beijing_time(qtbot: QtBot, tmp_path: Path, zh: str) -> None:
    sent = messages()
    path = tmp_path / "chat.json"
    path.write_bytes(chat_json(sent))
    viewer = ChatViewer()
    qtbot.addWidget(viewer)
    viewer.load(path)
    qtbot.waitUntil(lambda: viewer.table.rowCount() == len(sent))
    names = {"comment": "评论", "gift": "礼物", "order": "下单", "enter": "进场"}
    assert shown(viewer) == [[beijing(m.time), m.user, names[m.kind], m.text] for m in sent]
    assert shown(viewer)[0][0].startswith("2026-12-07 07:40:10.250")
    assert f"共 {len(sent)} 条消息" in viewer.info.text()
    assert viewer.table.horizontalHeaderItem(0).text() == "时间（北京时间）"

    path.write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    viewer.load(path)
    assert viewer.table.rowCount() == 0 and "不是可读取的互动消息列表" in viewer.info.text()


def test_chat_items_open_in_the_chat_viewer() -> None:
    chat = ItemRef("chat/000012-chat-traffic-1.json", 10, "a" * 64, "b" * 64, "application/json")
    other = ItemRef("har/000013-traffic-1.har", 10, "a" * 64, "b" * 64, "application/json")
    csv = ItemRef("chat/000012-chat-traffic-1.csv", 10, "a" * 64, "b" * 64, "text/csv")
    assert viewer_kind(chat) == CHAT
    assert viewer_kind(other) == TEXT and viewer_kind(csv) == TEXT
