"""The parallel PNG writer against Pillow's decoder: the same pixels, one stripe or many,
padded rows, odd sizes; a valid zlib stream (Adler-32 combined from the stripes)."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage, QPainter

from app.capture.actions import encode_png
from app.capture.png import MIN_STRIPE_BYTES, _combine, encode_rgb


def _page_like(width: int, height: int, seed: int) -> bytes:
    """Flat areas, stripes and noise, as in a page with text and photos."""
    rnd = random.Random(seed)
    rows = []
    for y in range(height):
        if y % 97 < 40:
            rows.append(bytes([240, 240, 240]) * width)
        elif y % 97 < 60:
            rows.append(bytes(rnd.getrandbits(8) for _ in range(width * 3)))
        else:
            rows.append(bytes([(x * 7 + y) % 256 for x in range(width)] * 3))
    return b"".join(rows)


@pytest.mark.parametrize(("width", "height", "workers"), [(1, 1, 1), (33, 17, 4), (301, 9000, 3)])
def test_pixels_round_trip(width: int, height: int, workers: int) -> None:
    pixels = _page_like(width, height, width)
    png = encode_rgb(pixels, width, height, width * 3, workers=workers)
    decoded = Image.open(io.BytesIO(png))
    assert decoded.format == "PNG" and decoded.mode == "RGB"
    assert decoded.size == (width, height) and decoded.tobytes() == pixels


def test_many_stripes_make_one_valid_zlib_stream() -> None:
    width, height = 800, 6000  # 14 MB of rows: several stripes
    assert (width * 3 + 1) * height > 3 * MIN_STRIPE_BYTES
    pixels = _page_like(width, height, 7)
    png = encode_rgb(pixels, width, height, width * 3, workers=4)
    stream, pos = b"", 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(
            kind + data
        )
        if kind == b"IDAT":
            stream += data
        pos += 12 + length
    rows = zlib.decompress(stream)  # checks the Adler-32 trailer
    assert len(rows) == (width * 3 + 1) * height
    assert Image.open(io.BytesIO(png)).tobytes() == pixels


def test_adler_combine_matches_zlib() -> None:
    rnd = random.Random(3)
    parts = [bytes(rnd.getrandbits(8) for _ in range(n)) for n in (0, 1, 5, 70_000, 3)]
    combined = _combine([(zlib.adler32(p), len(p)) for p in parts])
    assert combined == zlib.adler32(b"".join(parts))


def test_padded_rows_and_bad_sizes() -> None:
    width, height, stride = 5, 4, 5 * 3 + 9
    rows = [bytes(range(y, y + 15)) + b"\xee" * 9 for y in range(height)]
    png = encode_rgb(b"".join(rows), width, height, stride)
    assert Image.open(io.BytesIO(png)).tobytes() == b"".join(r[:15] for r in rows)
    with pytest.raises(ValueError):
        encode_rgb(b"", 0, 1, 0)
    with pytest.raises(ValueError):
        encode_rgb(b"\x00" * 10, 5, 4, 15)


def test_encode_png_of_a_qimage_drops_alpha() -> None:
    image = QImage(123, 45, QImage.Format.Format_ARGB32)
    image.fill(QColor(10, 200, 30, 255))
    painter = QPainter(image)
    painter.fillRect(0, 0, 20, 45, QColor(250, 0, 0))
    painter.end()
    decoded = Image.open(io.BytesIO(encode_png(image)))
    assert decoded.mode == "RGB" and decoded.size == (123, 45)
    assert decoded.getpixel((5, 5)) == (250, 0, 0) and decoded.getpixel((100, 40)) == (10, 200, 30)
