"""Reading generated PDFs back as a viewer, a printer and a scanner would: text, fonts, pixels, QR codes."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from quizapp.pdf.fonts import FontMissingError, cjk_font

INSTALL_HINT = "run `make system-deps` as root (installs fonts-wqy-zenhei and poppler-utils)"


def installed_cjk_font() -> str:
    """The registered CJK font, or skip the test on a machine without one."""
    try:
        return cjk_font(None)
    except FontMissingError:
        pytest.skip(f"no CJK font installed: {INSTALL_HINT}")


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, one printed line per text line."""
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    """The PDF's text without line breaks or spaces, so that wrapped names read whole."""
    return "".join("".join(text.split()) for text in page_texts(pdf))


def rasterised(pdf: bytes, tmp_path: Path, page: int = 1) -> Image.Image:
    """One page at 150 dpi, as a printout scanned by a tablet; pdftoppm fails the test on a broken page."""
    if shutil.which("pdftoppm") is None:
        pytest.skip(f"pdftoppm is missing: {INSTALL_HINT}")
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(source),
                    str(tmp_path / "page")], check=True)
    with Image.open(tmp_path / "page.png") as image:
        return image.copy()


def qr_codes_in(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """The text of every QR code on ``page`` (1-based), rasterised and decoded."""
    image = rasterised(pdf, tmp_path, page)
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def assert_fonts_embedded(pdf: bytes) -> None:
    """A font left out shows as empty boxes on a machine without it (reportlab's STSong-Light does)."""
    for page in PdfReader(BytesIO(pdf)).pages:
        fonts = page["/Resources"]["/Font"].values()
        assert fonts
        for font in (reference.get_object() for reference in fonts):
            descriptor_owner = font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font
            descriptor = descriptor_owner.get("/FontDescriptor")  # the 14 standard fonts have none
            assert descriptor and {"/FontFile2", "/FontFile3"} & set(descriptor.get_object()), font["/BaseFont"]
