"""Recovery of segments a crashed proxy left open (adversarial inputs included)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from forensics.capture.recover import RecoveryError, closed_segments, recover_open_segments
from forensics.capture.warc import RunLock
from forensics.errors import QuzhengError
from tests.forensics.capture.conftest import warcio_cli
from tests.forensics.capture.helpers import exchange, write_spool, writer

RUN = "0123456789ab"


def crashed_segment(work: Path, bodies: list[bytes], run_id: str = RUN) -> Path:
    """A segment as the proxy leaves it when killed: open, records flushed, never closed."""
    w = writer(work, run_id)
    for i, body in enumerate(bodies):
        records = exchange(f"https://shop.test/{i}", body)
        w.write_group(0, lambda _seq, r=records: r)
    w.abandon()
    (path,) = work.glob("*.warc.gz.open")
    return path


def members(path: Path) -> list[int]:
    """Offsets where records end (gzip member boundaries), from warcio's own index."""
    with path.open("rb") as f:
        it = ArchiveIterator(f)
        ends = []
        for record in it:
            record.raw_stream.read()
            ends.append(it.get_record_offset() + it.get_record_length())
    return ends


def records(path: Path) -> list[tuple[dict[str, str], bytes]]:
    out = []
    with path.open("rb") as f:
        for record in ArchiveIterator(f, check_digests="raise"):
            out.append((dict(record.rec_headers.headers), record.raw_stream.read()))
    return out


def test_torn_last_record_is_cut_and_kept_as_tail(tmp_path: Path) -> None:
    path = crashed_segment(tmp_path, [b"first page", os.urandom(50_000), b"third"])
    original = path.read_bytes()
    ends = members(path)
    cut = ends[-1] - 100  # the proxy died while writing the last response
    path.write_bytes(original[:cut])

    (fixed,) = recover_open_segments(tmp_path)
    assert fixed.name.endswith("-00001-recovered.warc.gz")
    assert not path.exists() and not list(tmp_path.glob(".run-*"))
    assert fixed.read_bytes()[: ends[-2]] == original[: ends[-2]]  # kept byte for byte
    assert warcio_cli("check", str(fixed)).returncode == 0
    recs = records(fixed)
    types = [h["WARC-Type"] for h, _ in recs]
    assert types == ["warcinfo", *["request", "response"] * 2, "request", "resource", "metadata"]
    tail_headers, tail = recs[-2]
    assert tail_headers["Quzheng-Recovery"] == "torn-tail"
    assert tail == original[ends[-2] : cut]
    report = json.loads(recs[-1][1])
    assert report["damaged_size"] == cut
    assert report["damaged_sha256"] == hashlib.sha256(original[:cut]).hexdigest()
    assert report["kept_bytes"] == ends[-2] and report["torn_tail_bytes"] == cut - ends[-2]
    # The damaged file can be rebuilt from the recovered one and its hash checked.
    assert fixed.read_bytes()[: report["kept_bytes"]] + tail == original[:cut]


def test_closed_but_unsealed_segments_are_listed(tmp_path: Path) -> None:
    w = writer(tmp_path)
    records = exchange("https://shop.test/", b"page")
    w.write_group(0, lambda _seq: records)
    closed = w.roll()
    assert closed is not None
    crashed_segment(tmp_path, [b"x"], run_id="ba9876543210")
    (open_fixed,) = recover_open_segments(tmp_path)
    assert closed_segments(tmp_path) == [closed.path, open_fixed]
    (tmp_path / "notes.txt").write_text("not a segment")
    assert len(closed_segments(tmp_path)) == 2


def test_clean_open_segment_is_kept_whole(tmp_path: Path) -> None:
    path = crashed_segment(tmp_path, [b"a", b"b"])
    original = path.read_bytes()
    (fixed,) = recover_open_segments(tmp_path)
    assert fixed.read_bytes()[: len(original)] == original
    recs = records(fixed)
    assert [h["WARC-Type"] for h, _ in recs][-1] == "metadata"
    assert json.loads(recs[-1][1])["torn_tail_bytes"] == 0


