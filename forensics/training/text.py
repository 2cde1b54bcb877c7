"""Plain-text tables that line up with Chinese text (CJK characters are two columns wide)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(
        0
        if unicodedata.combining(ch)
        else 2
        if unicodedata.east_asian_width(ch) in ("W", "F")
        else 1
        for ch in text
    )


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(0, columns - width(text))
    return gap + text if right else text + gap


def table(rows: Sequence[Sequence[str]], right: Sequence[bool] = ()) -> list[str]:
    """Rows of cells as aligned lines; ``right[i]`` right-aligns column ``i``."""
    if not rows:
        return []
    n = max(len(r) for r in rows)
    widths = [max(width(r[i]) if i < len(r) else 0 for r in rows) for i in range(n)]
    out = []
    for r in rows:
        cells = [
            pad(r[i] if i < len(r) else "", widths[i], i < len(right) and right[i])
            for i in range(n)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def fmt_points(value: float) -> str:
    """Points without noise: 10, 6.67, 0."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_duration(seconds: float) -> str:
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{sec:02d}"
