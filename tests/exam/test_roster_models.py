"""Workers and certificates in the database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.exam.roster import hash_id_number, mask_id_number
from quizapp.models import Certificate, Worker

ID = "11010519491231002X"


def test_a_worker_with_a_certificate_and_no_clear_id_number(db, enterprise):
    worker = Worker(enterprise=enterprise, name="张三", role_code="special-operator", post="电焊",
                    required_category="welding-cutting", id_number_hash=hash_id_number(b"k", ID),
                    id_number_masked=mask_id_number(ID))
    worker.certificates.append(Certificate(category_code="welding-cutting", number="T371302199001011234",
                                           issued_on=date(2023, 5, 1)))
    db.session.add(worker)
    db.session.commit()
    stored = db.session.scalar(select(Worker))
    assert stored.enterprise.workers == [stored]
    assert stored.certificates[0].issued_on == date(2023, 5, 1)
    assert ID not in (stored.id_number_hash + stored.id_number_masked)
    assert len(stored.public_token) >= 20
    db.session.delete(stored)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_the_same_person_is_not_listed_twice_in_one_enterprise(db, enterprise):
    for name in ("张三", "张三（重复）"):
        db.session.add(Worker(enterprise=enterprise, name=name, role_code="worker",
                              id_number_hash=hash_id_number(b"k", ID), id_number_masked=mask_id_number(ID)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