def test_spooled_partial_body_is_salvaged_as_truncated(tmp_path: Path) -> None:
    crashed_segment(tmp_path, [b"page"])
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n"
    partial = os.urandom(300_000)
    write_spool(tmp_path, RUN, "https://shop.test/big.mp4", head, partial)
    (fixed,) = recover_open_segments(tmp_path)
    assert not list(tmp_path.glob(".spool-*"))
    salvaged = [(h, b) for h, b in records(fixed) if h.get("WARC-Truncated")]
    ((headers, block),) = salvaged
    assert headers["WARC-Type"] == "response" and headers["WARC-Truncated"] == "unspecified"
    assert block == partial  # warcio hands over the payload, after the HTTP header block
    assert headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(partial).hexdigest()


def test_spool_without_open_segment_gets_a_segment_of_its_own(tmp_path: Path) -> None:
    write_spool(tmp_path, RUN, "https://shop.test/live.ts", b"HTTP/1.1 200 OK\r\n\r\n", b"x" * 10)
    (fixed,) = recover_open_segments(tmp_path)
    assert "-salvage-recovered" in fixed.name
    types = [h["WARC-Type"] for h, _ in records(fixed)]
    assert types == ["warcinfo", "response", "metadata"]


def test_segments_of_a_live_proxy_are_left_alone(tmp_path: Path) -> None:
    path = crashed_segment(tmp_path, [b"a"])
    lock = RunLock(tmp_path / f".run-{RUN}.lock")
    assert lock.acquire()
    try:
        assert recover_open_segments(tmp_path) == []
        assert path.exists()
    finally:
        lock.release()
    assert len(recover_open_segments(tmp_path)) == 1


def test_empty_and_warcinfo_only_segments_leave_nothing_to_seal(tmp_path: Path) -> None:
    (tmp_path / f"traffic-20260101T000000Z-{RUN}-00001.warc.gz.open").write_bytes(b"")
    w = writer(tmp_path, "ba9876543210")
    w.note(None, None)  # opens the segment: warcinfo only
    w.abandon()
    assert recover_open_segments(tmp_path) == []
    assert not list(tmp_path.iterdir())


def test_garbage_is_refused_with_a_clear_error_and_others_recovered(tmp_path: Path) -> None:
    crashed_segment(tmp_path, [b"good"])
    junk = tmp_path / "traffic-20260101T000000Z-ffffffffffff-00001.warc.gz.open"
    junk.write_bytes(b"MZ\x90\x00 this is not a WARC file" * 100)
    with pytest.raises(RecoveryError) as info:
        recover_open_segments(tmp_path)
    assert "not a WARC segment" in info.value.message_en and info.value.message_zh
    assert len(info.value.recovered) == 1 and info.value.recovered[0].exists()
    assert junk.with_name(junk.name + ".damaged").exists() and not junk.exists()
    assert recover_open_segments(tmp_path) == []  # the damaged file no longer blocks


def test_record_with_a_forged_digest_is_not_kept(tmp_path: Path) -> None:
    """An altered record (body changed, gzip redone, digest left) ends the good part."""
    import gzip
    import zlib

    path = crashed_segment(tmp_path, [b"genuine body", b"later"])
    data = path.read_bytes()
    ends = members(path)
    start, end = ends[1], ends[2]  # the first response's gzip member
    d = zlib.decompressobj(31)
    raw = d.decompress(data[start:end])
    forged = gzip.compress(raw.replace(b"genuine body", b"forged! body"), mtime=0)
    path.write_bytes(data[:start] + forged + data[end:])
    (fixed,) = recover_open_segments(tmp_path)
    recs = records(fixed)
    report = json.loads(recs[-1][1])
    assert report["kept_bytes"] == start
    assert "digest" in report["scan_stopped"]
    # Kept as the torn tail, for the expert to see, not as a record anyone would trust.
    assert b"forged! body" in gzip.decompress(recs[-2][1])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.integers(min_value=0, max_value=20_000),
    flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(1, 255)), max_size=3),
    junk=st.binary(max_size=300),
)
def test_hostile_open_segments_only_raise_our_error(
    cut: int, flips: list[tuple[int, int]], junk: bytes
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = crashed_segment(work, [b"a" * 3000, os.urandom(4000), b"c"])
        data = bytearray(path.read_bytes()[: max(0, len(path.read_bytes()) - cut)])
        for pos, xor in flips:
            if pos < len(data):
                data[pos] ^= xor
        path.write_bytes(bytes(data) + junk)
        try:
            fixed = recover_open_segments(work)
        except QuzhengError as exc:
            assert exc.message_en and exc.message_zh
            return
        for out in fixed:
            records(out)  # every recovered file reads back with all digests valid
