"""Build ``QuzhengSans-Regular.ttf``: Roboto Regular's Latin with Droid Sans Fallback's CJK.

Why a merged font: reportlab draws each string in one font and has no per-glyph fallback,
and neither source covers everything a report prints — Droid Sans Fallback has no ASCII
letters or digits, Roboto has no CJK. One font with both keeps every string drawable and
keeps the report independent of the fonts installed on the machine. Both sources are
TrueType-outline fonts under the Apache License 2.0 (see LICENSE-Apache-2.0.txt and
NOTICE.txt); the result is a modified work under the same licence.

What is changed: Droid Sans Fallback is reduced to the glyphs its character map reaches
(alternates reachable only through OpenType layout are dropped), scaled from 256 to 2048
units per em, hinting removed; where both fonts map a character, Roboto's glyph is kept.
Layout tables (GSUB/GPOS/GDEF) and vertical metrics are dropped: reportlab does not use
them. The family is renamed "Quzheng Sans" so it is never mistaken for either source.

Run once when a source font changes (fontTools is a build-time tool, not a dependency)::

    pip install fonttools
    python resources/fonts/build_font.py \\
        --roboto /usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf \\
        --droid /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf

Debian packages: fonts-roboto-unhinted (2:0~20170802-3), fonts-droid-fallback (1:6.0.1r16-1.1).
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.misc.timeTools import timestampFromString
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

HERE = Path(__file__).resolve().parent
OUT = HERE / "QuzhengSans-Regular.ttf"
FAMILY = "Quzheng Sans"
UPEM = 2048
_DROP = ("GSUB", "GPOS", "GDEF", "vhea", "vmtx", "gasp", "fpgm", "prep", "cvt ", "hdmx", "LTSH")


def _prepare(path: Path, skip: set[int], work: Path, name: str) -> Path:
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    keep = sorted(cp for cp in cmap if cp not in skip)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += list(_DROP)
    options.glyph_names = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=keep)
    sub.subset(font)
    for tag in _DROP:
        if tag in font:
            del font[tag]
    if font["head"].unitsPerEm != UPEM:
        scale_upem(font, UPEM)
    out = work / f"{name}.ttf"
    font.save(str(out))
    return out


def build(roboto: Path, droid: Path, out: Path = OUT) -> str:
    latin = TTFont(str(roboto))
    latin_cps = set(latin.getBestCmap())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        a = _prepare(roboto, set(), work, "latin")
        b = _prepare(droid, latin_cps, work, "cjk")
        merged = Merger().merge([str(a), str(b)])
    names = merged["name"]
    names.removeNames(nameID=16)
    names.removeNames(nameID=17)
    version = "Version 1.0; Roboto 2.138 + Droid Sans Fallback 1.00c"
    for name_id, value in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{FAMILY} Regular; {version}"),
        (4, f"{FAMILY} Regular"),
        (5, version),
        (6, "QuzhengSans-Regular"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    merged["OS/2"].fsType = 0  # installable embedding, as both sources allow under Apache-2.0
    # A fixed date keeps the output byte-identical from run to run.
    stamp = timestampFromString("Thu Jan  1 00:00:00 2026")
    merged["head"].created = merged["head"].modified = stamp
    merged.recalcTimestamp = False
    merged.save(str(out))
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--roboto", type=Path, required=True)
    ap.add_argument("--droid", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    print(build(args.roboto, args.droid, args.out), args.out)


if __name__ == "__main__":
    main()
