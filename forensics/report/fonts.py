"""The report's fonts, loaded only from the app's own ``resources/fonts`` (never the system's).

``Quzheng Sans`` (QuzhengSans-Regular.ttf) is Roboto's Latin merged with Droid Sans
Fallback's CJK — both TrueType outlines under Apache-2.0 — so every string draws in one
font; reportlab subsets and embeds it. Roboto Condensed (Apache-2.0) sets the long
hexadecimal digests so that a 64-digit value fits on one line. See
resources/fonts/README.md for provenance and licences.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import forensics
from forensics.errors import InputError

FONT_DIR: Final = Path(forensics.__file__).resolve().parent.parent / "resources" / "fonts"
TEXT_FONT: Final = "QuzhengSans"
HEX_FONT: Final = "QuzhengHex"
_FILES: Final = {
    TEXT_FONT: "QuzhengSans-Regular.ttf",
    HEX_FONT: "RobotoCondensed-Regular.ttf",
}

_lock = threading.Lock()
_coverage: frozenset[int] | None = None


def register_fonts() -> frozenset[int]:
    """Register the report fonts with reportlab (once); the code points the text font draws."""
    global _coverage
    with _lock:
        if _coverage is None:
            for name, filename in _FILES.items():
                path = FONT_DIR / filename
                try:
                    font = TTFont(name, str(path))
                except (OSError, ValueError) as exc:  # reportlab raises TTFError (ValueError)
                    raise InputError(
                        f"the report font {path} is missing or unreadable ({exc}); reinstall Quzheng",
                        f"笔录字体 {path} 缺失或无法读取（{exc}），请重新安装本软件",
                    ) from None
                pdfmetrics.registerFont(font)
                if name == TEXT_FONT:
                    _coverage = frozenset(font.face.charToGlyph)
        assert _coverage is not None
        return _coverage


def clean(text: object) -> str:
    """Text the report font can draw: characters it lacks become ``<U+XXXX>``.

    Evidence text (titles, notes, file names) is hostile: control characters and glyphs
    outside the font are shown by code point, never dropped, so nothing is hidden.
    """
    coverage = register_fonts()
    s = str(text)
    if all(ord(c) in coverage for c in s):
        return s
    out = []
    for c in s:
        if ord(c) in coverage or c == "\n":
            out.append(c)
        elif c in "\t\r" or unicodedata.category(c) == "Zs":
            out.append(" ")
        else:
            out.append(f"<U+{ord(c):04X}>")
    return "".join(out)


def para_text(text: object) -> str:
    """``clean`` text escaped for a reportlab Paragraph (line breaks kept)."""
    return escape(clean(text)).replace("\n", "<br/>")
