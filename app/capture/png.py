"""PNG files of page captures, written on every core.

A full page is a picture of some 30 megapixels; Pillow's writer (one thread, adaptive row
filters) needs about a second for one, Qt's about two and a half. Screenshots of web pages
compress as well without row filters (flat colours, text): each row is stored with filter
type 0 and the rows are deflated in stripes on a thread pool — zlib releases the GIL — the
way pigz does: every stripe but the last ends on a byte boundary with a sync flush, so the
raw deflate streams join into one, wrapped in the zlib header and the Adler-32 of all rows.
The result is an ordinary PNG (8-bit RGB, non-interlaced) any decoder reads.

No library writes PNG in parallel (Pillow, Qt and libpng all deflate on one thread), so this
is the one piece written by hand; ``tests/app/capture/test_png.py`` checks it against
Pillow's decoder pixel for pixel.
"""

from __future__ import annotations

import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Final

SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
LEVEL: Final = 1  # as Pillow's compress_level=1: fast, and files are no larger
MIN_STRIPE_BYTES: Final = 4 << 20  # smaller pictures: one stripe (threads cost more)
IDAT_CHUNK: Final = 1 << 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _deflate(rows: bytes, last: bool) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
    return c.compress(rows) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _filtered(pixels: memoryview, stride: int, row_bytes: int, first: int, last: int) -> bytes:
    """Rows ``first``..``last``-1, each prefixed with filter type 0 (none)."""
    out = bytearray((row_bytes + 1) * (last - first))
    pos = 0
    for y in range(first, last):
        start = y * stride
        out[pos + 1 : pos + 1 + row_bytes] = pixels[start : start + row_bytes]
        pos += row_bytes + 1
    return bytes(out)


def encode_rgb(
    pixels: bytes | bytearray | memoryview,
    width: int,
    height: int,
    stride: int,
    workers: int | None = None,
) -> bytes:
    """PNG bytes of 8-bit RGB ``pixels`` (rows ``stride`` bytes apart, ``width``×3 used)."""
    if width <= 0 or height <= 0:
        raise ValueError(f"empty picture {width}×{height}")
    row_bytes = width * 3
    view = memoryview(pixels).cast("B")
    if stride < row_bytes or len(view) < stride * (height - 1) + row_bytes:
        raise ValueError("pixel buffer too small for the picture")
    total = (row_bytes + 1) * height
    n = max(1, min(workers or os.cpu_count() or 1, 16, total // MIN_STRIPE_BYTES or 1))
    bounds = [height * i // n for i in range(n + 1)]

    def stripe(i: int) -> tuple[bytes, int]:
        rows = _filtered(view, stride, row_bytes, bounds[i], bounds[i + 1])
        return _deflate(rows, i == n - 1), zlib.adler32(rows)

    if n == 1:
        parts = [stripe(0)]
    else:
        with ThreadPoolExecutor(n, thread_name_prefix="png") as pool:
            parts = list(pool.map(stripe, range(n)))
    sizes = [(row_bytes + 1) * (bounds[i + 1] - bounds[i]) for i in range(n)]
    adler = _combine([(a, size) for (_, a), size in zip(parts, sizes, strict=True)])
    stream = b"\x78\x01" + b"".join(p for p, _ in parts) + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    out = [SIGNATURE, _chunk(b"IHDR", header)]
    out += [_chunk(b"IDAT", stream[i : i + IDAT_CHUNK]) for i in range(0, len(stream), IDAT_CHUNK)]
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


_BASE: Final = 65521


def _combine(parts: list[tuple[int, int]]) -> int:
    """Adler-32 of concatenated data from each part's (Adler-32, length) — zlib's
    ``adler32_combine``, which Python's zlib module does not expose."""
    a_total, b_total = 1, 0
    for adler, length in parts:
        a2, b2 = adler & 0xFFFF, adler >> 16
        rem = length % _BASE
        # Appending data D (length n) to data with sums (A, B):
        #   A' = A + a(D) - 1,  B' = B + b(D) + n·(A - 1)  (mod BASE)
        b_total = (b_total + b2 + rem * (a_total - 1)) % _BASE
        a_total = (a_total + a2 - 1) % _BASE
    return (b_total << 16) | a_total
