"""Which claims of the live stream a recording shows: the range's frame markers, decoded.

Every frame of the range's stream carries a strip of 40 black/white blocks
(``forensics.range.markers``) naming the claim on screen and the frame number. A recording
of the stream itself (HLS segments, WebM, a direct grab) has that strip along its bottom
edge, and ``read_marker`` reads it from the whole frame. A *screen* recording shows the
player somewhere inside a larger picture; ``locate_marker`` then finds the strip by its sync
pattern (white, black, white, white, black, black blocks of equal width), row by row, and
the position found is reused for the following frames.

Decoding is bounded: one frame per ``sample_seconds`` of the recording is examined (every
claim stays on screen for at least 12 s), at most ``max_samples`` per video and never past
the caller's deadline; a scan that stopped early says so (``truncated``).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from PIL import Image

from forensics.range.markers import MARKER_BITS, FrameMarker, read_marker

MAX_SAMPLES: Final = 3600
_MAX_LOCATES: Final = 24
_SYNC: Final = (1, 0, 1, 1, 0, 0)
_RUNS = re.compile(rb"1+|0+")


@dataclass(frozen=True)
class Sighting:
    """A marker read from a frame ``at_s`` seconds into the recording."""

    at_s: float
    claim_id: int
    frame: int


@dataclass(frozen=True)
class VideoScan:
    duration_s: float | None
    sightings: tuple[Sighting, ...]
    samples: int
    truncated: bool = False
    error: str | None = None

    @property
    def markers_found(self) -> int:
        return len(self.sightings)


Box = tuple[int, int, int, int]


def _binary_rows(gray: Image.Image) -> tuple[bytes, int, int]:
    width, height = gray.size
    # b"1" for light, b"0" for dark: rows become byte strings the regex can split into runs.
    bw = gray.point(lambda v: 49 if v >= 128 else 48)
    return bw.tobytes(), width, height


def _sync_at(row: bytes, x0: int, block: float) -> bool:
    for j, bit in enumerate(_SYNC):
        x = int(x0 + (j + 0.5) * block)
        if x >= len(row) or (row[x] == 49) != bool(bit):
            return False
    return True


def locate_marker(image: Image.Image) -> Box | None:
    """The box (left, top, right, bottom) of a marker strip inside a larger picture."""
    gray = image.convert("L")
    data, width, height = _binary_rows(gray)
    for y in range(height - 1, -1, -2):
        row = data[y * width : (y + 1) * width]
        runs = [(m.start(), m.end() - m.start(), m.group()[0] == 49) for m in _RUNS.finditer(row)]
        for i in range(len(runs) - 3):
            # white (>= 1 block: it may merge with a light background), black (1 block),
            # white (2 blocks), black (>= 2 blocks: the claim id's high bits are zero).
            (_, r0, b0), (s1, r1, b1), (_, r2, b2), (_, r3, b3) = runs[i : i + 4]
            if not (b0 and not b1 and b2 and not b3):
                continue
            block = (r1 + r2) / 3
            tol = max(1.5, block / 4)
            if block < 2 or abs(r1 - block) > tol or abs(r2 - 2 * block) > 2 * tol:
                continue
            if r0 < block - tol or r3 < 2 * block - 2 * tol:
                continue
            x0 = round(s1 - block)
            x1 = x0 + round(MARKER_BITS * block)
            if x0 < 0 or x1 > width:
                continue
            bottom = y
            while bottom + 1 < height and _sync_at(
                data[(bottom + 1) * width : (bottom + 2) * width], x0, block
            ):
                bottom += 1
            top = y
            while top > 0 and _sync_at(data[(top - 1) * width : top * width], x0, block):
                top -= 1
            # The strip is about as tall as a block is wide (1/22 of a 16:9 frame's height).
            strip = bottom + 1 - top
            if not block / 2 <= strip <= block * 3:
                continue
            box = (x0, top, x1, bottom + 1)
            if _plausible(_read_box(gray, box)) is not None:
                return box
    return None


def _read_box(image: Image.Image, box: Box) -> FrameMarker | None:
    """Read the strip in ``box`` by placing it at the bottom of a frame of matching height."""
    left, top, right, bottom = box
    strip = bottom - top
    if right > image.width or bottom > image.height or strip < 2:
        return None
    # read_marker expects the strip to be 1/22 of the frame's height.
    canvas = Image.new("L", (right - left, strip * 22))
    canvas.paste(image.convert("L").crop(box), (0, strip * 21))
    return read_marker(canvas)


class MarkerFinder:
    """Reads markers from successive frames, remembering where the strip was found."""

    def __init__(self) -> None:
        self._box: Box | None = None
        self._locates = 0

    def read(self, image: Image.Image) -> FrameMarker | None:
        marker = _plausible(read_marker(image))
        if marker is not None:
            return marker
        if self._box is not None:
            marker = _plausible(_read_box(image, self._box))
            if marker is not None:
                return marker
        if self._locates >= _MAX_LOCATES:
            return None
        self._locates += 1
        box = locate_marker(image)
        if box is None:
            return None
        self._box = box
        return _plausible(_read_box(image, box))


def _plausible(marker: FrameMarker | None) -> FrameMarker | None:
    # All-zero data passes the marker's check trivially (a dark area after a sync-like
    # pattern); the stream's very first frame is the only real one, and it shows no claim.
    if marker is None or (marker.claim_id == 0 and marker.frame == 0):
        return None
    return marker


_AV_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, EOFError, RuntimeError)


def _av_errors() -> tuple[type[BaseException], ...]:
    import av.error

    return (av.error.FFmpegError, *_AV_ERRORS)


def scan_video(
    source: Path | bytes,
    *,
    sample_seconds: float = 1.0,
    max_samples: int = MAX_SAMPLES,
    deadline: float | None = None,
    want_markers: bool = True,
) -> VideoScan:
    """Duration and marker sightings of a video file (or in-memory segment)."""
    import av

    errors = _av_errors()
    opened: Any = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        container = av.open(opened, mode="r")
    except errors as exc:
        return VideoScan(None, (), 0, error=f"cannot open: {exc}")
    finder = MarkerFinder()
    sightings: list[Sighting] = []
    samples = 0
    truncated = False
    first: float | None = None
    last = 0.0
    try:
        with container:
            if not container.streams.video:
                return VideoScan(None, (), 0, error="no video stream")
            stream = container.streams.video[0]
            duration = _declared_duration(container, stream)
            if not want_markers:
                return VideoScan(duration or _demuxed_duration(container, stream), (), 0)
            stream.thread_type = "AUTO"
            fps = float(stream.average_rate or 10)
            next_t = 0.0
            count = 0
            for frame in container.decode(stream):
                t = frame.time if frame.time is not None else count / fps
                count += 1
                if first is None:
                    first = t
                    next_t = t
                last = max(last, t + 1 / fps)
                if t + 1e-6 < next_t:
                    continue
                next_t = t + sample_seconds
                samples += 1
                marker = finder.read(frame.to_image())
                if marker is not None:
                    sightings.append(Sighting(round(t - first, 3), marker.claim_id, marker.frame))
                if samples >= max_samples or (deadline is not None and time.monotonic() > deadline):
                    truncated = True
                    break
    except errors as exc:
        return VideoScan(
            _span(first, last), tuple(sightings), samples, truncated, f"decoding stopped: {exc}"
        )
    if duration is None:
        duration = _span(first, last)
    return VideoScan(duration, tuple(sightings), samples, truncated)


def _span(first: float | None, last: float) -> float | None:
    return None if first is None else round(max(0.0, last - first), 3)


def _demuxed_duration(container: Any, stream: Any) -> float | None:
    """The span of the packets' timestamps: no decoding, for files that declare no duration."""
    first: float | None = None
    last = 0.0
    for packet in container.demux(stream):
        if packet.pts is None or packet.time_base is None:
            continue
        t = float(packet.pts * packet.time_base)
        end = t + float((packet.duration or 0) * packet.time_base)
        first = t if first is None else min(first, t)
        last = max(last, end)
    return _span(first, last)


def _declared_duration(container: Any, stream: Any) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / 1_000_000
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    return None


def scan_image(data: bytes) -> Sighting | None:
    """The marker of one still frame (the player's JPEG fallback)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            marker = MarkerFinder().read(img.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return None if marker is None else Sighting(0.0, marker.claim_id, marker.frame)


def copy_member(src: BinaryIO, dst: Path, limit: int) -> bool:
    """Copy a package member to a scratch file for random access; False if over ``limit``."""
    written = 0
    with open(dst, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > limit:
                return False
            out.write(chunk)
    return True
