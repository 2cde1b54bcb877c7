"""The live room's chat, read from the sealed WebSocket message records into
{time, user, text, kind}, and written as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from forensics.range import build_content
from forensics.range.content import LIVE_HOST
from forensics.stream.chat import (
    ORDER_WORDS,
    RangeChat,
    chat_csv,
    chat_json,
    chat_summary,
    read_chat,
)
from tests.forensics.range.conftest import SEED
from tests.forensics.stream.rangestream import message_warc

CONTENT = build_content(SEED)
CHAT_URL = f"wss://{LIVE_HOST}:8443/ws/chat"


def test_the_range_chat_is_read_with_kinds(tmp_path: Path) -> None:
    sent = list(CONTENT.chat_between(0, 180_000))
    hello = json.dumps({"type": "hello", "room_id": CONTENT.stream.room_id, "stream_ms": 0})
    rows = [(CHAT_URL, "server-to-client", hello), (CHAT_URL, "client-to-server", "ping")]
    rows += [(CHAT_URL, "server-to-client", json.dumps(m.to_dict())) for m in sent]
    rows.append(("wss://other.example/ws", "server-to-client", json.dumps(sent[0].to_dict())))
    warc = message_warc(tmp_path / "t.warc.gz", rows)
    with warc.open("rb") as f:
        read = read_chat(f, warc.name)

    assert [(m.user, m.text, m.stream_ms) for m in read.messages] == [
        (m.user, m.text, m.t_ms) for m in sent
    ]
    assert read.ignored == 1 and read.sockets == [CHAT_URL] and read.parser == "practice-range"
    for got, m in zip(read.messages, sent, strict=True):
        assert got.platform_kind == m.kind
        if m.kind == "gift":
            assert got.kind == "gift"
        elif m.kind == "enter":
            assert got.kind == "enter"
        elif any(word in m.text for word in ORDER_WORDS):
            assert got.kind == "order"
        else:
            assert got.kind == "comment"
        assert got.time and got.record_id.startswith("<urn:uuid:")
    kinds = {m.kind for m in read.messages}
    assert {"comment", "gift", "order"} <= kinds  # the range's script has all three

    summary = chat_summary(read)
    assert summary["count"] == len(sent)
    assert sum(summary["by_kind"].values()) == len(sent)
    assert summary["first"]["text"] == sent[0].text and summary["last"]["text"] == sent[-1].text

    assert json.loads(chat_json(read.messages)) == [m.record() for m in read.messages]
    text = chat_csv(read.messages).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["user"], r["text"], r["kind"]) for r in table] == [
        (m.user, m.text, m.kind) for m in read.messages
    ]


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    frame = {"type": "chat", "t_ms": 5, "kind": "chat", "user": "=HYPERLINK(1)", "text": "-2+3"}
    warc = message_warc(tmp_path / "t.warc.gz", [(CHAT_URL, "server-to-client", json.dumps(frame))])
    with warc.open("rb") as f:
        read = read_chat(f, warc.name)
    (row,) = list(csv.DictReader(io.StringIO(chat_csv(read.messages).decode("utf-8-sig"))))
    assert row["user"] == "'=HYPERLINK(1)" and row["text"] == "'-2+3"
    assert json.loads(chat_json(read.messages))[0]["user"] == "=HYPERLINK(1)"  # JSON: as sent


def test_the_range_parser_matches_only_its_room_and_ignores_what_is_not_chat() -> None:
    parser = RangeChat()
    assert parser.host == LIVE_HOST
    assert parser.matches(CHAT_URL) and not parser.matches(f"wss://{LIVE_HOST}/ws/other")
    assert parser.parse("not json") is None
    assert parser.parse(json.dumps({"type": "pong", "stream_ms": 3})) is None
    assert (
        parser.parse(json.dumps({"type": "chat", "user": 3, "text": "x", "kind": "chat"})) is None
    )
