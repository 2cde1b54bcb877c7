"""The live stream's pictures, sound and segments, made with Pillow and PyAV.

A frame is a pure function of the stream plan and the frame number: a moving "studio"
with the anchor, a burned-in clock (stream time), the claim on screen (if any) and the
machine-readable marker (``markers``). A segment is ``segment_s`` seconds of frames plus a
tone track, encoded with a fresh encoder (so each starts with a key frame) and timestamps
continuing the stream's timeline. Encoders run single-threaded with ``bitexact`` flags:
the same plan and segment number give byte-identical files on the same FFmpeg build and
fonts.

Segments are MPEG-TS with H.264 + AAC, as real platforms serve them: the HLS playlist
lists them, and the HTTP-FLV stream (``flv``) carries the very same H.264 and AAC packets,
remuxed, not re-encoded.

Audio frames (1024 samples) lie on one grid for the whole stream: segment ``n`` holds the
frames that start in its span, so consecutive segments' frames tile without gap or overlap
(each segment's fresh AAC encoder also emits one priming frame, a frame before its first,
which the FLV stream drops: it repeats the previous segment's last frame's time).
"""

from __future__ import annotations

import io
import math
import struct
from fractions import Fraction
from functools import lru_cache
from typing import Any

import av
from PIL import Image, ImageDraw

from forensics.range.content import Claim, StreamPlan
from forensics.range.fonts import FontSet, fonts_for_thread
from forensics.range.markers import draw_marker, strip_height

RENDER_VERSION = 2

_BG_TOP = (24, 28, 58)
_BG_BOTTOM = (70, 30, 64)


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: Any) -> int:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    return int(right - left)


def clock_text(frame: int, fps: int) -> str:
    tenths = frame * 10 // fps
    seconds, tenth = divmod(tenths, 10)
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{tenth}"


@lru_cache(maxsize=8)
def _backdrop(
    width: int, height: int, title: str, room_id: str, anchor: str, fonts: FontSet
) -> Image.Image:
    """The static part of the studio, drawn once per plan and copied for every frame."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / max(1, height - 1)
        colour = tuple(int(a + (b - a) * mix) for a, b in zip(_BG_TOP, _BG_BOTTOM, strict=True))
        draw.line((0, y, width, y), fill=colour)
    # Shelves with boxes behind the anchor: the look of a 直播带货 studio.
    for row in range(3):
        y = 90 + row * 70
        draw.rectangle((360, y + 40, width - 20, y + 46), fill=(150, 120, 90))
        for col in range(5):
            x = 372 + col * 50
            draw.rectangle((x, y, x + 36, y + 40), fill=(200 - row * 30, 160, 90 + col * 25))
    draw.rectangle((0, 0, width, 40), fill=(0, 0, 0))
    draw.ellipse((10, 12, 26, 28), fill=(230, 30, 50))
    label = title if fonts.cjk else f"LIVE ROOM {room_id}"
    draw.text((34, 8), label, font=fonts.body, fill=(255, 255, 255))
    name = anchor if fonts.cjk else "HOST"
    draw.text((24, 48), name, font=fonts.small, fill=(255, 220, 120))
    return image


def render_frame(plan: StreamPlan, frame: int, fonts: FontSet | None = None) -> Image.Image:
    """Frame ``frame`` (counted from stream start) as an RGB image."""
    fonts = fonts or fonts_for_thread()
    width, height, fps = plan.width, plan.height, plan.fps
    image = _backdrop(width, height, plan.title, plan.room_id, plan.anchor, fonts).copy()
    draw = ImageDraw.Draw(image)
    stream_s = frame / fps
    claim = plan.claim_at(stream_s)

    # The anchor sways and a product card slides across: motion makes frame drops visible.
    # Integer triangle waves keep the picture identical on every platform.
    sway = abs(frame % 40 - 20) - 10
    cx, cy = 180 + sway, 170
    draw.ellipse((cx - 38, cy - 88, cx + 38, cy - 12), fill=(240, 200, 170))
    draw.rounded_rectangle((cx - 70, cy - 8, cx + 70, cy + 130), radius=30, fill=(200, 40, 70))
    travel = width - 120
    x = abs(frame * 6 % (2 * travel) - travel)
    draw.rounded_rectangle((x, 205, x + 110, 255), radius=8, fill=(250, 250, 250))
    draw.text((x + 8, 217), "¥" if fonts.cjk else "CNY", font=fonts.body, fill=(220, 30, 30))

    clock = clock_text(frame, fps)
    draw.rectangle((width - 168, 0, width, 40), fill=(0, 0, 0))
    draw.text((width - 160, 7), clock, font=fonts.clock, fill=(255, 255, 255))

    if claim is not None:
        _draw_claim(draw, claim, fonts, width, height)
    draw_marker(image, 0 if claim is None else claim.claim_id, frame)
    return image


def _draw_claim(
    draw: ImageDraw.ImageDraw, claim: Claim, fonts: FontSet, width: int, height: int
) -> None:
    text = claim.text if fonts.cjk else claim.text_en
    font = fonts.large
    text_w = _text_width(draw, text, font)
    if text_w > width - 60:
        font = fonts.body
        text_w = _text_width(draw, text, font)
    top = height - strip_height(height) - 80
    left = max(10, (width - text_w) // 2 - 20)
    draw.rounded_rectangle(
        (left, top, min(width - 10, left + text_w + 40), top + 60), radius=12, fill=(210, 20, 30)
    )
    draw.text((left + 20, top + 10), text, font=font, fill=(255, 235, 60))


def still_jpeg(plan: StreamPlan, frame: int) -> bytes:
    buf = io.BytesIO()
    render_frame(plan, frame).save(buf, format="JPEG", quality=82)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Sound: a quiet drone whose pitch says which claim is on screen (``claim_tone_hz``), with an
# 880 Hz tick during the first 80 ms of every whole second. Whole-Hz tones repeat exactly
# every second, so one-second buffers join without clicks.

AUDIO_RATE = 22050
AAC_FRAME = 1024
NO_CLAIM_HZ = 440
TICK_HZ = 880
TICK_MS = 80


def claim_tone_hz(claim: Claim | None) -> int:
    """The drone's pitch in Hz while ``claim`` is on screen: 440 with no claim, else
    ``480 + 120 * claim_id`` (600, 720, 840, 960, 1080, 1200 for the six claims), so the
    sound alone tells which claim the anchor is making."""
    if claim is None:
        return NO_CLAIM_HZ
    return 480 + 120 * claim.claim_id


@lru_cache(maxsize=16)
def _second_of_tone(rate: int, drone: int) -> bytes:
    tick_len = rate * TICK_MS // 1000
    samples = []
    for i in range(rate):
        value = 2500 * math.sin(2 * math.pi * drone * i / rate)
        if i < tick_len:
            value += 6000 * math.sin(2 * math.pi * TICK_HZ * i / rate)
        samples.append(int(value))
    return struct.pack(f"<{rate}h", *samples)


def tone_pcm(plan: StreamPlan, start: int, stop: int, rate: int = AUDIO_RATE) -> bytes:
    """Mono s16le samples ``[start, stop)`` of the stream's sound (counted from stream start)."""
    first, last = start // rate, max(start, stop - 1) // rate
    pcm = b"".join(
        _second_of_tone(rate, claim_tone_hz(plan.claim_at(s))) for s in range(first, last + 1)
    )
    offset = start - first * rate
    return pcm[offset * 2 : (offset + stop - start) * 2]


