"""Finding the CJK font PDFs embed: the configured file, else a well-known one, else a message with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from quizapp.config import load_config
from quizapp.pdf import fonts
from quizapp.pdf.fonts import WELL_KNOWN_FONT_PATHS, FontMissingError, cjk_font

INSTALLED_FONTS = [path for path in WELL_KNOWN_FONT_PATHS if Path(path).is_file()]


@pytest.fixture
def installed_font() -> str:
    if not INSTALLED_FONTS:
        pytest.skip("no CJK font installed: run `make system-deps` as root (installs fonts-wqy-zenhei)")
    return INSTALLED_FONTS[0]


@pytest.fixture
def not_a_font(tmp_path) -> str:
    path = tmp_path / "not-a-font.ttf"
    path.write_bytes(b"this is not a TrueType font")
    return str(path)


def assert_says_how_to_fix(error: pytest.ExceptionInfo) -> None:
    message = str(error.value)
    assert "apt-get install fonts-wqy-zenhei" in message and "QUIZAPP_PDF_FONT" in message


def test_a_well_known_font_is_found_and_registered(installed_font):
    name = cjk_font(None)
    assert pdfmetrics.getFont(name).face.filename == installed_font


def test_the_configured_font_is_used(installed_font):
    name = cjk_font(installed_font, candidates=())
    assert pdfmetrics.getFont(name).face.filename == installed_font


def test_a_configured_path_that_does_not_exist_is_refused_with_the_fix(installed_font, tmp_path):
    missing = tmp_path / "missing.ttc"
    with pytest.raises(FontMissingError) as error:
        cjk_font(str(missing))  # not replaced by the installed font: a wrong setting must show
    assert str(missing) in str(error.value)
    assert_says_how_to_fix(error)


def test_a_configured_file_that_is_no_font_is_refused(not_a_font):
    with pytest.raises(FontMissingError) as error:
        cjk_font(not_a_font)
    assert_says_how_to_fix(error)


def test_no_candidates_means_no_font_and_says_how_to_fix():
    with pytest.raises(FontMissingError) as error:
        cjk_font(None, candidates=())
    assert_says_how_to_fix(error)


def test_missing_and_unusable_candidates_are_passed_over(installed_font, not_a_font, tmp_path):
    name = cjk_font(None, candidates=[str(tmp_path / "missing.ttc"), not_a_font, installed_font])
    assert pdfmetrics.getFont(name).face.filename == installed_font


def test_a_font_is_loaded_once_per_process(installed_font, tmp_path, monkeypatch):
    """Loading wqy-zenhei takes 0.1-0.2 s: a PDF per request must not pay it again."""
    loads = []
    original = fonts.TTFont

    def counted_load(name, path, **options):
        loads.append(path)
        return original(name, path, **options)

    monkeypatch.setattr(fonts, "TTFont", counted_load)
    fresh_path = tmp_path / "link-to-font.ttc"  # a path this process has not registered yet
    fresh_path.symlink_to(installed_font)
    assert cjk_font(str(fresh_path)) == cjk_font(str(fresh_path))
    assert loads == [str(fresh_path)]


def test_the_font_setting_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_PDF_FONT", "/opt/fonts/simsun.ttc")
    assert load_config(tmp_path)["QUIZAPP_PDF_FONT"] == "/opt/fonts/simsun.ttc"
    monkeypatch.delenv("QUIZAPP_PDF_FONT")
    assert load_config(tmp_path)["QUIZAPP_PDF_FONT"] is None
