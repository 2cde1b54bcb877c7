"""The range's stream for the stream tests: its HTTP-FLV bytes (made by the range's own
muxer from its MPEG-TS segments), WARC files holding them as the proxy records a response
(whole, or a first part and continuations), and readers of an MP4's packets."""

from __future__ import annotations

import bisect
import io
import struct
from functools import cache
from pathlib import Path

import av
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from forensics.range import build_content
from forensics.range.content import StreamPlan
from forensics.range.flv import FlvWriter, remux_ts
from forensics.range.video import claim_tone_hz, encode_ts_segment
from tests.forensics.range.conftest import SEED
from tests.forensics.range.flvread import Tag, decoded_audio, goertzel_power, read_flv

PLAN: StreamPlan = build_content(SEED).stream
FLV_URL = "https://live.range.test/flv/live.flv"
TONES = sorted({440, *(claim_tone_hz(c) for c in PLAN.claims)})


@cache
def ts(number: int) -> bytes:
    return encode_ts_segment(PLAN, number)


@cache
def range_flv(first: int, count: int) -> bytes:
    """What the range sends a viewer who joins at segment ``first``, for ``count`` segments."""
    writer = FlvWriter()
    data = writer.start(remux_ts(ts(first)))
    for n in range(first, first + count):
        data += b"".join(chunk for _, chunk in writer.segment(remux_ts(ts(n))))
    return data


def media_tags(data: bytes) -> list[Tag]:
    """The FLV's audio and video data tags (no script tag, no sequence header)."""
    tags, _ = read_flv(data)
    return [t for t in tags if t.kind in (8, 9) and t.body[1] == 1]


def es_of_tag(tag: Tag) -> bytes:
    """The elementary-stream bytes an FLV tag carries (after its AVC or AAC header)."""
    return tag.body[5:] if tag.kind == 9 else tag.body[2:]


def _http(content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders(
        "200 OK",
        [("Content-Type", content_type), ("X-Archive-Orig-Transfer-Encoding", "chunked")],
        protocol="HTTP/1.1",
    )


def whole_warc(path: Path, records: list[tuple[str, str, bytes]]) -> Path:
    """One WARC file with a complete response record per (url, content type, payload)."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, content_type, payload in records:
            rec = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=_http(content_type),
            )
            writer.write_record(rec)
    return path


def message_warc(
    path: Path,
    messages: list[tuple[str, str, str]],
    responses: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> Path:
    """(url, direction, text) as the proxy records WebSocket messages (resource records),
    after a complete response record per (url, content type, payload)."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, content_type, payload in responses:
            rec = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=_http(content_type),
            )
            writer.write_record(rec)
        for url, direction, text in messages:
            body = text.encode()
            rec = writer.create_warc_record(
                url,
                "resource",
                payload=io.BytesIO(body),
                length=len(body),
                warc_content_type="text/plain; charset=utf-8",
                warc_headers_dict={
                    "Quzheng-Message-Protocol": "websocket",
                    "Quzheng-Message-Direction": direction,
                },
            )
            writer.write_record(rec)
    return path


def segmented_warcs(directory: Path, data: bytes, cuts: list[int]) -> list[Path]:
    """``data`` as one segmented response (WARC/1.1 §10): a first part and continuation
    records, one per file, cut at the payload offsets ``cuts``."""
    bounds = [0, *cuts, len(data)]
    paths: list[Path] = []
    origin = ""
    for i in range(len(bounds) - 1):
        chunk = data[bounds[i] : bounds[i + 1]]
        path = directory / f"traffic-{i:04d}.warc.gz"
        with path.open("wb") as f:
            writer = WARCWriter(f, gzip=True)
            if i == 0:
                rec = writer.create_warc_record(
                    FLV_URL,
                    "response",
                    payload=io.BytesIO(chunk),
                    length=len(chunk),
                    http_headers=_http("video/x-flv"),
                    warc_headers_dict={"WARC-Segment-Number": "1"},
                )
                origin = rec.rec_headers.get_header("WARC-Record-ID")
            else:
                headers = {"WARC-Segment-Number": str(i + 1), "WARC-Segment-Origin-ID": origin}
                if i == len(bounds) - 2:
                    headers["WARC-Segment-Total-Length"] = str(len(data))
                rec = writer.create_warc_record(
                    FLV_URL,
                    "continuation",
                    payload=io.BytesIO(chunk),
                    length=len(chunk),
                    warc_headers_dict=headers,
                )
            writer.write_record(rec)
        paths.append(path)
    return paths


