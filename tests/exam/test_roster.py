"""ID-card numbers and special-operation certificates."""

from __future__ import annotations

from datetime import date

import pytest

from quizapp.exam.roster import (
    CertificateState,
    check_certificate,
    hash_id_number,
    id_number_problem,
    mask_id_number,
)

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_id_numbers_are_checked_masked_and_hashed():
    assert id_number_problem(VALID_ID) is None
    assert id_number_problem(VALID_ID.lower()) is None
    assert id_number_problem("110105194912310021") == "the check character is 1, expected X"
    assert id_number_problem("1101051949") == "an ID-card number has 17 digits and a last digit or X"
    assert mask_id_number(VALID_ID) == "1101**********002X"
    assert hash_id_number(b"k", VALID_ID) == hash_id_number(b"k", VALID_ID.lower())
    assert hash_id_number(b"k", VALID_ID) != hash_id_number(b"other key", VALID_ID)
    assert VALID_ID not in hash_id_number(b"k", VALID_ID)


ISSUED = date(2022, 3, 1)


@pytest.mark.parametrize(("reviewed", "today", "state", "usable"), [
    (None, date(2024, 1, 1), CertificateState.VALID, True),
    (None, date(2025, 1, 15), CertificateState.REVIEW_DUE_SOON, True),  # 45 days before the review
    (None, date(2025, 3, 1), CertificateState.REVIEW_OVERDUE, False),
    (date(2025, 1, 20), date(2026, 6, 1), CertificateState.VALID, True),  # reviewed in the 60-day window
    (date(2024, 1, 1), date(2025, 6, 1), CertificateState.REVIEW_OVERDUE, False),  # too early to count
    (date(2025, 1, 20), date(2028, 3, 1), CertificateState.EXPIRED, False),  # six years are over
])
def test_certificate_states(reviewed, today, state, usable):
    check = check_certificate(ISSUED, reviewed, today)
    assert (check.state, check.usable) == (state, usable)
    assert check.expires_on == date(2028, 3, 1)


def test_a_certificate_issued_on_29_february():
    assert check_certificate(date(2024, 2, 29), None, date(2024, 6, 1)).expires_on == date(2030, 2, 28)
