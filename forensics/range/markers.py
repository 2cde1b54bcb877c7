"""The machine-readable marker burned into every frame of the live stream.

A test or a scorer that decodes a recording must know which claim was on screen when,
without OCR. Each frame carries a strip of 40 black/white blocks along its bottom edge
(one bit per block, each 1/40 of the frame's width and ``MARKER_STRIP_FRACTION`` of its
height):

    bits  0-5   sync pattern 101100 (tells a marker from picture content)
    bits  6-13  claim id (0 = no claim on screen)
    bits 14-35  frame number since stream start (frame / fps = stream seconds)
    bits 36-39  check: number of one-bits in bits 6-35, modulo 16

Blocks are large and pure black or white, so they survive H.264/VP9 compression and
scaling; decoding samples the middle of each block and thresholds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageStat

MARKER_BITS = 40
MARKER_LAYOUT = "sync:6=101100,claim_id:8,frame:22,check:4=popcount(claim_id,frame)%16"
MARKER_STRIP_FRACTION = 1 / 22  # 16 px of a 360 px frame
_SYNC = (1, 0, 1, 1, 0, 0)
_MAX_FRAME = 2**22 - 1


@dataclass(frozen=True)
class FrameMarker:
    claim_id: int
    frame: int

    def seconds(self, fps: int) -> float:
        return self.frame / fps


def marker_bits(claim_id: int, frame: int) -> list[int]:
    """The 40 bits for a frame. ``frame`` wraps after 2**22 frames (about 116 h at 10 fps)."""
    frame &= _MAX_FRAME
    data = [(claim_id >> (7 - i)) & 1 for i in range(8)]
    data += [(frame >> (21 - i)) & 1 for i in range(22)]
    check = sum(data) % 16
    return [*_SYNC, *data, *((check >> (3 - i)) & 1 for i in range(4))]


def strip_height(height: int) -> int:
    return max(4, round(height * MARKER_STRIP_FRACTION))


def draw_marker(image: Image.Image, claim_id: int, frame: int) -> None:
    """Paint the marker strip over the bottom of ``image`` (RGB) in place."""
    width, height = image.size
    top = height - strip_height(height)
    draw = ImageDraw.Draw(image)
    for i, bit in enumerate(marker_bits(claim_id, frame)):
        x0 = i * width // MARKER_BITS
        x1 = (i + 1) * width // MARKER_BITS - 1
        draw.rectangle((x0, top, x1, height - 1), fill=(255, 255, 255) if bit else (0, 0, 0))


def read_marker(image: Image.Image) -> FrameMarker | None:
    """Decode the marker of a whole frame (any size), or ``None`` if there is none."""
    gray = image.convert("L")
    width, height = gray.size
    strip = strip_height(height)
    if width < MARKER_BITS * 2 or height < strip * 2:
        return None
    top = height - strip
    bits = []
    for i in range(MARKER_BITS):
        x0 = i * width // MARKER_BITS
        x1 = (i + 1) * width // MARKER_BITS
        # Sample the middle half of the block: edges bleed under compression and scaling.
        qx, qy = (x1 - x0) // 4, strip // 4
        box = (x0 + qx, top + qy, x1 - qx, height - qy)
        bits.append(1 if ImageStat.Stat(gray.crop(box)).mean[0] >= 128 else 0)
    if tuple(bits[:6]) != _SYNC:
        return None
    data = bits[6:36]
    check = int("".join(map(str, bits[36:40])), 2)
    if sum(data) % 16 != check:
        return None
    claim_id = int("".join(map(str, data[:8])), 2)
    frame = int("".join(map(str, data[8:])), 2)
    return FrameMarker(claim_id, frame)
