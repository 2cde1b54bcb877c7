"""The WARC writer: record format, compression choice, rolling, the run lock."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from forensics.capture.warc import (
    Block,
    RecordPlan,
    RunLock,
    SegmentSummary,
    warc_date,
    write_record,
)
from tests.forensics.capture.conftest import warcio_cli
from tests.forensics.capture.helpers import T0, FakeClock, exchange, writer


def _records(data: bytes) -> list[tuple[dict[str, str], bytes]]:
    out = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        out.append((dict(record.rec_headers.headers), record.content_stream().read()))
    return out


def test_warc_date_has_microseconds_and_z() -> None:
    assert warc_date(1_767_225_600.123456) == "2026-01-01T00:00:00.123456Z"


def test_incompressible_body_is_stored_and_text_is_deflated() -> None:
    noise = os.urandom(300_000)
    text = b"<p>\xe5\x81\x87\xe5\x86\x92\xe5\x95\x86\xe5\x93\x81</p>" * 20_000
    sizes = {}
    for name, body in (("noise", noise), ("text", text)):
        out = io.BytesIO()
        plan = RecordPlan("resource", "urn:x", warc_date(T0), "application/octet-stream")
        sizes[name] = write_record(out, plan, Block.from_bytes(b"", body, payload=True))
        assert sizes[name] == len(out.getvalue())
        ((headers, payload),) = _records(out.getvalue())
        assert payload == body
        assert headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(body).hexdigest()
        assert headers["Content-Length"] == str(len(body))
    assert len(noise) < sizes["noise"] < len(noise) + 1024  # stored blocks: near raw size
    assert sizes["text"] < len(text) // 20


def test_header_values_cannot_forge_fields() -> None:
    out = io.BytesIO()
    evil = "https://shop.example/\r\nWARC-Type: revisit\r\nX: y"
    plan = RecordPlan("resource", evil, warc_date(T0), "text/plain\r\nWARC-Truncated: length")
    write_record(out, plan, Block.from_bytes(b"", b"ok", payload=True))
    ((headers, _),) = _records(out.getvalue())
    assert headers["WARC-Type"] == "resource"
    assert "WARC-Truncated" not in headers


def test_segments_roll_by_size_and_time_and_report(tmp_path: Path) -> None:
    clock = FakeClock()
    closed: list[SegmentSummary] = []
    w = writer(tmp_path, clock=clock, segment_seconds=60, segment_bytes=250_000, closed=closed)
    assert w.seconds_until_roll() is None  # nothing open, nothing to roll
    for i in range(3):
        records = exchange(f"https://shop.test/{i}", os.urandom(100_000))
        w.write_group(sum(b.length for _, b in records), lambda _seq, r=records: r)
        w.note(f"https://shop.test/{i}", "shop.test", ["cookie"] if i == 0 else [])
    assert len(closed) == 1  # the third exchange would not fit: it opened segment 2
    assert closed[0].records == 4 and closed[0].urls == [
        "https://shop.test/0",
        "https://shop.test/1",
    ]
    assert closed[0].sensitive == [{"url": "https://shop.test/0", "headers": ["cookie"]}]
    assert w.seconds_until_roll() == 60
    clock.t += 61
    w.roll_if_due()
    assert len(closed) == 2 and closed[1].records == 2
    assert closed[1].started == warc_date(T0) and closed[1].ended == warc_date(T0 + 61)
    assert [p.name for p in sorted(tmp_path.iterdir())] == sorted(s.path.name for s in closed)
    for summary in closed:
        assert summary.path.name.startswith("traffic-") and summary.path.suffix == ".gz"
        assert warcio_cli("check", str(summary.path)).returncode == 0
    # A segment that only ever held its warcinfo is removed, not reported.
    w.note(None, None)
    assert w.roll() is None and len(closed) == 2
    assert not list(tmp_path.glob("*.open"))


def test_run_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    first, second = RunLock(tmp_path / "l"), RunLock(tmp_path / "l")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release(unlink=True)
    assert not (tmp_path / "l").exists()


def test_block_from_spool_file_reads_back(tmp_path: Path) -> None:
    body = os.urandom(3_000_000)
    head = b"HTTP/1.1 200 OK\r\n\r\n"
    spool = tmp_path / "x.body"
    spool.write_bytes(head + body)
    block = Block(
        head=head,
        body=b"",
        body_file=spool,
        body_offset=len(head),
        body_len=len(body),
        block_digest="sha256:" + hashlib.sha256(head + body).hexdigest(),
        payload_digest="sha256:" + hashlib.sha256(body).hexdigest(),
    )
    out = io.BytesIO()
    plan = RecordPlan("response", "https://x.test/", warc_date(T0), "application/http")
    write_record(out, plan, block)
    ((_, payload),) = _records(out.getvalue())
    assert payload == body
    spool.write_bytes(head + body[:10])  # the spool shrank: refuse to write a lying record
    with pytest.raises(OSError):
        write_record(io.BytesIO(), plan, block)
