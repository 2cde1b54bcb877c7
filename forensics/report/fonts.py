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

# Characters the app's own texts use (arrows, ticks, boxes) that the fonts lack, drawn as
# the nearest text the font has. Anything else outside the font is shown by code point.
SUBSTITUTES: Final[dict[str, str]] = {
    "\u2190": "<-",  # ←
    "\u2192": "->",  # →
    "\u2194": "<->",  # ↔
    "\u21d0": "<=",  # ⇐
    "\u21d2": "=>",  # ⇒
    "\u21d4": "<=>",  # ⇔
    "\u2794": "->",  # ➔
    "\u27f5": "<-",  # ⟵
    "\u27f6": "->",  # ⟶
    "\u2713": "\u221a",  # ✓ -> √
    "\u2714": "\u221a",  # ✔ -> √
    "\u2717": "\u00d7",  # ✗ -> ×
    "\u2718": "\u00d7",  # ✘ -> ×
    "\u2715": "\u00d7",  # ✕ -> ×
}

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


def register_fonts() -> frozenset[int]:
    """Register the report fonts with reportlab (once); the code points the text font draws."""
    with _lock:
        if not _coverage:
            found: dict[str, frozenset[int]] = {}
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
                found[name] = frozenset(font.face.charToGlyph)
            _coverage.update(found)
        return _coverage[TEXT_FONT]


def font_coverage(name: str) -> frozenset[int]:
    """The code points the registered report font ``name`` has a glyph for."""
    register_fonts()
    return _coverage[name]


def drawable(text: str, font: str = TEXT_FONT) -> bool:
    """Whether every character of ``text`` has a glyph in ``font``."""
    coverage = font_coverage(font)
    return all(ord(c) in coverage for c in text)


def clean(text: object) -> str:
    """Text the report font can draw: never a character the font has no glyph for.

    A few symbols the app's own texts use (arrows, ticks) become their nearest drawable
    text (``SUBSTITUTES``). Evidence text (titles, notes, file names) is hostile: control
    characters and other glyphs outside the font are shown by code point (``<U+XXXX>``),
    never dropped, so nothing is hidden.
    """
    coverage = register_fonts()
    s = str(text)
    if all(ord(c) in coverage for c in s):
        return s
    out = []
    for c in s:
        if ord(c) in coverage or c == "\n":
            out.append(c)
        elif c in SUBSTITUTES:
            out.append(SUBSTITUTES[c])
        elif c in "\t\r" or unicodedata.category(c) == "Zs":
            out.append(" ")
        else:
            out.append(f"<U+{ord(c):04X}>")
    return "".join(out)


def para_text(text: object) -> str:
    """``clean`` text escaped for a reportlab Paragraph (line breaks kept)."""
    return escape(clean(text)).replace("\n", "<br/>")
