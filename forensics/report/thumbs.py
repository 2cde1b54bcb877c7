"""Thumbnails for the report: pictures with Pillow, video frames with PyAV.

Evidence files are hostile input. Nothing here reads a whole file into memory or decodes
more than it needs: JPEGs are decoded at reduced scale (``draft``), very tall PNGs only
down to the rows shown, videos from the nearest key frame before the wanted time and for
a bounded number of frames. Any failure yields a ``Thumb`` with a reason instead of an
image — the report then prints a placeholder, it never crashes on a picture.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, BinaryIO, Final

from PIL import Image, ImageFile

log = logging.getLogger(__name__)

MAX_SIDE: Final = 480  # pixels of the longer side of a thumbnail (≈ 230 dpi as printed)
TALL_RATIO: Final = 1.6  # taller pages than this show their top part only
MAX_DECODE_PIXELS: Final = 48_000_000  # a picture that would need more is not decoded
MAX_VIDEO_PIXELS: Final = 16_000_000  # per frame (8K is 33 M; screen captures are far less)
MAX_DECODE_FRAMES: Final = 1500  # frames decoded after a seek to reach the wanted time
JPEG_QUALITY: Final = 80


@dataclass(frozen=True)
class Thumb:
    """A JPEG thumbnail, or the reason there is none (``error``: a label key)."""

    jpeg: bytes | None
    width: int = 0
    height: int = 0
    cropped: bool = False
    error: str | None = None
    detail: str = ""


def failed(error: str, detail: str = "") -> Thumb:
    return Thumb(None, error=error, detail=detail)


def _encode(img: Image.Image, cropped: bool) -> Thumb:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    elif img.mode != "RGB":
        img = img.convert("RGB")
    # reducing_gap: a fast integer box reduction first, then Lanczos over the last factor < 2.
    img.thumbnail((MAX_SIDE, int(MAX_SIDE * TALL_RATIO)), Image.Resampling.LANCZOS, 1.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY)
    return Thumb(buf.getvalue(), img.width, img.height, cropped)


def _decode_top_rows(img: ImageFile.ImageFile, rows: int) -> bool:
    """Make ``load()`` decode only the first ``rows`` rows of a plain (non-interlaced) PNG.

    The PNG decoder fills its tile top-down and stops when the tile is full, so shrinking
    the one tile shrinks the work and the memory to the part that is shown.
    """
    if img.format != "PNG" or len(img.tile) != 1 or img.info.get("interlace"):
        return False
    tile = img.tile[0]
    width = img.size[0]
    img.tile = [tile._replace(extents=(0, 0, width, rows))]
    img._size = (width, rows)
    return True


def image_thumb(fp: BinaryIO) -> Thumb:
    """A thumbnail of the picture in ``fp`` (the top of it when it is a very tall page)."""
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below decides; Pillow's bomb warning must not escape.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fp) as opened:
                img: Any = opened
                width, height = img.size
                if width <= 0 or height <= 0:
                    return failed("th.failed", "empty image")
                cropped = height > width * TALL_RATIO
                rows = int(width * TALL_RATIO) if cropped else height
                if img.format == "JPEG":
                    img.draft("RGB", (MAX_SIDE, MAX_SIDE))
                    scale = img.size[0] / width
                    rows = max(1, int(rows * scale))
                    width, height = img.size
                elif cropped and _decode_top_rows(img, rows):
                    height = rows
                if width * height > MAX_DECODE_PIXELS:
                    return failed("th.too_large", f"{width}x{height}")
                img.load()
                if cropped and img.size[1] > rows:
                    img = img.crop((0, 0, img.size[0], rows))
                return _encode(img, cropped)
    except (MemoryError, Image.DecompressionBombError) as exc:
        return failed("th.too_large", type(exc).__name__)
    except Exception as exc:  # Pillow raises many types on hostile input
        log.info("no thumbnail: %s: %s", type(exc).__name__, exc)
        return failed("th.failed", type(exc).__name__)


def video_thumbs(fp: BinaryIO, offsets_us: Sequence[int]) -> dict[int, Thumb]:
    """Frames of the video in ``fp`` at each offset (µs from its start); 0 is the first frame.

    An offset past the end gives the last frame decoded. Every offset gets an entry.
    """
    import av  # PyAV is heavy; only loaded when a report has video

    wanted = sorted(set(offsets_us))
    out: dict[int, Thumb] = {}
    try:
        with av.open(fp, mode="r") as container:
            if not container.streams.video:
                return {o: failed("th.failed", "no video stream") for o in wanted}
            stream = container.streams.video[0]
            ctx = stream.codec_context
            if (ctx.width or 0) * (ctx.height or 0) > MAX_VIDEO_PIXELS:
                return {o: failed("th.too_large", f"{ctx.width}x{ctx.height}") for o in wanted}
            for offset in wanted:
                out[offset] = _frame_thumb(container, stream, offset)
    except MemoryError:
        out.update({o: failed("th.too_large", "out of memory") for o in wanted if o not in out})
    except Exception as exc:  # FFmpeg errors come in many types on hostile input
        log.info("no video frame: %s: %s", type(exc).__name__, exc)
        out.update({o: failed("th.failed", type(exc).__name__) for o in wanted if o not in out})
    return out


def _frame_thumb(container: Any, stream: Any, offset_us: int) -> Thumb:
    base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 1_000_000)
    start = stream.start_time or 0
    target = start + int(Fraction(max(0, offset_us), 1_000_000) / base)
    container.seek(target, stream=stream, backward=True, any_frame=False)
    frame = None
    for n, candidate in enumerate(container.decode(stream)):
        frame = candidate
        if candidate.pts is None or candidate.pts >= target or n >= MAX_DECODE_FRAMES:
            break
    if frame is None:
        return failed("th.failed", "no frame decoded")
    width, height = frame.width, frame.height
    if width <= 0 or height <= 0:
        return failed("th.failed", "empty frame")
    # Let swscale shrink the frame: converting a full-size frame first would cost more.
    scale = min(1.0, MAX_SIDE / max(width, height))
    small = frame.to_image(width=max(1, round(width * scale)), height=max(1, round(height * scale)))
    return _encode(small, False)
