"""Pictures for img.range.test: product photos, the shop logo and banner, avatars.

Each picture is a pure function of the content and its name (colours come from a SHA-256
of the seed and the name), drawn with Pillow and saved as JPEG or PNG with fixed settings:
the same seed gives the same bytes with the same Pillow build and fonts. Every product
photo shows its product id in Latin digits, so a screenshot can be matched to the manifest.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

from forensics.range.content import Content, Product
from forensics.range.fonts import fonts_for_thread

PRODUCT_IMAGE_PX = 480


def _palette(seed: int, name: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    light = (150 + digest[0] % 100, 150 + digest[1] % 100, 150 + digest[2] % 100)
    dark = (digest[3] % 120, digest[4] % 120, digest[5] % 120)
    return light, dark


def product_jpeg(content: Content, product: Product, index: int) -> bytes:
    """Photo ``index`` of ``product`` (480x480 JPEG)."""
    fonts = fonts_for_thread()
    size = PRODUCT_IMAGE_PX
    light, dark = _palette(content.seed, f"{product.product_id}/{index}")
    image = Image.new("RGB", (size, size), light)
    draw = ImageDraw.Draw(image)
    kind = int(product.product_id) % 4
    # A rough silhouette per category family, so photos of different items look different.
    if kind == 0:
        draw.polygon([(60, 330), (200, 230), (330, 250), (420, 330), (420, 360), (60, 360)], dark)
    elif kind == 1:
        draw.rounded_rectangle((110, 160, 370, 380), radius=30, fill=dark)
        draw.arc((170, 90, 310, 220), 180, 360, fill=dark, width=14)
    elif kind == 2:
        draw.polygon([(150, 120), (330, 120), (400, 200), (360, 400), (120, 400), (80, 200)], dark)
    else:
        draw.ellipse((130, 130, 350, 350), fill=dark)
        draw.ellipse((175, 175, 305, 305), fill=light)
    brand = content.shop.brand_variant
    draw.text((24, 20), brand, font=fonts.large, fill=dark)
    if fonts.cjk:
        draw.text((24, 64), product.category, font=fonts.body, fill=dark)
    draw.rectangle((0, size - 44, size, size), fill=(255, 255, 255))
    label = f"ID {product.product_id}  {index + 1}/{len(product.images)}"
    draw.text((16, size - 36), label, font=fonts.body, fill=(40, 40, 40))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def logo_png(content: Content) -> bytes:
    fonts = fonts_for_thread()
    light, dark = _palette(content.seed, "logo")
    image = Image.new("RGB", (160, 160), dark)
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 150, 150), outline=light, width=6)
    text = content.shop.brand_zh if fonts.cjk else content.shop.brand_en[:2]
    draw.text((40, 55), text, font=fonts.large, fill=light)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def banner_jpeg(content: Content) -> bytes:
    fonts = fonts_for_thread()
    light, dark = _palette(content.seed, "banner")
    image = Image.new("RGB", (1200, 300), dark)
    draw = ImageDraw.Draw(image)
    for i in range(0, 1200, 60):
        draw.line((i, 0, i + 300, 300), fill=light, width=3)
    draw.rectangle((0, 100, 1200, 200), fill=(200, 20, 40))
    if fonts.cjk:
        text = f"{content.shop.brand_zh} 双十一狂欢 全场1折起 正品保证"
    else:
        text = f"{content.shop.brand_en}  MEGA SALE  90% OFF"
    draw.text((40, 128), text, font=fonts.large, fill=(255, 230, 60))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def avatar_png(content: Content, name: str) -> bytes:
    light, dark = _palette(content.seed, "avatar/" + name)
    image = Image.new("RGB", (64, 64), light)
    draw = ImageDraw.Draw(image)
    draw.ellipse((18, 8, 46, 36), fill=dark)
    draw.ellipse((8, 38, 56, 80), fill=dark)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
