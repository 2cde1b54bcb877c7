"""Chat over the WebSocket: scripted messages arrive as stream time passes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from forensics.range import LIVE_HOST, RangeServer
from forensics.range.client import client_context
from tests.forensics.range.conftest import FakeClock
from tests.forensics.range.protocols import WebSocketClient


def test_chat_messages_arrive_on_time(server: RangeServer, clock: FakeClock) -> None:
    content = server.content
    claim = content.stream.claims[0]
    context = client_context(server.ca_cert_path)
    with WebSocketClient(context, server.port, LIVE_HOST, "/ws/chat") as ws:
        assert ws.rejected is None
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["room_id"] == content.stream.room_id
        start_ms = hello["stream_ms"]
        # Move stream time past the claim and the assistant's echo of it.
        target_ms = claim.start_s * 1000 + 2000
        assert start_ms < target_ms
        clock.advance((target_ms - start_ms) / 1000)
        expected = list(content.chat_between(max(0, start_ms - 15_000), target_ms + 1))
        received = [ws.receive_json() for _ in expected]
        assert [m["seq"] for m in received] == [m.seq for m in expected]
        assert [m["text"] for m in received] == [m.text for m in expected]
        assert all(m["t_ms"] <= target_ms for m in received)
        assert f"【置顶】{claim.text}" in [m["text"] for m in received]
        ws.send_text("ping")
        pong = ws.receive_json()
        assert pong["type"] == "pong" and pong["stream_ms"] == target_ms


def test_two_clients_see_the_same_script(server: RangeServer, clock: FakeClock) -> None:
    context = client_context(server.ca_cert_path)
    with (
        WebSocketClient(context, server.port, LIVE_HOST, "/ws/chat") as a,
        WebSocketClient(context, server.port, LIVE_HOST, "/ws/chat") as b,
    ):
        a.receive_json(), b.receive_json()
        clock.advance(30)
        got_a = [a.receive_json()["seq"] for _ in range(3)]
        got_b = [b.receive_json()["seq"] for _ in range(3)]
        assert got_a == got_b


def test_stop_closes_chat_connections_promptly(range_data: Path) -> None:
    clock = FakeClock()
    server = RangeServer(range_data, now=clock)
    server.start()
    context = client_context(server.ca_cert_path)
    try:
        with WebSocketClient(context, server.port, LIVE_HOST, "/ws/chat") as ws:
            ws.receive_json()
            began = time.monotonic()
            server.stop()
            assert time.monotonic() - began < 3
            with pytest.raises(ConnectionError):
                while True:
                    ws.receive_json(timeout=2)
    finally:
        server.stop()
