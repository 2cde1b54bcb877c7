"""The report's parts on their own: thumbnails, text wrapping, fonts, the build hash."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image
from reportlab.pdfbase import pdfmetrics

import forensics
from forensics.report import build_hash
from forensics.report.fonts import FONT_DIR, HEX_FONT, TEXT_FONT, clean, register_fonts
from forensics.report.layout import wrap
from forensics.report.thumbs import MAX_SIDE, image_thumb, video_thumbs
from tests.forensics.report.builders import make_mp4


def _pixel(jpeg: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(jpeg)) as img:
        px = img.convert("RGB").getpixel(xy)
    assert isinstance(px, tuple)
    return (int(px[0]), int(px[1]), int(px[2]))


def test_video_frames_at_offsets(tmp_path: Path) -> None:
    # 2 s at 10 fps: second 0 is blue, second 1 is red
    video = make_mp4(tmp_path / "v.mp4")
    with open(video, "rb") as f:
        frames = video_thumbs(f, [0, 1_200_000, 99_000_000])
    first, mark, past_end = frames[0], frames[1_200_000], frames[99_000_000]
    for t in (first, mark, past_end):
        assert t.jpeg is not None and t.error is None
    r, _, b = _pixel(first.jpeg or b"", (80, 70))
    assert r < 80 and b > 180
    r, _, b = _pixel(mark.jpeg or b"", (80, 70))
    assert r > 180 and b < 80
    assert _pixel(past_end.jpeg or b"", (80, 70))[0] > 180  # the last frame


def test_not_a_video_gives_reasons(tmp_path: Path) -> None:
    frames = video_thumbs(io.BytesIO(os.urandom(4096)), [0, 5_000_000])
    assert set(frames) == {0, 5_000_000}
    assert all(t.jpeg is None and t.error == "th.failed" for t in frames.values())


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_tall_png_decodes_only_the_rows_shown(tmp_path: Path) -> None:
    # 64 x 800,000 px: decoding all of it would pass the pixel limit (and use 150 MB);
    # only the top rows that are shown get decoded.
    width, height = 64, 800_000
    z = zlib.compressobj(1)
    row = b"\x00" + b"\x80" * (width * 3)
    body = b"".join(z.compress(row * 10_000) for _ in range(height // 10_000)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
    )
    thumb = image_thumb(io.BytesIO(png))
    assert thumb.error is None and thumb.cropped, thumb
    assert thumb.height <= int(thumb.width * 1.6) + 1


def test_large_jpeg_is_decoded_at_reduced_scale(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (6000, 4000), (10, 120, 200)).save(buf, "JPEG", quality=60)
    buf.seek(0)
    thumb = image_thumb(buf)
    assert thumb.jpeg is not None and max(thumb.width, thumb.height) == MAX_SIDE
    assert not thumb.cropped


def test_hostile_bytes_never_raise() -> None:
    for blob in (b"", b"\x89PNG\r\n\x1a\n" + os.urandom(200), b"GIF89a" + os.urandom(50)):
        thumb = image_thumb(io.BytesIO(blob))
        assert thumb.jpeg is None and thumb.error is not None


def test_wrap_keeps_every_character_within_the_width() -> None:
    register_fonts()
    text = (
        "截图：https://shop.range.test/product/12345?from=search&q=%E6%AD%A3%E5%93%81 "
        "（某某旗舰店“正品保证”¥199）The quick brown fox jumps over the lazy dog. " + "ab" * 60
    )
    for width in (40.0, 90.0, 300.0):
        lines = wrap(text, 7, width).split("\n")
        assert all(pdfmetrics.stringWidth(line, TEXT_FONT, 7) <= width + 0.01 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    digest = "ab" * 32
    assert wrap(digest, 6.3, 400, HEX_FONT) == digest


def test_clean_shows_what_the_font_cannot_draw() -> None:
    assert clean("正品 OK") == "正品 OK"
    assert clean("a\x07b😀") == "a<U+0007>b<U+1F600>"


def test_fonts_come_from_resources_with_their_licence() -> None:
    assert Path(forensics.__file__).resolve().parent.parent / "resources" / "fonts" == FONT_DIR
    for name in (
        "QuzhengSans-Regular.ttf",
        "RobotoCondensed-Regular.ttf",
        "LICENSE-Apache-2.0.txt",
    ):
        assert (FONT_DIR / name).is_file(), name
    coverage = register_fonts()
    for ch in "0aZ第页共〔〕号：，。（）“”¥—…·×":
        assert ord(ch) in coverage, ch


def test_build_hash_matches_the_coreutils_recipe() -> None:
    root = Path(forensics.__file__).resolve().parent.parent
    recipe = (
        "find forensics app -name '*.py' -not -path '*/__pycache__/*' "
        "| LC_ALL=C sort | xargs sha256sum | sha256sum"
    )
    before = build_hash.__wrapped__(root)
    out = subprocess.run(
        ["sh", "-c", recipe], cwd=root, capture_output=True, text=True, check=True, timeout=60
    )
    after = build_hash.__wrapped__(root)
    # Other work may edit a source file between the two; then both sides will have moved.
    assert before != after or out.stdout.split()[0] == before
