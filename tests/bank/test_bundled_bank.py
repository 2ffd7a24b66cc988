"""The bundled bank is correct in form and good enough to use on a bureau's first day.

Content correctness (each answer against its cited article) is reviewed by people; these tests check
everything a machine can: validity, coverage, balance, no near-duplicates, drawable papers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from rapidfuzz import fuzz, process

from quizapp.bank.stats import bank_stats
from quizapp.bank.taxonomy import NUMBERED_KINDS
from quizapp.bank.validate import load_bank
from quizapp.exam.blueprint import DEFAULT_BLUEPRINT, default_blueprint, disjoint_papers
from tests.conftest import BANK

ROLES = ("principal", "safety-director", "safety-manager", "special-operator", "team-leader", "worker")
SEED_INDUSTRIES = ("general", "metallurgy", "nonferrous", "machinery", "combustible-dust", "hazardous-chemicals",
                   "ammonia-refrigeration", "confined-space")
OBJECTIVE = ("single", "multiple", "judge", "fill")


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank(BANK)
    assert [str(problem) for problem in loaded.problems] == []
    return loaded


@pytest.fixture(scope="module")
def active(bank):
    return [spec for spec in bank.questions if spec.status == "active"]


def objective(questions):
    return [spec for spec in questions if spec.type in OBJECTIVE]


def test_coverage_meets_the_issue(bank, active):
    stats = bank_stats(bank)
    assert len(objective(active)) >= 500
    assert stats["by_type"].get("oral", 0) >= 80
    assert stats["by_type"].get("practical", 0) >= 20
    assert stats["drills"] >= 15
    for role in ROLES:
        assert stats["by_role"].get(role, 0) >= 60, role
    for industries in (("combustible-dust",), ("metallurgy", "nonferrous"), ("machinery",),
                       ("hazardous-chemicals",), ("ammonia-refrigeration",), ("confined-space",)):
        count = sum(1 for spec in objective(active) if set(industries) & set(spec.content["industries"]))
        assert count >= 40, industries
    for topic in ("hot-work", "work-at-height", "temporary-electricity"):
        assert sum(1 for spec in objective(active) if topic in spec.content["topics"]) >= 40, topic
    # "On law and responsibility, for everyone": every role, every industry, and a law, regulation or rule cited.
    legal = {term["code"] for term in bank.taxonomy.terms["sources"] if term["kind"] in NUMBERED_KINDS}
    for_everyone = [spec for spec in objective(active) if set(ROLES) <= set(spec.content["roles"])
                    and "general" in spec.content["industries"]
                    and any(citation["source"] in legal for citation in spec.content["basis"])]
    assert len(for_everyone) >= 80
    assert set(stats["by_difficulty"]) == {"1", "2", "3", "4", "5"}


def test_every_item_has_an_explanation_and_a_resolvable_citation(bank):
    sources = {term["code"] for term in bank.taxonomy.terms["sources"]}
    for spec in bank.questions:
        assert spec.content["explanation"], spec.code
        assert spec.content["basis"] and all(c["source"] in sources for c in spec.content["basis"]), spec.code
    for drill in bank.drills:
        assert drill.content["basis"] and all(c["source"] in sources for c in drill.content["basis"]), drill.code


def normalised(stem: str) -> str:
    text = unicodedata.normalize("NFKC", stem)
    return re.sub(r"[\s\W_]+", "", text)


def test_no_two_stems_are_near_duplicates(active):
    stems = [normalised(spec.content["stem"]) for spec in active]
    pairs = [
        (active[i].code, active[i + 1 + j].code, round(score))
        for i, stem in enumerate(stems)
        for _, score, j in process.extract(stem, stems[i + 1:], scorer=fuzz.ratio, score_cutoff=90, limit=None)
    ]
    assert pairs == []


def test_single_choice_answers_are_spread_over_the_letters(active):
    letters = Counter(spec.content["answer"] for spec in active if spec.type == "single")
    total = sum(letters.values())
    assert max(letters.values()) <= 0.35 * total, letters


def test_judge_items_are_balanced(active):
    answers = [spec.content["answer"] for spec in active if spec.type == "judge"]
    assert 0.40 <= sum(answers) / len(answers) <= 0.60


CITED_CODES = re.compile(r"[A-Z]+(?:/T)?\s*[\d.]+-\d{4}|第[^条项]*[条项]")


def shows_in(answer: str, stem: str) -> bool:
    """Whether an accepted answer is printed in the stem (numbers as whole numbers only)."""
    stem = CITED_CODES.sub("", stem)
    if re.fullmatch(r"[\d.]+", answer):
        return re.search(rf"(?<![\d.]){re.escape(answer)}(?![\d.])", stem) is not None
    return answer in stem


def test_fill_answers_do_not_show_in_their_stems(active):
    """A blank whose answer is printed elsewhere in the stem tests nothing."""
    leaks = [spec.code for spec in active if spec.type == "fill"
             and any(shows_in(alt, spec.content["stem"]) for blank in spec.content["answer"] for alt in blank)]
    assert leaks == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("use_role_blueprint", [False, True])
def test_three_papers_without_a_shared_question(active, role, use_role_blueprint):
    """For every role and every industry in the seed, the default blueprint — and the role's own —
    draws three disjoint papers."""
    blueprint = default_blueprint(role) if use_role_blueprint else DEFAULT_BLUEPRINT
    short = {industry: disjoint_papers(active, role, industry, blueprint) for industry in SEED_INDUSTRIES}
    assert {industry: count for industry, count in short.items() if count < 3} == {}, blueprint
