"""The stream as received and the chat, end to end: a headless capture of the range's live
room with recording and short traffic segments (by default 24 s in 8 s periods instead of
the issue's 3 minutes in 60 s periods, to keep the test short; see ``WATCH_S``) seals, from the sealed WARC traffic, ``capture.stream`` items
(MP4s copied from the FLV the range sent: playable, the range's own packets, the claim tones
in their sound) naming their WARC sources and overlapping recording segments, and
``capture.chat`` items listing the room's chat; the case verifies.

The room is reloaded halfway, so that even a proxy that writes an endless response only
when it ends gives two stream responses in two periods.
"""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from forensics.case import Case
from forensics.ledger import Record
from forensics.package import export_package, verify_package
from forensics.range import build_content
from forensics.stamping import TsaConfig
from forensics.stream.chat import CHAT_KINDS
from forensics.stream.items import recording_overlap, span_of
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.app.capture.conftest import ROOT, SCENARIO_TIMEOUT_S, verify
from tests.conftest import PASSPHRASE, World
from tests.forensics.range.flvread import ts_packets
from tests.forensics.stream.rangestream import (
    PLAN,
    assert_playable,
    expected_tone,
    mp4_packets,
    nal_units,
    timed_video,
    tone_seconds,
    ts,
)

# The figure (3 minutes, 60 s periods) runs with QZ_STREAM_E2E_WATCH_S=180
# QZ_STREAM_E2E_PERIOD_S=60; the default keeps the test short.
PERIOD_S = int(os.environ.get("QZ_STREAM_E2E_PERIOD_S", "8"))
WATCH_S = int(os.environ.get("QZ_STREAM_E2E_WATCH_S", "24"))


@pytest.fixture
def live_run(
    case: Case, world: World, tsa: TsaServer, tmp_path: Path, shared_dirs: dict[str, Path]
) -> dict[str, Any]:
    result_path = tmp_path / "stream-result.json"
    config = {
        "home": str(world.home),
        "passphrase": PASSPHRASE,
        "badges": ["31000001", "31000002"],
        "tsa_url": tsa.url,
        "tsa_root": str(tsa.trust_anchor_path),
        "ca_dir": str(shared_dirs["ca_dir"]),
        "range_dir": str(shared_dirs["range_dir"]),
        "result": str(result_path),
        "case_id": case.case_id,
        "period_s": PERIOD_S,
        "watch_s": WATCH_S,
    }
    config_path = tmp_path / "stream-config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", QUZHENG_HOME=str(world.home), PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.app.capture.stream_scenario", str(config_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT_S + 2 * WATCH_S,
    )
    detail = f"stdout:\n{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-6000:]}"
    assert proc.returncode == 0, detail
    result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    return result


def of_kind(case: Case, kind: str, session: str) -> list[Record]:
    return [r for r in case.ledger.records() if r.kind == kind and r.session == session]


def warc_ids(case: Case, sha256: str) -> set[str]:
    from warcio.archiveiterator import ArchiveIterator

    with case.store.open_blob(sha256) as f:
        return {r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(f)}


