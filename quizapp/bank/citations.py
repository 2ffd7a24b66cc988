"""How a legal citation reads in Chinese: 《安全生产法》第九十七条第（七）项."""

from __future__ import annotations

import re

from quizapp.bank.taxonomy import NUMBERED_KINDS

DIGITS = "零一二三四五六七八九"
_ARTICLE = re.compile(r"^(\d+)(?:\(([^()]+)\))?(.*)$")


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (the way article numbers are written)."""
    if not 0 < number < 1000:
        return str(number)
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    text = f"{DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    return text + (DIGITS[units] if units else "")


def format_citation(title: str, kind: str, article: str) -> str:
    """A citation as printed: articles of laws and regulations in words, clauses of standards as given."""
    match = _ARTICLE.match(article) if kind in NUMBERED_KINDS else None
    if match is None:
        return f"《{title}》{article}"
    number, item, rest = match.groups()
    text = f"《{title}》第{chinese_number(int(number))}条"
    if item:
        text += f"第（{item}）项"
    return text + rest
