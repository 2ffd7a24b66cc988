"""Enterprises under inspection, identified by their 统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import secrets

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.base import CreatedAtMixin

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None when it is.

    The 18th character is a check digit over the first 17 (GB 32100-2015 §5): a typo in any one
    character is caught here rather than creating a second record for the same enterprise.
    """
    if len(code) != 18:
        return f"a unified social credit code has 18 characters, not {len(code)}"
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        return f"characters not allowed in a unified social credit code: {''.join(bad)}"
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(code, CREDIT_CODE_WEIGHTS, strict=False))
    expected = CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"check digit is {code[17]}, expected {expected}"
    return None


def new_public_token() -> str:
    """Random URL-safe token for QR codes and links; never a sequential id."""
    return secrets.token_urlsafe(16)


class Enterprise(CreatedAtMixin, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(100), default="")
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"
