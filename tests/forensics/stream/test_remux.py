"""The stream as received, remuxed without re-encoding: the range's HTTP-FLV response, as the
proxy seals it (one record, or a first part and continuation records across traffic
segments), and its HLS segments, become playable MP4s whose H.264 and AAC packets are the
range's own bytes, and whose sound follows the range's claim schedule."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from forensics.range.flv import FlvWriter, remux_ts
from forensics.range.video import claim_tone_hz
from forensics.stream.periods import PeriodStream, StreamPeriods, earlier_in
from tests.forensics.range.flvread import ts_packets
from tests.forensics.stream.rangestream import (
    FLV_URL,
    PLAN,
    assert_playable,
    es_of_tag,
    expected_tone,
    media_tags,
    mp4_packets,
    nal_units,
    range_flv,
    run_in,
    segmented_warcs,
    timed_video,
    tone_seconds,
    ts,
    whole_warc,
)

# Stream seconds 8-28: no claim, claim 1 from 12 s to 24 s, no claim again.
FIRST, COUNT = 4, 10


def period_of(periods: StreamPeriods, path: Path) -> list[PeriodStream]:
    with path.open("rb") as f:
        return periods.period(f, path.name)


def assert_range_packets(mp4: Path, flv: bytes) -> tuple[int, int]:
    """The MP4's packets are a contiguous run of the range's FLV packets, from a key frame;
    returns (video, audio) packet counts."""
    tags = media_tags(flv)
    video_es = [es_of_tag(t) for t in tags if t.kind == 9]
    audio_es = [es_of_tag(t) for t in tags if t.kind == 8]
    video, audio, first_key = mp4_packets(mp4)
    assert first_key
    run_in(video_es, video)
    run_in(audio_es, audio)
    return len(video), len(audio)


def test_segmented_flv_response_is_remuxed_period_by_period(tmp_path: Path) -> None:
    flv = range_flv(FIRST, COUNT)
    cuts = [len(flv) // 3, 2 * len(flv) // 3 + 7]  # anywhere: inside tags
    files = segmented_warcs(tmp_path, flv, cuts)
    periods = StreamPeriods(tmp_path / "work")
    made = [period_of(periods, f) for f in files]
    assert [len(m) for m in made] == [1, 1, 1] and not periods.errors
    streams = [m[0] for m in made]

    # Each names its WARC part and the payload bytes it holds; together: the whole payload.
    bounds = [0, *cuts, len(flv)]
    for i, (stream, path) in enumerate(zip(streams, files, strict=True)):
        (source,) = stream.data["sources"]
        assert source["segment"] == path.name
        assert (source["payload_from"], source["payload_to"]) == (bounds[i], bounds[i + 1])
        assert source["segment_number"] == i + 1
        assert source["origin_id"] == streams[0].data["response_record"]
        assert stream.data["stream_url"] == FLV_URL and stream.data["container"] == "flv"
    assert streams[0].data["flv"]["tail_bytes_from_previous_period"] == 0
    assert streams[2].data["flv"]["tail_bytes_to_next_period"] == 0
    assert all(s.data["flv"]["clock_jumps_ms"] == [] for s in streams)
    for stream in streams[1:]:  # periods 2 and 3 play on their own: headers carried
        assert stream.data["flv"]["head_from_stream_start"] == [
            "metadata",
            "avc_sequence_header",
            "aac_sequence_header",
        ]

    # Every media tag is copied once, or (before the stream's first key frame) counted; each
    # later period starts with the previous one's last picture group: no gap between them.
    flv_info = [s.data["flv"] for s in streams]
    copied = sum(f["copied"]["tags"] for f in flv_info)
    lead = sum(f["lead_not_copied"]["tags"] for f in flv_info)
    assert copied + lead == len(media_tags(flv))
    assert [f["lead_not_copied"]["tags"] for f in flv_info[1:]] == [0, 0]
    assert flv_info[0]["carried_from_previous_period"]["tags"] == 0
    for before, after in itertools.pairwise(streams):
        carried = after.data["flv"]["carried_from_previous_period"]
        assert carried["tags"] > 0 and carried["payload_to"] <= bounds[streams.index(after)]
        assert carried["last_ms"] == before.data["flv"]["copied"]["last_ms"]
        # The carried tags are the range's: the MP4 holds them, then the period's own.
        v_before, _, _ = mp4_packets(before.mp4)
        v_after, _, _ = mp4_packets(after.mp4)
        assert v_after[0] in v_before

    tones: dict[int, int] = {}
    for stream in streams:
        v, a = assert_range_packets(stream.mp4, flv)
        media = stream.data["media"]
        assert (media["video"]["packets"], media["audio"]["packets"]) == (v, a)
        assert media["video"]["codec"] == "h264" and media["audio"]["codec"] == "aac"
        assert media["packets_not_copied"] == 0
        assert_playable(stream.mp4)
        tones.update(tone_seconds(stream.mp4))
    # The sound follows the claim schedule: 440 Hz, then claim 1's pitch, then 440 Hz.
    assert len(tones) >= 12
    assert {s: hz for s, hz in tones.items()} == {s: expected_tone(s) for s in tones}
    assert {440, claim_tone_hz(PLAN.claim(1))} <= set(tones.values())


def test_an_empty_last_part_is_no_source(tmp_path: Path) -> None:
    """A response that ends right at a traffic segment's cut leaves an empty last part
    (it only carries WARC-Segment-Total-Length): it names no bytes, so no stream item of
    a later period claims it, and the earlier periods hold the whole payload."""
    flv = range_flv(FIRST, COUNT)
    cut = len(flv) // 2
    files = segmented_warcs(tmp_path, flv, [cut, len(flv)])
    periods = StreamPeriods(tmp_path / "work")
    made = [period_of(periods, f) for f in files]
    assert [len(m) for m in made] == [1, 1, 0] and not periods.errors
    spans = [(s["payload_from"], s["payload_to"]) for m in made[:2] for s in m[0].data["sources"]]
    assert spans == [(0, cut), (cut, len(flv))]


def test_a_whole_response_record_is_one_mp4(tmp_path: Path) -> None:
    flv = range_flv(FIRST, 4)
    warc = whole_warc(tmp_path / "traffic.warc.gz", [(FLV_URL, "video/x-flv", flv)])
    (stream,) = period_of(StreamPeriods(tmp_path / "work"), warc)
    (source,) = stream.data["sources"]
    assert source["segment_number"] is None and source["payload_to"] == len(flv)
    v, a = assert_range_packets(stream.mp4, flv)
    tags = media_tags(flv)
    # Only what precedes the first key frame (the range's first AAC frame) is left out.
    assert v + a + stream.data["flv"]["lead_not_copied"]["tags"] == len(tags)
    assert stream.data["flv"]["lead_not_copied"]["tags"] <= 1
    assert_playable(stream.mp4)


def test_a_restarted_session_finds_the_response_in_earlier_segments(tmp_path: Path) -> None:
    flv = range_flv(FIRST, 6)
    files = segmented_warcs(tmp_path, flv, [len(flv) // 2 + 3])
    known = StreamPeriods(tmp_path / "a")
    period_of(known, files[0])
    (expected,) = period_of(known, files[1])
    # A fresh deriver sees only the continuation; it reads the first part again to find the
    # tag boundary and the sequence headers.
    fresh = StreamPeriods(
        tmp_path / "b", earlier=earlier_in(lambda: [(files[0].name, lambda: files[0].open("rb"))])
    )
    (again,) = period_of(fresh, files[1])
    assert mp4_packets(again.mp4) == mp4_packets(expected.mp4)
    assert again.data["sources"] == expected.data["sources"]
    # Without a way to look back, a continuation of an unknown response is passed over.
    assert period_of(StreamPeriods(tmp_path / "c"), files[1]) == []


def test_hls_segments_are_joined_and_copied(tmp_path: Path) -> None:
    numbers = range(FIRST, FIRST + 3)
    warc = whole_warc(
        tmp_path / "traffic.warc.gz",
        [(f"https://live.range.test/hls/seg/{n}.ts", "video/mp2t", ts(n)) for n in numbers],
    )
    (stream,) = period_of(StreamPeriods(tmp_path / "work"), warc)
    assert stream.data["container"] == "mpegts"
    assert stream.data["stream_url"] == "https://live.range.test/hls/seg/"
    assert stream.data["mpegts"]["segments"] == 3
    assert [s["uri"] for s in stream.data["sources"]] == [
        f"https://live.range.test/hls/seg/{n}.ts" for n in numbers
    ]
    video, audio, first_key = mp4_packets(stream.mp4)
    assert first_key
    ts_video = [u for n in numbers for _, u in ts_packets(ts(n)).video]
    assert [nal_units(p) for p in video] == ts_video
    ts_audio = [frame for n in numbers for _, frame in ts_packets(ts(n)).audio]
    run_in(ts_audio, audio[:10])
    assert set(audio) <= set(ts_audio)
    assert_playable(stream.mp4)


def test_bytes_that_are_not_flv_are_reported_not_remuxed(tmp_path: Path) -> None:
    good = range_flv(FIRST, 2)
    warc = whole_warc(
        tmp_path / "traffic.warc.gz",
        [
            ("https://live.range.test/flv/bad.flv", "video/x-flv", b"<html>no stream</html>"),
            (FLV_URL, "video/x-flv", good),
        ],
    )
    periods = StreamPeriods(tmp_path / "work")
    (stream,) = period_of(periods, warc)
    assert stream.data["stream_url"] == FLV_URL
    assert len(periods.errors) == 1 and "not HTTP-FLV" in periods.errors[0]


@pytest.mark.parametrize("payload", [b"", b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00"])
def test_a_response_without_media_gives_no_item(tmp_path: Path, payload: bytes) -> None:
    warc = whole_warc(tmp_path / "t.warc.gz", [(FLV_URL, "video/x-flv", payload)])
    periods = StreamPeriods(tmp_path / "work")
    assert period_of(periods, warc) == []
    assert not list((tmp_path / "work").iterdir())  # no temporary file left behind


def test_a_viewer_moved_to_the_live_edge_is_named_as_a_clock_jump(tmp_path: Path) -> None:
    # The range moves a viewer that fell behind to the live edge: segments 6 and 7 are
    # never sent, and the FLV's clock jumps from segment 5's last picture to segment 8's.
    writer = FlvWriter()
    flv = writer.start(remux_ts(ts(4)))
    for n in (4, 5, 8, 9):
        flv += b"".join(chunk for _, chunk in writer.segment(remux_ts(ts(n))))
    warc = whole_warc(tmp_path / "t.warc.gz", [(FLV_URL, "video/x-flv", flv)])
    (stream,) = period_of(StreamPeriods(tmp_path / "work"), warc)
    assert stream.data["flv"]["clock_jumps_ms"] == [[11_900, 16_000]]
    ts_video = {ms: units for n in (4, 5, 8, 9) for ms, units in ts_packets(ts(n)).video}
    timed = timed_video(stream.mp4)
    assert [ms for ms, _ in timed] == sorted(ts_video)
    for ms, packet in timed:
        assert nal_units(packet) == ts_video[ms]
    assert_playable(stream.mp4)
