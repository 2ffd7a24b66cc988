"""Citations read the way Chinese legal texts are cited."""

import pytest

from quizapp.bank.citations import chinese_number, format_citation


@pytest.mark.parametrize(("number", "words"), [
    (1, "一"), (10, "十"), (11, "十一"), (21, "二十一"), (30, "三十"), (97, "九十七"), (100, "一百"),
    (105, "一百零五"), (110, "一百一十"), (119, "一百一十九"),
])
def test_chinese_numbers(number, words):
    assert chinese_number(number) == words


@pytest.mark.parametrize(("kind", "article", "text"), [
    ("law", "28", "《安全生产法》第二十八条"),
    ("law", "97(七)", "《安全生产法》第九十七条第（七）项"),
    ("rule", "4(二)", "《安全生产法》第四条第（二）项"),
    ("standard", "5.1.5", "《安全生产法》5.1.5"),
])
def test_citation_text(kind, article, text):
    assert format_citation("安全生产法", kind, article) == text
