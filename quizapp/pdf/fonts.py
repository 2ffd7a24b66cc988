"""The CJK TrueType font every PDF is set in, registered once per process and embedded as a subset.

reportlab's built-in STSong-Light is never used: it is not embedded, so viewers and printers without a
Chinese font show empty boxes, which nobody notices until the paper is on the wall.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

# Fonts with TrueType outlines (reportlab cannot embed CFF-flavoured OpenType such as NotoSansCJK-*.ttc).
WELL_KNOWN_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian/Ubuntu fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",  # Noto Sans SC, TrueType build
    "/usr/local/share/fonts/NotoSansSC-Regular.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)
CHINESE_SAMPLE = "逢查必考入企扫码"
HOW_TO_FIX = ("Install a Chinese TrueType font (Debian/Ubuntu: `apt-get install fonts-wqy-zenhei`, or "
              "`make system-deps` as root), or set QUIZAPP_PDF_FONT to the path of a .ttf or .ttc font file.")


class FontMissingError(RuntimeError):
    """No usable CJK font: the message says what was tried and how to fix it."""


def cjk_font(configured_path: str | None, candidates: Iterable[str] = WELL_KNOWN_FONT_PATHS) -> str:
    """The reportlab name of the configured font, else of the first usable well-known one.

    A configured path is used or refused, never quietly replaced by another font: a wrong setting shows.
    """
    if configured_path:
        if not Path(configured_path).is_file():
            raise FontMissingError(f"QUIZAPP_PDF_FONT is {configured_path}, which is not a file. {HOW_TO_FIX}")
        try:
            return _registered(configured_path)
        except TTFError as error:
            raise FontMissingError(f"QUIZAPP_PDF_FONT {configured_path} cannot be used: {error}. "
                                   f"{HOW_TO_FIX}") from error
    refused = []
    for path in candidates:
        if not Path(path).is_file():
            continue
        try:
            return _registered(path)
        except TTFError as error:
            refused.append(f"{path} ({error})")
    tried = f" Unusable: {'; '.join(refused)}." if refused else ""
    raise FontMissingError(f"No Chinese TrueType font found for PDFs.{tried} {HOW_TO_FIX}")


@cache
def _registered(path: str) -> str:
    """Load and register the font at ``path`` (index 0 of a .ttc) once: loading takes a noticeable 0.1-0.2 s.

    A font without Chinese characters (DejaVu, say) is refused here rather than printing empty boxes.
    """
    font = TTFont(f"CJK {path}", path, subfontIndex=0)
    if not all(ord(character) in font.face.charToGlyph for character in CHINESE_SAMPLE):
        raise TTFError("it has no Chinese characters")
    pdfmetrics.registerFont(font)
    return font.fontName
