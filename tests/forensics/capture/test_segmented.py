"""WARC 1.1 record segmentation in the proxy's writer thread, without a proxy: the jobs the
recording addon hands over, and what the segments and their summaries then hold."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from forensics.capture.controller import SegmentInfo
from forensics.capture.recover import recover_open_segments
from forensics.capture.traffic_writer import Chunk, EndBody, Roll, StartBody, Stop, Writer
from forensics.capture.warc import RecordPlan, SegmentSummary, new_record_id, warc_date
from forensics.errors import CaptureError
from tests.forensics.capture.conftest import pattern, warcio_cli
from tests.forensics.capture.helpers import T0, crashed_segment_with, writer
from tests.forensics.capture.streaming import read_series, sha256

URL = "https://live.test/flv/live.flv"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n\r\n"


def start(tmp_path: Path) -> tuple[Writer, list[SegmentSummary], list[dict[str, object]]]:
    closed: list[SegmentSummary] = []
    events: list[dict[str, object]] = []
    segments = writer(tmp_path, closed=closed)
    w = Writer(segments, tmp_path / ".spool-0123456789ab", events.append, on_fatal=lambda: None)
    (tmp_path / ".spool-0123456789ab").mkdir()
    segments.on_closed = closed.append  # the summaries themselves, not their events
    w.start()
    return w, closed, events


def response_plan(url: str = URL) -> RecordPlan:
    return RecordPlan(
        "response",
        url,
        warc_date(T0),
        "application/http;msgtype=response",
        record_id=new_record_id(),
        extra=[("WARC-IP-Address", "127.0.0.1")],
    )


def settle(w: Writer) -> None:
    deadline = time.monotonic() + 10
    while not w.queue.empty() or w._pending is not None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.1)  # the last job taken is being handled


def test_open_response_is_committed_at_each_roll(tmp_path: Path) -> None:
    w, closed, _ = start(tmp_path)
    pieces = [pattern(300_000, 0), pattern(1000, 300_000), pattern(5000, 301_000)]
    plan = response_plan()
    w.put(StartBody("b1", plan, HEAD, conn_id="c1"))
    w.put(Chunk("b1", [pieces[0]]))
    w.put(Roll())
    w.put(Chunk("b1", [pieces[1]]))
    w.put(Roll())
    w.put(Roll())  # nothing new: no empty part, and no empty segment
    w.put(Chunk("b1", [pieces[2]]))
    w.put(EndBody("b1", None, "disconnect", "c1", URL, "live.test"))
    w.put(Stop())
    w.join(10)
    body = b"".join(pieces)
    assert [len(s.partials) for s in closed] == [1, 1, 1]
    parts = [p for s in closed for p in s.partials]
    assert [p["segment_number"] for p in parts] == [1, 2, 3]
    assert [(p["payload_from"], p["payload_to"]) for p in parts] == [
        (0, 300_000),
        (300_000, 301_000),
        (301_000, 306_000),
    ]
    assert [p["last"] for p in parts] == [False, False, True]
    assert parts[-1]["truncated"] == "disconnect"
    assert {p["origin_id"] for p in parts} == {plan.record_id}
    for p in parts:
        piece = body[int(str(p["payload_from"])) : int(str(p["payload_to"]))]
        assert p["payload_sha256"] == sha256(piece) and p["uri"] == URL
    series = read_series([s.path for s in closed], URL)
    assert series.payload == body
    assert series.parts[0].block_len == len(HEAD) + 300_000
    assert series.parts[-1].truncated == "disconnect"
    assert series.parts[-1].total == len(HEAD) + len(body)
    for summary in closed:
        assert summary.urls == [URL]
        check = warcio_cli("check", "-v", str(summary.path))
        assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout
    assert list((tmp_path / ".spool-0123456789ab").iterdir()) == []


def test_stop_ends_an_open_series_and_short_responses_stay_whole(tmp_path: Path) -> None:
    w, closed, _ = start(tmp_path)
    w.put(StartBody("short", response_plan("https://live.test/"), HEAD))
    w.put(Chunk("short", [b"<html>done</html>"]))
    w.put(EndBody("short", None, None, None, "https://live.test/", "live.test"))
    w.put(StartBody("b1", response_plan(), HEAD))
    w.put(Chunk("b1", [b"first"]))
    w.put(Roll())
    w.put(Chunk("b1", [b"second"]))
    w.put(Stop())
    w.join(10)
    series = read_series([s.path for s in closed], URL)
    assert series.payload == b"firstsecond"
    assert [p.rtype for p in series.parts] == ["response", "continuation"]
    assert series.parts[-1].truncated == "unspecified"
    with closed[0].path.open("rb") as f:
        whole = [
            r
            for r in ArchiveIterator(f)
            if (r.rec_headers.get("WARC-Target-URI") or "").endswith("/")
        ]
    (short,) = whole
    assert short.rec_headers.get("WARC-Segment-Number") is None
    assert short.rec_headers.get("WARC-Payload-Digest") is not None


def test_crash_after_a_part_recovery_ends_the_series(tmp_path: Path) -> None:
    w, closed, _ = start(tmp_path)
    plan = response_plan()
    w.put(StartBody("b1", plan, HEAD))
    w.put(Chunk("b1", [b"sealed part"]))
    w.put(Roll())
    w.put(Chunk("b1", [b"spooled, not sealed"]))
    settle(w)
    # The proxy dies here: a segment held open for the stream, its next part in the spool.
    assert list(tmp_path.glob("*.warc.gz.open"))
    w.failed.set()  # the thread drains and exits without writing anything more
    w.put(Stop())
    w.join(10)
    # ... and its files are closed as the kernel closes a dead process's files.
    w.segments.abandon()
    for spool in w._spools.values():
        spool.close()
    recovered = recover_open_segments(tmp_path)
    assert len(recovered) == 1
    series = read_series([closed[0].path, *recovered], URL)
    assert series.payload == b"sealed partspooled, not sealed"
    tail = series.parts[-1]
    assert (tail.rtype, tail.number, tail.truncated) == ("continuation", 2, "unspecified")
    assert tail.total == len(HEAD) + len(series.payload)
    assert warcio_cli("check", str(recovered[0])).returncode == 0


def test_recovery_does_not_repeat_a_part_already_in_the_segment(tmp_path: Path) -> None:
    """The proxy died after writing a part but before its spool started over: the spool
    still describes that very record, which the open segment holds whole."""
    plan, path = crashed_segment_with(tmp_path, HEAD, b"part one")
    spool = tmp_path / ".spool-0123456789ab"
    spool.mkdir()
    (spool / "b1.json").write_text(
        json.dumps({"v": 1, "plan": plan.to_json(), "head_len": len(HEAD)}), encoding="utf-8"
    )
    (spool / "b1.body").write_bytes(HEAD + b"part one")
    (recovered,) = recover_open_segments(tmp_path)
    assert not path.exists() and not spool.exists()
    with recovered.open("rb") as f:
        ids = [r.rec_headers.get("WARC-Record-ID") for r in ArchiveIterator(f)]
    assert ids.count(plan.record_id) == 1


def test_segment_event_parts_reach_the_ledger_data_and_bad_ones_are_refused() -> None:
    part = {
        "uri": URL,
        "origin_id": "<urn:uuid:1>",
        "record_id": "<urn:uuid:2>",
        "segment_number": 2,
        "payload_from": 10,
        "payload_to": 20,
        "payload_sha256": "ab" * 32,
        "last": False,
        "truncated": None,
    }
    event: dict[str, object] = {
        "event": "segment",
        "path": "/tmp/x/traffic-1.warc.gz",
        "records": 1,
        "bytes": 100,
        "urls": [URL],
        "hosts": ["live.test"],
        "sensitive": [],
        "started": warc_date(T0),
        "ended": warc_date(T0 + 60),
        "partials": [part],
    }
    info = SegmentInfo.from_event(event)
    assert info.ledger_data()["partials"] == [part]
    # A segment without parts keeps the entry's earlier shape.
    assert "partials" not in SegmentInfo.from_event({**event, "partials": []}).ledger_data()
    assert (
        "partials"
        not in SegmentInfo.from_event(
            {k: v for k, v in event.items() if k != "partials"}
        ).ledger_data()
    )
    for bad in (
        {**part, "segment_number": 0},
        {**part, "payload_to": 5},
        {**part, "last": "no"},
        {**part, "origin_id": None},
        "part",
    ):
        with pytest.raises(CaptureError, match="partials"):
            SegmentInfo.from_event({**event, "partials": [bad]})


def test_a_long_response_rolls_segments_by_size_too(tmp_path: Path) -> None:
    closed: list[SegmentSummary] = []
    segments = writer(tmp_path, closed=closed, segment_bytes=200_000)
    spool = tmp_path / ".spool-0123456789ab"
    spool.mkdir()
    w = Writer(segments, spool, lambda _e: None, on_fatal=lambda: None)
    segments.on_closed = closed.append
    w.start()
    w.put(StartBody("b1", response_plan(), HEAD))
    body = pattern(1_000_000)
    for i in range(0, len(body), 50_000):
        w.put(Chunk("b1", [body[i : i + 50_000]]))
        settle(w)  # one chunk at a time (the writer merges chunks that queue up)
    w.put(EndBody("b1", None, None, None, URL, "live.test"))
    w.put(Stop())
    w.join(10)
    assert len(closed) >= 5  # about 200 kB each, not one segment of a megabyte
    assert all(s.path.stat().st_size < 300_000 for s in closed)
    series = read_series([s.path for s in closed], URL)
    assert series.payload == body and series.parts[-1].truncated is None


def test_a_stalled_stream_leaves_no_empty_segment_and_no_gap_in_names(tmp_path: Path) -> None:
    w, closed, _ = start(tmp_path)
    w.put(StartBody("b1", response_plan(), HEAD))
    w.put(Chunk("b1", [b"first"]))
    w.put(Roll())
    w.put(Roll())  # the stream sends nothing for a while: nothing to commit, nothing sealed
    w.put(Roll())
    w.put(Chunk("b1", [b"again"]))
    w.put(EndBody("b1", None, None, None, URL, "live.test"))
    w.put(Stop())
    w.join(10)
    assert [s.path.name[-13:] for s in closed] == ["00001.warc.gz", "00002.warc.gz"]
    assert read_series([s.path for s in closed], URL).payload == b"firstagain"
    assert sorted(p.name for p in tmp_path.glob("traffic-*")) == [s.path.name for s in closed]
