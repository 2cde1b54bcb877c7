"""Segments built without a proxy, for the writer, recovery and HAR unit tests."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from forensics.capture.warc import (
    Block,
    RecordPlan,
    SegmentSummary,
    SegmentWriter,
    new_record_id,
    warc_date,
)

T0 = 1_780_000_000.0


class FakeClock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def writer(
    work: Path,
    run_id: str = "0123456789ab",
    *,
    clock: FakeClock | None = None,
    segment_seconds: float = 60,
    segment_bytes: int = 1 << 30,
    closed: list[SegmentSummary] | None = None,
) -> SegmentWriter:
    sink = closed if closed is not None else []
    return SegmentWriter(
        work,
        run_id,
        T0,
        lambda name, seq: [("software", "test"), ("operator", "测试员"), ("segment", str(seq))],
        segment_seconds=segment_seconds,
        segment_bytes=segment_bytes,
        on_closed=sink.append,
        clock=clock or FakeClock(),
    )


def exchange(
    url: str,
    body: bytes,
    *,
    status: bytes = b"200 OK",
    headers: list[tuple[bytes, bytes]] | None = None,
    request_headers: list[tuple[bytes, bytes]] | None = None,
    method: bytes = b"GET",
    request_body: bytes = b"",
    ts: float = T0,
) -> list[tuple[RecordPlan, Block]]:
    """A request and its response, linked both ways, as the recording addon writes them."""
    req_id, resp_id = new_record_id(), new_record_id()
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    host = url.split("/")[2]
    req_head = (
        method
        + b" /"
        + path.encode()
        + b" HTTP/1.1\r\nHost: "
        + host.encode()
        + b"\r\n"
        + b"".join(k + b": " + v + b"\r\n" for k, v in request_headers or [])
        + b"\r\n"
    )
    resp_head = (
        b"HTTP/1.1 "
        + status
        + b"\r\n"
        + b"".join(k + b": " + v + b"\r\n" for k, v in headers or [])
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    common = [("WARC-IP-Address", "127.0.0.1"), ("WARC-Protocol", "http/1.1")]
    req = RecordPlan(
        "request",
        url,
        warc_date(ts),
        "application/http;msgtype=request",
        record_id=req_id,
        extra=[*common, ("WARC-Concurrent-To", resp_id)],
    )
    resp = RecordPlan(
        "response",
        url,
        warc_date(ts + 0.25),
        "application/http;msgtype=response",
        record_id=resp_id,
        extra=[*common, ("WARC-Concurrent-To", req_id)],
    )
    return [
        (req, Block.from_bytes(req_head, request_body, payload=True)),
        (resp, Block.from_bytes(resp_head, body, payload=True)),
    ]


def gzip_body(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def write_spool(
    work: Path, run_id: str, url: str, head: bytes, body: bytes, *, rtype: str = "response"
) -> None:
    """What the writer leaves when it dies while a large body is arriving."""
    spool = work / f".spool-{run_id}"
    spool.mkdir(exist_ok=True)
    plan = RecordPlan(rtype, url, warc_date(T0), f"application/http;msgtype={rtype}")
    body_id = os.urandom(8).hex()
    (spool / f"{body_id}.json").write_text(
        json.dumps({"v": 1, "plan": plan.to_json(), "head_len": len(head)}), encoding="utf-8"
    )
    (spool / f"{body_id}.body").write_bytes(head + body)


def crashed_segment_with(
    work: Path, head: bytes, body: bytes, run_id: str = "0123456789ab"
) -> tuple[RecordPlan, Path]:
    """An open segment a killed proxy left, holding one response record (its plan too)."""
    w = writer(work, run_id)
    plan = RecordPlan(
        "response",
        "https://live.test/flv/live.flv",
        warc_date(T0),
        "application/http;msgtype=response",
        extra=[("WARC-Segment-Number", "1")],
    )
    block = Block.from_bytes(head, body, payload=False)
    w.write_group(0, lambda _seq: [(plan, block)])
    w.abandon()
    (path,) = work.glob("*.warc.gz.open")
    return plan, path
