"""Drawing from the bank in the database: a window on the circle of draw keys, reproducible and exact."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.exam.assemble import ShortageError
from quizapp.exam.blueprint import Blueprint
from quizapp.exam.pool import draw_paper, extended_weights
from quizapp.models import QuestionVersion

INDUSTRIES = ["nonferrous"]
FLOOR = Blueprint("floor", {"single": 5, "judge": 5, "oral": 1})


def topics_of(db, paper) -> list[str]:
    return [db.session.get(QuestionVersion, item.version_id).topics[0].code for item in paper.items]


def test_the_same_seed_draws_the_same_paper_and_other_seeds_differ(db, imported_bank):
    first = draw_paper(db.session, "worker", INDUSTRIES, FLOOR, seed=11)
    assert draw_paper(db.session, "worker", INDUSTRIES, FLOOR, seed=11) == first
    others = {draw_paper(db.session, "worker", INDUSTRIES, FLOOR, seed=seed).items for seed in range(12, 22)}
    assert first.items not in others and len(others) == 10
    assert Counter(item.type for item in first.items) == Counter(FLOOR.items)


def test_every_drawn_version_is_current_active_and_eligible(db, imported_bank):
    for seed in range(20):
        for item in draw_paper(db.session, "principal", ["hazardous-chemicals"], FLOOR, seed=seed).items:
            version = db.session.get(QuestionVersion, item.version_id)
            assert version.question.status == "active"
            assert version.number == version.question.current_number
            assert "principal" in {role.code for role in version.roles}
            assert {"general", "hazardous-chemicals"} & {industry.code for industry in version.industries}


def test_answered_questions_are_never_drawn(db, imported_bank):
    blueprint = Blueprint("orals", {"oral": 3})
    pool = {item.question_id for seed in range(60)
            for item in draw_paper(db.session, "team-leader", INDUSTRIES, blueprint, seed=seed).items}
    answered = set(sorted(pool)[: len(pool) // 2])
    for seed in range(30):
        drawn = {item.question_id for item in
                 draw_paper(db.session, "team-leader", INDUSTRIES, blueprint, seed=seed, answered=answered).items}
        assert not drawn & answered


def test_a_shortage_is_exact_even_though_only_a_window_is_read(db, imported_bank):
    practical_pool = {item.question_id for seed in range(80) for item in draw_paper(
        db.session, "worker", INDUSTRIES, Blueprint("p", {"practical": 1}), seed=seed).items}
    asked = len(practical_pool) + 4
    with pytest.raises(ShortageError) as error:
        draw_paper(db.session, "worker", INDUSTRIES, Blueprint("p", {"practical": asked, "judge": 2}), seed=1)
    assert error.value.missing == {"practical": 4}
    short = draw_paper(db.session, "worker", INDUSTRIES, Blueprint("p", {"practical": asked}), seed=1,
                       allow_short=True)
    assert {item.question_id for item in short.items} == practical_pool


def test_topic_weights_reach_sub_topics_and_steer_the_paper(db, imported_bank):
    weights = extended_weights(db.session, {"law-responsibility": 3})
    assert weights["law-responsibility"] == 3 and weights["principal-duties"] == 3
    even = Blueprint("even", {"single": 6})
    weighted = Blueprint("weighted", {"single": 6}, topic_weights={"law-responsibility": 4})
    law = set(weights)

    def law_share(blueprint: Blueprint) -> int:
        return sum(topic in law for seed in range(30)
                   for topic in topics_of(db, draw_paper(db.session, "principal", INDUSTRIES, blueprint, seed=seed)))

    assert law_share(weighted) > law_share(even) + 20


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**62), role=st.sampled_from(["worker", "principal", "special-operator"]),
       industry=st.sampled_from(["nonferrous", "hazardous-chemicals", "machinery"]),
       counts=st.fixed_dictionaries({kind: st.integers(0, 40) for kind in ("single", "judge", "oral", "practical")}))
def test_every_seed_meets_the_blueprint_or_states_the_exact_shortage(db, imported_bank, seed, role, industry, counts):
    """The window never hides questions: a shortage equals what the whole pool lacks, by type."""
    blueprint = Blueprint("any", counts)
    whole = draw_paper(db.session, role, [industry], Blueprint("all", dict.fromkeys(counts, 10_000)), seed,
                       allow_short=True)
    available = Counter(item.type for item in whole.items)
    expected = {kind: count - available[kind] for kind, count in counts.items() if available[kind] < count}
    try:
        paper = draw_paper(db.session, role, [industry], blueprint, seed)
    except ShortageError as error:
        assert error.missing == expected
        return
    assert not expected
    assert Counter(item.type for item in paper.items) == +Counter(counts)
    assert len({item.question_id for item in paper.items}) == len(paper.items)
