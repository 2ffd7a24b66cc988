"""Paper assembly: reproducible from the seed, meets the blueprint or says exactly what is short."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.exam.assemble import Candidate, ShortageError, assemble
from quizapp.exam.blueprint import DEFAULT_BLUEPRINT, Blueprint

TOPICS = ("law", "hot-work", "dust", "ppe")


def candidate(number: int, kind: str, topic: str = "law", difficulty: int = 3) -> Candidate:
    return Candidate(number, 1000 + number, kind, (topic,), difficulty, 4 if kind in ("single", "multiple") else 0)


candidates_strategy = st.lists(
    st.builds(candidate, st.integers(1, 400), st.sampled_from(list(DEFAULT_BLUEPRINT.items)),
              st.sampled_from(TOPICS), st.integers(1, 5)),
    max_size=60, unique_by=lambda c: c.question_id)


@settings(max_examples=150, deadline=None)
@given(candidates_strategy, st.integers(0, 2**32), st.sets(st.integers(1, 400), max_size=20))
def test_every_seed_meets_the_blueprint_or_states_the_shortage(candidates, seed, answered):
    available = Counter(c.type for c in candidates if c.question_id not in answered)
    expected_missing = {kind: count - available[kind] for kind, count in DEFAULT_BLUEPRINT.items.items()
                        if available[kind] < count}
    try:
        paper = assemble(candidates, DEFAULT_BLUEPRINT, seed, answered=answered)
    except ShortageError as error:
        assert error.missing == expected_missing
        return
    assert expected_missing == {}
    assert Counter(item.type for item in paper.items) == Counter(DEFAULT_BLUEPRINT.items)
    assert len({item.question_id for item in paper.items}) == len(paper.items)
    assert not {item.question_id for item in paper.items} & answered
    for item in paper.items:
        if item.type in ("single", "multiple"):
            assert sorted(item.option_order) == [0, 1, 2, 3]
    assert assemble(list(reversed(candidates)), DEFAULT_BLUEPRINT, seed, answered=answered) == paper


def bank(per_type: int = 12) -> list[Candidate]:
    return [candidate(kind_index * 100 + n, kind, TOPICS[n % len(TOPICS)])
            for kind_index, kind in enumerate(DEFAULT_BLUEPRINT.items) for n in range(per_type)]


def test_different_seeds_give_different_papers():
    papers = {assemble(bank(), DEFAULT_BLUEPRINT, seed).items for seed in range(10)}
    assert len(papers) == 10


def test_a_paper_covers_several_topics():
    paper = assemble(bank(), Blueprint("topics", {"single": 4}), seed=3)
    topics = {TOPICS[(item.question_id % 100) % len(TOPICS)] for item in paper.items}
    assert topics == set(TOPICS)


def test_recently_used_questions_come_last():
    candidates = bank(per_type=6)
    singles = [c.question_id for c in candidates if c.type == "single"]
    paper = assemble(candidates, DEFAULT_BLUEPRINT, seed=1, recently_used=singles[:2])
    drawn = {item.question_id for item in paper.items if item.type == "single"}
    assert drawn == set(singles[2:])  # four fresh ones fill the four places


def test_difficulty_range_is_respected():
    easy = Blueprint("easy", {"judge": 2}, difficulty=(1, 2))
    pool = [candidate(1, "judge", difficulty=1), candidate(2, "judge", difficulty=5),
            candidate(3, "judge", difficulty=2)]
    assert {item.question_id for item in assemble(pool, easy, seed=9).items} == {1, 3}


def test_shortage_names_the_type_and_count_and_a_short_paper_may_be_accepted():
    pool = [candidate(1, "single"), candidate(2, "judge")]
    blueprint = Blueprint("small", {"single": 3, "judge": 1, "oral": 1})
    with pytest.raises(ShortageError) as error:
        assemble(pool, blueprint, seed=1)
    assert error.value.missing == {"single": 2, "oral": 1}
    short = assemble(pool, blueprint, seed=1, allow_short=True)
    assert [item.question_id for item in short.items] == [1, 2]