def test_live_room_stream_and_chat_are_sealed(
    live_run: dict[str, Any], case: Case, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    assert live_run["error"] is None, live_run
    session = live_run["session"]
    report = verify(case, world, tsa)
    assert report.bottom_line, [f.text("en") for f in report.errors]
    assert not [w for w in live_run["warnings"] if "stream" in w or "chat" in w]

    records = case.ledger.records()
    traffic = {r.seq: r for r in of_kind(case, "capture.traffic", session)}
    videos = of_kind(case, "capture.video", session)
    streams = of_kind(case, "capture.stream", session)
    assert len(streams) >= WATCH_S // PERIOD_S, [r.data.get("period") for r in streams]
    (end,) = of_kind(case, "session.end", session)
    assert all(s.seq < end.seq for s in streams)  # sealed before the session closed

    tones: dict[int, int] = {}
    for stream in streams:
        data = stream.data
        (item,) = stream.items
        assert item.media_type == "video/mp4" and item.path.startswith("stream/")
        # It names the sealed WARC it came from, and the records in it.
        parent = traffic[data["parent"]["seq"]]
        assert data["parent"]["sha256"] == parent.items[0].sha256
        ids = warc_ids(case, parent.items[0].sha256)
        for source in data["sources"]:
            assert source["segment"] == parent.data["segment"]
            assert source["record_id"] in ids
            assert source["payload_to"] > source["payload_from"] >= 0
        assert data["stream_url"].endswith("/flv/live.flv") and data["container"] == "flv"
        # It names the recording segments it overlaps: what the times of the recording
        # segments sealed before it say.
        sealed_before = [v for v in videos if v.seq < stream.seq]
        assert data["recording_overlap"] == recording_overlap(span_of(parent), sealed_before)
        # It waited for the recording segment covering its period's end: only bytes that
        # arrived after the recording had stopped (browser closing) overlap no segment.
        if span_of(parent)[0] < max(span_of(v)[1] for v in videos):  # type: ignore[index]
            assert data["recording_overlap"]
        for overlap in data["recording_overlap"]:
            assert records[overlap["seq"]].kind == "capture.video"

        # Playable: PyAV decodes picture and sound.
        mp4 = case.store.blob_path(item.sha256)
        # A response's last period holds what arrived after the last boundary before the
        # close or the reload: it may be shorter than a second, but its sound still covers
        # its picture.
        later = [s for s in streams if s.seq > stream.seq]
        last = all(s.data["response_record"] != data["response_record"] for s in later)
        assert_playable(mp4, min_seconds=0.0 if last else 1.0)
        # The range's own packets: each picture's H.264 NAL units are those of the range's
        # TS segments at the same stream time (a viewer moved to the live edge skips some).
        video, audio, first_key = mp4_packets(mp4)
        assert first_key and audio
        timed = timed_video(mp4)
        numbers = sorted({ms // 2000 for ms, _ in timed})
        ts_video = {ms: units for n in numbers for ms, units in ts_packets(ts(n)).video}
        ts_audio = {frame for n in numbers for _, frame in ts_packets(ts(n)).audio}
        assert len(timed) == len(video) and len(ts_video) >= len(timed)
        for ms, packet in timed:
            assert nal_units(packet) == ts_video[ms], ms
        assert set(audio) <= ts_audio
        tones.update(tone_seconds(mp4))
    # The sound's pitch follows the range's claim schedule, second by second.
    assert len(tones) >= WATCH_S // 2
    assert tones == {s: expected_tone(s) for s in tones}

    # The chat: readable, sealed, the range's own messages with their kinds.
    chats = of_kind(case, "capture.chat", session)
    assert chats
    content = build_content(2026)
    total = 0
    for chat in chats:
        json_item, csv_item = chat.items
        assert json_item.media_type == "application/json" and csv_item.media_type == "text/csv"
        messages = json.loads(case.store.blob_path(json_item.sha256).read_bytes())
        assert messages and chat.data["count"] == len(messages)
        assert chat.data["first"] == messages[0] and chat.data["last"] == messages[-1]
        assert chat.data["parent"]["seq"] in traffic
        # (A reconnecting socket gets the room's recent history again: times can repeat.)
        times = [m["stream_ms"] for m in messages]
        sent = {(m.t_ms, m.user, m.text) for m in content.chat_between(min(times), max(times) + 1)}
        for m in messages:
            assert m["kind"] in CHAT_KINDS and (m["stream_ms"], m["user"], m["text"]) in sent
        csv_text = case.store.blob_path(csv_item.sha256).read_bytes().decode("utf-8-sig")
        assert len(list(io.StringIO(csv_text))) == len(messages) + 1
        total += len(messages)
    assert total >= WATCH_S // 4  # the range's chat: a message every 1.5-4 s

    # The package verifies. (This case lacks the report's required fields, so it is exported
    # without one; tests/forensics/stream/test_report_section.py shows the report's part.)
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 10.0)
    with warnings.catch_warnings():
        # The exporter's WACZ index (cdxj_indexer.bufferiter.buffer_record_content) spools
        # every WARC record and never closes the spool: a third-party leak at export, not
        # this feature's, that shows with this many records.
        warnings.simplefilter("ignore", ResourceWarning)
        package = export_package(case, world.lead, tmp_path / "live.qzp", tsa=config)
        gc.collect()
    policy = TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()])
    checked = verify_package(package.path, policy)
    assert {f.code for f in checked.errors} <= {"report-missing"}, checked.errors
    with zipfile.ZipFile(package.path) as zf:
        names = zf.namelist()
    assert {s.items[0].path for s in streams} <= set(names)
    assert {c.items[0].path for c in chats} <= set(names)
    assert PLAN.room_id in live_run["room"]
