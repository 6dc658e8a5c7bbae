#!/usr/bin/python3
"""Makes the fast fonts in fonts/fast/ from the full PT Serif and PT Sans in fonts/.

Run with Debian's python3 and fonttools (package fonttools):
    /usr/bin/python3 fonts/fast/make-fast-fonts.py

Each face is cut down to the scripts GrantPress documents use (Basic Latin, Latin-1,
Cyrillic, general punctuation, №, ₽, €), without hinting or
OpenType layout tables (libharu uses neither), and renamed: ParaType's licence forbids
distributing a modified font under its original name, so "PT Serif" becomes
"GrantPress Serif" and "PT Sans" becomes "GrantPress Sans". The PDF renderer loads these
instead of the full fonts (see substitutes.txt) and falls back to the full fonts, then to
DejaVu Sans, for any character they lack.
"""
import os
import subprocess
import sys

from fontTools.ttLib import TTFont

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.dirname(HERE)
UNICODES = ",".join([
    "U+0020-007E",  # Basic Latin
    "U+00A0-00FF",  # Latin-1: no-break space, «», §, °, ±, ×, ÷
    "U+0400-045F", "U+0490-0491",  # Cyrillic (Russian, Ukrainian, Belarusian)
    "U+2010-2027",  # hyphens, dashes, quotes, bullet, ellipsis
    "U+2030", "U+2039-203A", "U+2116", "U+20AC", "U+20BD", "U+2122", "U+2212",  # ‰ ‹› № € ₽ ™ −
])
FAMILIES = {"PTSerif": ("GrantPress Serif", "GrantPressSerif"), "PTSans": ("GrantPress Sans", "GrantPressSans")}
STYLES = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "BoldItalic": "Bold Italic"}

for family, (new_family, new_ps) in FAMILIES.items():
    for style, style_name in STYLES.items():
        src = os.path.join(FONTS, f"{family}-{style}.ttf")
        dst = os.path.join(HERE, f"{new_ps}-{style}.ttf")
        subprocess.run(["/usr/bin/pyftsubset", src, f"--unicodes={UNICODES}", f"--output-file={dst}",
                        "--no-hinting", "--layout-features=", "--drop-tables+=GSUB,GPOS,GDEF,kern,DSIG",
                        "--name-IDs=0,1,2,3,4,5,6,13,14,16,17", "--notdef-outline", "--recalc-bounds"],
                       check=True)
        font = TTFont(dst)
        full = f"{new_family} {style_name}" if style != "Regular" else new_family
        for rec in font["name"].names:
            old = rec.toUnicode()
            if rec.nameID in (1, 16):
                rec.string = new_family
            elif rec.nameID == 4:
                rec.string = full
            elif rec.nameID == 6:
                rec.string = f"{new_ps}-{style}"
            elif rec.nameID == 3:
                rec.string = f"{new_ps}-{style}; derived from {old}"
        font.save(dst)
        print(dst, os.path.getsize(dst), file=sys.stderr)