def audio_frames(plan: StreamPlan, number: int, rate: int = AUDIO_RATE) -> range:
    """The stream's AAC frames (counted from stream start) that segment ``number`` holds:
    those that start in its span."""
    span = plan.segment_s * rate

    def first(n: int) -> int:
        return -(-n * span // AAC_FRAME)

    return range(first(number), first(number + 1))


# ---------------------------------------------------------------------------------------------
# Segments.


def encode_ts_segment(plan: StreamPlan, number: int) -> bytes:
    """Segment ``number`` as MPEG-TS (H.264 + AAC) for HLS and, remuxed, the FLV stream."""
    fps, seg = plan.fps, plan.segment_s
    first_frame = number * seg * fps
    out_buf = io.BytesIO()
    # bitexact keeps encoder/muxer version strings and random ids out of the bytes.
    with av.open(out_buf, "w", format="mpegts", options={"fflags": "+bitexact"}) as out:
        video = out.add_stream(
            "libx264",
            rate=fps,
            options={"preset": "veryfast", "tune": "zerolatency", "threads": "1"},
        )
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        video.width, video.height, video.pix_fmt = plan.width, plan.height, "yuv420p"
        video.time_base = Fraction(1, fps)
        video.codec_context.gop_size = seg * fps
        for i in range(seg * fps):
            # PyAV's stub leaves from_image unannotated.
            image = render_frame(plan, first_frame + i)
            picture: av.VideoFrame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            picture.pts = first_frame + i
            picture.time_base = Fraction(1, fps)
            for packet in video.encode(picture):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)

        frames = audio_frames(plan, number)
        for k in frames:
            start = k * AAC_FRAME
            sound = av.AudioFrame(format="s16", layout="mono", samples=AAC_FRAME)
            sound.sample_rate = AUDIO_RATE
            sound.planes[0].update(tone_pcm(plan, start, start + AAC_FRAME))
            sound.pts = start
            sound.time_base = Fraction(1, AUDIO_RATE)
            for packet in audio.encode(sound):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return out_buf.getvalue()
