"""Fonts for text burned into the range's pictures, found at run time.

A fresh machine may have no CJK font (Debian's fonts-noto-cjk is optional), so the range
looks for one among the usual places and falls back to English text with any Latin font,
and finally to Pillow's built-in font. ``FontSet.key`` names the fonts in use: rendered
bytes are identical only for the same fonts, so caches are keyed by it.

Pillow's FreeType objects are not shared across threads here: each thread loads its own
``FontSet`` (``fonts_for_thread``), which takes milliseconds.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

type Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

_CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
_LATIN_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/System/Library/Fonts/Helvetica.ttc",
    "C:/Windows/Fonts/arialbd.ttf",
)
# Project fonts (resources/fonts) come first: a bundled font makes output machine-independent.
_RESOURCE_FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"


def _has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    # A font without the glyph draws its .notdef box, the same as for a private-use
    # code point; a real glyph differs from it.
    mask = font.getmask(char)
    return mask.getbbox() is not None and bytes(mask) != bytes(font.getmask("\ue000"))


def _candidates(names: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    if _RESOURCE_FONTS.is_dir():
        for pattern in ("*.ttf", "*.ttc", "*.otf"):
            found.extend(sorted(_RESOURCE_FONTS.glob(pattern)))
    found.extend(Path(n) for n in names)
    return found


_lock = threading.Lock()
_found: dict[str, Path | None] = {}


def _find(kind: str, names: tuple[str, ...], probe: str) -> Path | None:
    with _lock:
        if kind not in _found:
            _found[kind] = None
            for path in _candidates(names):
                try:
                    font = ImageFont.truetype(str(path), 24)
                except OSError:
                    continue
                if _has_glyph(font, probe):
                    _found[kind] = path
                    break
        return _found[kind]


def find_cjk_font() -> Path | None:
    """A font file that can draw Chinese, or ``None``."""
    return _find("cjk", _CJK_CANDIDATES, "正")


def find_latin_font() -> Path | None:
    return _find("latin", _LATIN_CANDIDATES, "A")


def _load(path: Path | None, size: int) -> Font:
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class FontSet:
    cjk: bool
    small: Font
    body: Font
    large: Font
    clock: Font
    key: str

    @classmethod
    def load(cls) -> FontSet:
        cjk_path = find_cjk_font()
        latin_path = find_latin_font() or cjk_path
        text_path = cjk_path or latin_path
        names = f"{cjk_path}|{latin_path}"
        return cls(
            cjk=cjk_path is not None,
            small=_load(text_path, 16),
            body=_load(text_path, 22),
            large=_load(text_path, 34),
            clock=_load(latin_path, 24),
            key=hashlib.sha256(names.encode()).hexdigest()[:10],
        )


_local = threading.local()


def fonts_for_thread() -> FontSet:
    fonts: FontSet | None = getattr(_local, "fonts", None)
    if fonts is None:
        fonts = FontSet.load()
        _local.fonts = fonts
    return fonts
