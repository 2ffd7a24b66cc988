"""Item statistics and blueprint reliability on papers written row by row, checked against sums done by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from quizapp.analytics.items import MIN_ANSWERS_FOR_FLAGS, ORDERINGS, bank_statistics
from tests.analytics.test_dashboard import ResultsBuilder


@pytest.fixture
def papers(db):
    """Four results of one three-item blueprint, in a Guttman pattern, and one replaced by a correction:

        attempt   Q1  Q2  Q3   total
        1          1   1   1     3
        2          1   1   0     2
        3          1   0   0     1
        4          0   0   0     0     (corrects a result 1, 1, 1 that therefore does not count)
        5          ½   ½          1     (another blueprint, two items: Q1 and Q2's second version)
    """
    build = ResultsBuilder(db)
    [q1], [q2_first, q2_second], [q3] = build.question("Q1"), build.question("Q2", versions=2), build.question("Q3")
    enterprise = build.enterprise("甲公司", "罗庄区", [])
    worker = build.worker(enterprise, "worker")
    inspection = build.inspection(enterprise, date(2026, 3, 1))
    for fractions in ((1, 1, 1), (1, 1, 0), (1, 0, 0)):
        build.exam(inspection, worker, list(zip((q1, q2_first, q3), fractions, strict=True)))
    replaced = build.exam(inspection, worker, [(q1, 1), (q2_first, 1), (q3, 1)])
    build.exam(inspection, worker, [(q1, 0), (q2_first, 0), (q3, 0)], corrects=replaced, passed=False)
    build.exam(inspection, worker, [(q1, 0.5), (q2_second, 0.5)], blueprint="班组长现场抽问")
    db.session.commit()


def by_code(statistics) -> dict:
    return {item.code: item for item in statistics.items}


def test_facility_deviation_discrimination_and_efficiency(db, papers):
    q3 = by_code(bank_statistics(db.session))["Q3"]
    # x = 1, 0, 0, 0 and the rest X = 2, 2, 1, 0: Σx = 1, Σx² = 1, ΣX = 5, ΣX² = 9, ΣxX = 2, N = 4.
    # Sums of squares about the mean: Sxx = 1 - 1/4 = 0.75, SXX = 9 - 25/4 = 2.75, SxX = 2 - 5/4 = 0.75.
    assert q3.asked == 4 and q3.facility == 0.25
    assert q3.sd == pytest.approx(math.sqrt(0.75 / 3))  # = 0.5
    assert q3.discrimination == pytest.approx(100 * 0.75 / math.sqrt(0.75 * 2.75))  # 52.2
    # Sorted x 0, 0, 0, 1 against sorted X 0, 1, 2, 2: Σ = 2, the same as the actual pairing: efficiency 100.
    assert q3.efficiency == pytest.approx(100)

    q1 = by_code(bank_statistics(db.session))["Q1"]
    # x = 1, 1, 1, 0, ½ and X = 2, 1, 0, 0, ½: Σx = 3.5, Σx² = 3.25, ΣX = 3.5, ΣX² = 5.25, ΣxX = 3.25, N = 5.
    # Sxx = 3.25 - 12.25/5 = 0.8, SXX = 5.25 - 2.45 = 2.8, SxX = 3.25 - 2.45 = 0.8.
    assert q1.asked == 5 and q1.facility == pytest.approx(0.7)
    assert q1.sd == pytest.approx(math.sqrt(0.8 / 4))
    assert q1.discrimination == pytest.approx(100 * 0.8 / math.sqrt(0.8 * 2.8))  # 53.5
    # Sorted x 0, ½, 1, 1, 1 against sorted X 0, 0, ½, 1, 2: Σ = 0 + 0 + ½ + 1 + 2 = 3.5, Smax = 3.5 - 2.45 = 1.05.
    assert q1.efficiency == pytest.approx(100 * 0.8 / 1.05)  # 76.2


def test_versions_of_a_question_are_counted_together(db, papers):
    q2 = by_code(bank_statistics(db.session))["Q2"]
    assert (q2.asked, q2.versions) == (5, 2)
    assert q2.facility == pytest.approx((1 + 1 + 0 + 0 + 0.5) / 5)
    assert (q2.type, q2.stem, q2.retired) == ("single", "Q2 第2版", False)  # shown as the current version


def test_cronbach_alpha_per_blueprint(db, papers):
    reliability = {(blueprint.name, blueprint.items): blueprint for blueprint in bank_statistics(db.session).blueprints}
    main = reliability["现场抽问", 3]
    # Sums of squares per position: 0.75, 1, 0.75; of the totals 3, 2, 1, 0: 5. α = 3/2 · (1 - 2.5/5) = 0.75.
    assert main.attempts == 4
    assert main.alpha == pytest.approx(0.75)
    assert reliability["班组长现场抽问", 2].alpha is None  # one attempt: no variance to speak of


def flag_papers(db, count: int) -> None:
    """``count`` attempts, half of them by strong workers: FILL-A and FILL-B set who is strong, GOOD is right
    exactly for the strong, NEG exactly for the weak, EASY for everyone and HARD for nobody."""
    build = ResultsBuilder(db)
    codes = ("FILL-A", "FILL-B", "GOOD", "NEG", "EASY", "HARD")
    versions = {code: build.question(code)[0] for code in codes}
    enterprise = build.enterprise("乙公司", "兰山区", [])
    worker = build.worker(enterprise, "worker")
    inspection = build.inspection(enterprise, date(2026, 3, 1))
    for number in range(count):
        strong = number % 2
        fractions = {"FILL-A": strong, "FILL-B": strong, "GOOD": strong, "NEG": 1 - strong, "EASY": 1, "HARD": 0}
        build.exam(inspection, worker, [(versions[code], fractions[code]) for code in codes])
    db.session.commit()


def test_flags(db):
    flag_papers(db, MIN_ANSWERS_FOR_FLAGS)
    items = by_code(bank_statistics(db.session))
    assert items["EASY"].flags == ("too_easy",)  # facility 1 > 0.95; never varies, so no discrimination
    assert (items["EASY"].discrimination, items["EASY"].efficiency) == (None, None)
    assert items["HARD"].flags == ("too_hard",)
    # NEG: right exactly when the rest (4 for the strong, 1 for the weak) is low: correlation -1.
    assert items["NEG"].discrimination == pytest.approx(-100)
    assert items["NEG"].flags == ("negative_discrimination", "low_efficiency")
    assert items["GOOD"].discrimination == pytest.approx(100) and items["GOOD"].efficiency == pytest.approx(100)
    assert items["GOOD"].flags == ()
    assert [item.code for item in sorted(items.values(), key=ORDERINGS["flags"])][:3] == ["NEG", "EASY", "HARD"]
    assert [item.code for item in sorted(items.values(), key=ORDERINGS["discrimination"])][-2:] == ["EASY", "HARD"]


def test_no_flags_below_the_minimum_of_answers(db):
    flag_papers(db, MIN_ANSWERS_FOR_FLAGS - 1)
    assert all(item.flags == () for item in bank_statistics(db.session).items)


def test_nothing_asked_yet(db):
    statistics = bank_statistics(db.session)
    assert (statistics.items, statistics.blueprints) == ([], [])
