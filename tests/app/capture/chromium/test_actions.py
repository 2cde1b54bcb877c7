"""Pure parts of the Chromium capture actions."""

from __future__ import annotations

import io

from PIL import Image

from app.capture.chromium.actions import flat_below_png, png_size


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def test_flat_below_the_first_screen_is_found_and_a_drawn_page_is_not() -> None:
    picture = Image.new("RGB", (50, 400), (240, 240, 240))
    picture.paste((200, 30, 30), (0, 0, 50, 100))  # only the first screen was drawn
    assert flat_below_png(_png(picture), 100)
    picture.putpixel((10, 399), (0, 0, 0))  # one drawn pixel at the very bottom
    assert not flat_below_png(_png(picture), 100)
    assert not flat_below_png(_png(picture), 399)  # too little below to judge


def test_png_size_from_its_header() -> None:
    assert png_size(_png(Image.new("RGB", (123, 45)))) == (123, 45)