def mp4_packets(path: Path) -> tuple[list[bytes], list[bytes], bool]:
    """(video packets, audio packets, first video packet is a key frame) of an MP4."""
    video: list[bytes] = []
    audio: list[bytes] = []
    first_key = False
    with av.open(str(path)) as container:
        for packet in container.demux():
            if not packet.size:
                continue
            if packet.stream.type == "video":
                if not video:
                    first_key = bool(packet.is_keyframe)
                video.append(bytes(packet))
            elif packet.stream.type == "audio":
                audio.append(bytes(packet))
    return video, audio, first_key


def timed_video(path: Path) -> list[tuple[int, bytes]]:
    """(decode time in ms, packet) of an MP4's video packets."""
    out: list[tuple[int, bytes]] = []
    with av.open(str(path)) as container:
        for packet in container.demux(video=0):
            if packet.size and packet.dts is not None and packet.time_base is not None:
                out.append((round(packet.dts * packet.time_base * 1000), bytes(packet)))
    return out


def nal_units(sample: bytes) -> list[bytes]:
    """NAL units of a length-prefixed (AVCC, 4-byte) H.264 sample."""
    units, at = [], 0
    while at < len(sample):
        size = struct.unpack(">I", sample[at : at + 4])[0]
        units.append(sample[at + 4 : at + 4 + size])
        at += 4 + size
    assert at == len(sample)
    return units


def run_in[T](haystack: list[T], needle: list[T]) -> int:
    """Where ``needle`` occurs in ``haystack`` as a contiguous run (asserts it does)."""
    assert needle, "nothing to look for"
    for start in range(len(haystack) - len(needle) + 1):
        if haystack[start] == needle[0] and haystack[start : start + len(needle)] == needle:
            return start
    raise AssertionError("the packets are not a contiguous run of the range's packets")


def assert_playable(mp4: Path, min_seconds: float = 1.0) -> None:
    """Picture and sound decode, the sound lasts at least ``min_seconds``, and there is sound
    within half a second of every picture (but the last half second: a cut at a period's end
    may leave the last audio frames before the last pictures)."""
    with av.open(str(mp4)) as container:
        pictures = []
        for frame in container.decode(video=0):
            assert (frame.width, frame.height) == (PLAN.width, PLAN.height)
            pictures.append(float(frame.time or 0.0))
    assert pictures, "no picture"
    with av.open(str(mp4)) as container:
        sounds = sorted(float(f.time) for f in container.decode(audio=0) if f.time is not None)
    rate, _, samples = decoded_audio(str(mp4))
    assert rate == 22050, rate
    assert len(samples) / rate >= min_seconds, (len(samples) / rate, min_seconds)
    for t in pictures:
        if t > max(pictures) - 0.5:
            continue
        at = bisect.bisect_left(sounds, t - 0.5)
        assert at < len(sounds) and sounds[at] <= t + 0.5, f"no sound near the picture at {t} s"


def tone_seconds(mp4: Path) -> dict[int, int]:
    """The strongest claim tone of every whole stream second the MP4's sound covers, each
    audio frame placed by its own time (a viewer moved to the live edge skips some)."""
    by_second: dict[int, list[float]] = {}
    rate = 0
    with av.open(str(mp4)) as container:
        for frame in container.decode(audio=0):
            rate = frame.sample_rate
            if frame.time is None:
                continue
            second = int(frame.time)
            into = frame.time - second
            if into < 0.125 or into + frame.samples / rate > 1.0:
                continue  # the 80 ms tick, and frames across a second's end
            assert frame.format.name == "fltp"  # AAC decodes to float planes
            raw = bytes(frame.planes[0])[: frame.samples * 4]
            by_second.setdefault(second, []).extend(struct.unpack(f"<{frame.samples}f", raw))
    out: dict[int, int] = {}
    for second, samples in by_second.items():
        if len(samples) < rate // 2:
            continue  # too little of this second to judge its pitch
        powers = {hz: goertzel_power(samples, rate, hz) for hz in TONES}
        out[second] = max(powers, key=lambda hz: powers[hz])
    return out


def expected_tone(second: int) -> int:
    return claim_tone_hz(PLAN.claim_at(second + 0.5))
