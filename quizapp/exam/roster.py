"""The people an inspector meets: ID-card numbers handled safely, and special-operation certificates.

An ID-card number is checked (GB 11643-1999 check character), then kept only as a keyed hash, to
recognise the same person again, and a masked form to show (PIPL: keep only what is needed).
A certificate is valid 6 years and reviewed every 3 years, the review applied for within the 60 days
before it falls due (令第30号 arts. 19, 21, 22).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.models import Certificate, Enterprise, Worker

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
VALID_YEARS, REVIEW_YEARS, REVIEW_WINDOW_DAYS = 6, 3, 60


def id_number_problem(number: str) -> str | None:
    """Why ``number`` is not a valid 18-character ID-card number, or None when it is."""
    number = number.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return msg("an ID-card number has 17 digits and a last digit or X")
    expected = ID_CHECK[sum(int(digit) * weight for digit, weight in zip(number, ID_WEIGHTS, strict=False)) % 11]
    if number[17] != expected:
        return msg("the check character is {found}, expected {expected}", found=number[17], expected=expected)
    return None


def mask_id_number(number: str) -> str:
    """3713**********1234: enough to tell people apart on a list, not enough to misuse."""
    number = number.strip().upper()
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_id_numbers_in(text: str) -> str:
    """``text`` with every valid ID-card number in it masked: a special-operation certificate's number is usually
    T followed by the holder's ID-card number, which must not be kept in clear there either."""
    text = text.strip()
    for start in range(len(text) - 17):
        candidate = text[start:start + 18]
        if candidate.isascii() and id_number_problem(candidate) is None:
            text = text[:start] + mask_id_number(candidate) + text[start + 18:]
    return text


def hash_id_number(key: bytes, number: str) -> str:
    """A keyed hash: the same person is found again, but the number cannot be read back or guessed."""
    return hmac.new(key, number.strip().upper().encode(), hashlib.sha256).hexdigest()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class CertificateState(enum.StrEnum):
    VALID = "valid"
    REVIEW_DUE_SOON = "review_due_soon"  # inside the 60 days before the review falls due
    REVIEW_OVERDUE = "review_overdue"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CertificateCheck:
    state: CertificateState
    expires_on: date
    review_due_on: date | None

    @property
    def usable(self) -> bool:
        """May the holder do the work today?"""
        return self.state in (CertificateState.VALID, CertificateState.REVIEW_DUE_SOON)


CERTIFICATE_BASIS = [{"source": "work-safety-law", "article": "30"},
                     {"source": "work-safety-law", "article": "97(七)"},
                     {"source": "major-hazard-criteria", "article": "3(二)"}]
"""Special-operation work needs a valid certificate (安法 30, fined under 97(七)); in 工贸 enterprises
working without one is a major accident hazard (判定标准 3(二))."""


def certificate_problem(worker: Worker, today: date) -> str | None:
    """The finding a worker's post calls for: no certificate of the required category, or only
    expired or unreviewed ones; None when the post needs none or one is usable."""
    if not worker.required_category:
        return None
    checks = [check_certificate(cert.issued_on, cert.last_reviewed_on, today)
              for cert in worker.certificates if cert.category_code == worker.required_category]
    if not checks:
        return "certificate_missing"
    if any(check.usable for check in checks):
        return None
    if all(check.state == CertificateState.EXPIRED for check in checks):
        return "certificate_expired"
    return "certificate_review_overdue"


def roster_checks(workers: list[Worker], today: date) -> dict[int, CertificateCheck]:
    """Each certificate's check, by certificate id, for a roster page."""
    return {cert.id: check_certificate(cert.issued_on, cert.last_reviewed_on, today)
            for worker in workers for cert in worker.certificates}


def check_certificate(issued_on: date, last_reviewed_on: date | None, today: date) -> CertificateCheck:
    expires_on = _add_years(issued_on, VALID_YEARS)
    review_due_on = _add_years(issued_on, REVIEW_YEARS)
    reviewed = last_reviewed_on is not None and (review_due_on - last_reviewed_on).days <= REVIEW_WINDOW_DAYS
    if today >= expires_on:
        return CertificateCheck(CertificateState.EXPIRED, expires_on, None)
    if reviewed:
        return CertificateCheck(CertificateState.VALID, expires_on, None)
    if today >= review_due_on:
        return CertificateCheck(CertificateState.REVIEW_OVERDUE, expires_on, review_due_on)
    if (review_due_on - today).days <= REVIEW_WINDOW_DAYS:
        return CertificateCheck(CertificateState.REVIEW_DUE_SOON, expires_on, review_due_on)
    return CertificateCheck(CertificateState.VALID, expires_on, review_due_on)


def add_worker(session: Session, enterprise: Enterprise, *, name: str, role_code: str, post: str = "",
               required_category: str | None = None, id_number: str = "", hash_key: bytes | None = None,
               certificate: dict | None = None) -> Worker:
    """Put a person on the enterprise's roster; the ID-card number, if given, is kept only hashed (with
    ``hash_key``, which it then needs) and masked.

    ``certificate`` is ``{category_code, number, issued_on, last_reviewed_on}``. Raises ``RosterError``
    when the ID number is invalid or the person is already on the roster.
    """
    id_hash = masked = None
    if id_number.strip():
        if not hash_key:
            raise ValueError("an ID-card number is kept only hashed: pass the hash key")
        problem = id_number_problem(id_number)
        if problem:
            raise RosterError("id_number", problem)
        id_hash, masked = hash_id_number(hash_key, id_number), mask_id_number(id_number)
        if session.scalar(select(Worker.id).where(Worker.enterprise_id == enterprise.id,
                                                  Worker.id_number_hash == id_hash)):
            raise RosterError("id_number", msg("this person is already on the enterprise's roster"))
    worker = Worker(enterprise=enterprise, name=name.strip(), role_code=role_code, post=post.strip(),
                    required_category=required_category or None, id_number_hash=id_hash,
                    id_number_masked=masked or "")
    if certificate:
        worker.certificates.append(Certificate(**certificate | {"number": mask_id_numbers_in(certificate["number"])}))
    session.add(worker)
    session.flush()
    return worker


class RosterError(Exception):
    """A roster entry that cannot be saved; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
