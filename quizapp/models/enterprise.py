"""Enterprises under inspection, identified by their 统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.problems import msg
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
        return msg("a unified social credit code has 18 characters, not {length}", length=len(code))
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        return msg("characters not allowed in a unified social credit code: {bad}", bad="".join(bad))
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(code, CREDIT_CODE_WEIGHTS, strict=False))
    expected = CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return msg("check digit is {found}, expected {expected}", found=code[17], expected=expected)
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
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)

    # Erased people (Worker.erased_at) are left out: every roster, picker and count reads this list.
    workers: Mapped[list[Worker]] = relationship(
        back_populates="enterprise", order_by="Worker.name",
        primaryjoin="and_(Enterprise.id == Worker.enterprise_id, Worker.erased_at.is_(None))")

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"


class Worker(CreatedAtMixin, db.Model):
    """A person on an enterprise's roster. An ID-card number is kept only as a keyed hash (to find the
    same person again) and a masked form (to show); never in clear (PIPL: keep only what is needed)."""

    __tablename__ = "workers"
    __table_args__ = (UniqueConstraint("enterprise_id", "id_number_hash", name="uq_workers_enterprise_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role_code: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(100), default="")
    # The special-operation category this post requires (特种作业目录), if any: without a valid certificate
    # of it the worker may not do the job (安全生产法 30; 判定标准 3(二)).
    required_category: Mapped[str | None] = mapped_column(String(64))
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(32), default="")
    public_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_token)
    # Set when an admin erases the person (PIPL): the row stays, without name or ID, so that results still count.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    enterprise: Mapped[Enterprise] = relationship(back_populates="workers")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="worker", order_by="Certificate.issued_on", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Worker {self.name} ({self.role_code})>"


class Certificate(CreatedAtMixin, db.Model):
    """A special-operation certificate (特种作业操作证): valid 6 years, reviewed every 3 (令第30号 arts. 19, 21)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    category_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)

    worker: Mapped[Worker] = relationship(back_populates="certificates")
