"""HAR 1.2 export from WARC segments."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from forensics.capture.har import warc_to_har
from forensics.capture.warc import Block
from forensics.errors import InputError, IntegrityError
from tests.forensics.capture.helpers import exchange, gzip_body, writer

HTML = "<html><body>假冒商品 ¥99</body></html>".encode()


def _segment(work: Path, groups: list[list[Any]]) -> Path:
    work.mkdir(exist_ok=True)
    w = writer(work)
    for records in groups:
        w.write_group(0, lambda _seq, r=records: r)
    summary = w.roll()
    assert summary is not None
    return summary.path


def _check_har_shape(har: dict[str, Any]) -> None:
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "Quzheng"
    for entry in log["entries"]:
        assert isinstance(entry["startedDateTime"], str) and entry["time"] >= 0
        req, resp = entry["request"], entry["response"]
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString"):
            assert key in req
        assert isinstance(req["headersSize"], int) and isinstance(req["bodySize"], int)
        for key in ("status", "statusText", "httpVersion", "cookies", "headers", "redirectURL"):
            assert key in resp
        assert isinstance(resp["content"]["size"], int) and "mimeType" in resp["content"]
        for key in ("send", "wait", "receive"):
            assert entry["timings"][key] >= 0
        assert entry["cache"] == {}


def test_har_entries_bodies_and_sensitive_flags(tmp_path: Path) -> None:
    big = os.urandom(2_000_000)
    binary = bytes(range(256)) * 4
    segment = _segment(
        tmp_path,
        [
            exchange(
                "https://shop.test/item?id=7&q=%E5%81%87",
                gzip_body(HTML),
                headers=[
                    (b"Content-Type", b"text/html; charset=utf-8"),
                    (b"Content-Encoding", b"gzip"),
                    (b"Set-Cookie", b"sid=1; Path=/; Secure; HttpOnly"),
                ],
                request_headers=[(b"Cookie", b"a=1; b=2"), (b"Authorization", b"Bearer t")],
            ),
            exchange(
                "https://img.test/logo.png", binary, headers=[(b"Content-Type", b"image/png")]
            ),
            exchange("https://cdn.test/video.mp4", big, headers=[(b"Content-Type", b"video/mp4")]),
            exchange(
                "https://api.test/login",
                b'{"ok":true}',
                method=b"POST",
                request_body=b'{"user":"officer"}',
                request_headers=[(b"Content-Type", b"application/json")],
                headers=[(b"Content-Type", b"application/json")],
            ),
            exchange(
                "https://shop.test/go", b"", status=b"302 Found", headers=[(b"Location", b"/")]
            ),
        ],
    )
    out = tmp_path / "capture.har"
    warc_to_har([segment], out, max_body_bytes=1_000_000)
    har = json.loads(out.read_text(encoding="utf-8"))
    _check_har_shape(har)
    entries = {e["request"]["url"]: e for e in har["log"]["entries"]}
    assert len(entries) == 5

    item = entries["https://shop.test/item?id=7&q=%E5%81%87"]
    assert item["request"]["queryString"] == [
        {"name": "id", "value": "7"},
        {"name": "q", "value": "假"},
    ]
    assert item["request"]["cookies"] == [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]
    assert item["response"]["content"]["text"] == HTML.decode()  # content-encoding removed
    assert item["response"]["content"]["size"] == len(HTML)
    assert item["response"]["bodySize"] == len(gzip_body(HTML))
    assert item["response"]["cookies"][0]["secure"] is True
    assert item["_quzheng"]["sensitive"] == ["cookie", "authorization", "set-cookie"]
    assert item["serverIPAddress"] == "127.0.0.1"
    assert item["time"] == 250.0

    logo = entries["https://img.test/logo.png"]["response"]["content"]
    assert logo["encoding"] == "base64" and base64.b64decode(logo["text"]) == binary

    video = entries["https://cdn.test/video.mp4"]["response"]["content"]
    assert "text" not in video and "see WARC record <urn:uuid:" in video["comment"]
    assert video["size"] == len(big)

    login = entries["https://api.test/login"]
    assert login["request"]["postData"] == {
        "mimeType": "application/json",
        "text": '{"user":"officer"}',
    }
    redirect = entries["https://shop.test/go"]["response"]
    assert redirect["status"] == 302 and redirect["redirectURL"] == "/"
    assert har["log"]["_quzheng"]["sensitive_entries"] == 1


def test_request_without_response_is_status_zero(tmp_path: Path) -> None:
    (request, _response) = exchange("https://shop.test/timeout", b"")
    segment = _segment(tmp_path, [[request]])
    out = tmp_path / "x.har"
    warc_to_har([segment], out)
    (entry,) = json.loads(out.read_text(encoding="utf-8"))["log"]["entries"]
    assert entry["response"]["status"] == 0


def test_pairs_across_segments(tmp_path: Path) -> None:
    request, response = exchange(
        "https://shop.test/slow", b"done", headers=[(b"Content-Type", b"text/plain")]
    )
    first = _segment(tmp_path / "a", [[request]])
    second = _segment(tmp_path / "b", [[response]])
    out = tmp_path / "x.har"
    warc_to_har([first, second], out)
    (entry,) = json.loads(out.read_text(encoding="utf-8"))["log"]["entries"]
    assert entry["response"]["content"]["text"] == "done"


def test_har_refuses_a_record_altered_after_capture(tmp_path: Path) -> None:
    """The body was changed and re-packed, but the digest recorded at capture was kept."""
    request, (plan, block) = exchange("https://shop.test/price", b"price: 999")
    forged = Block.from_bytes(block.head, b"price: 001", payload=True)
    forged.block_digest, forged.payload_digest = block.block_digest, block.payload_digest
    segment = _segment(tmp_path, [[request, (plan, forged)]])
    out = tmp_path / "x.har"
    with pytest.raises(IntegrityError):
        warc_to_har([segment], out)
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_garbage_input_is_an_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    with pytest.raises(InputError) as info:
        warc_to_har([junk], tmp_path / "x.har")
    assert info.value.message_zh


def _ws_message(handshake: str, text: str, direction: str, ts: float) -> list[Any]:
    from forensics.capture.warc import RecordPlan, warc_date

    plan = RecordPlan(
        "resource",
        "wss://live.test/ws",
        warc_date(ts),
        "text/plain; charset=utf-8",
        extra=[
            ("WARC-Concurrent-To", handshake),
            ("Quzheng-Message-Protocol", "websocket"),
            ("Quzheng-Message-Direction", direction),
        ],
    )
    return [(plan, Block.from_bytes(b"", text.encode(), payload=False))]


def test_websocket_messages_whose_handshake_is_in_another_segment(tmp_path: Path) -> None:
    """A live stream outlasts its segment: its messages still appear, under an entry of
    their own (GET, 101, no headers) with a comment naming the handshake record."""
    handshake = "<urn:uuid:00000000-0000-4000-8000-000000000001>"
    segment = _segment(
        tmp_path,
        [
            _ws_message(handshake, "bid 42", "client-to-server", 1_780_000_001.5),
            _ws_message(handshake, "echo: bid 42", "server-to-client", 1_780_000_001.75),
        ],
    )
    out = tmp_path / "x.har"
    summary = warc_to_har([segment], out)
    har = json.loads(out.read_text(encoding="utf-8"))
    _check_har_shape(har)
    (entry,) = har["log"]["entries"]
    assert entry["request"]["method"] == "GET" and entry["response"]["status"] == 101
    assert handshake in entry["response"]["comment"]
    assert entry["_webSocketMessages"] == [
        {"type": "send", "time": 1_780_000_001.5, "opcode": 1, "data": "bid 42"},
        {"type": "receive", "time": 1_780_000_001.75, "opcode": 1, "data": "echo: bid 42"},
    ]
    assert summary.entries == 1 and summary.websocket_messages == 2
    assert har["log"]["_quzheng"]["websocket_messages"] == 2


def test_websocket_message_over_the_body_limit_is_listed_without_data(tmp_path: Path) -> None:
    handshake = "<urn:uuid:00000000-0000-4000-8000-000000000002>"
    segment = _segment(
        tmp_path,
        [_ws_message(handshake, "x" * 5000, "server-to-client", 1_780_000_002.0)],
    )
    out = tmp_path / "x.har"
    summary = warc_to_har([segment], out, max_body_bytes=1000)
    (entry,) = json.loads(out.read_text(encoding="utf-8"))["log"]["entries"]
    (message,) = entry["_webSocketMessages"]
    assert message["data"] == "" and message["_quzheng"]["size"] >= 1000
    assert "see WARC record <urn:uuid:" in message["_quzheng"]["comment"]
    assert entry["_quzheng"]["websocket"]["not_embedded"] == 1
    assert summary.websocket_not_embedded == 1
