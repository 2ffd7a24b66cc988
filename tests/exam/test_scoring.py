"""Scoring each question type, and a paper out of 100."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.bank.validate import load_bank
from quizapp.exam.scoring import ScoringError, score_item, score_paper

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"


@pytest.fixture(scope="module")
def content():
    """The mini bank's questions by id, in canonical form, as the scorer receives them."""
    return {spec.code: spec.content for spec in load_bank(MINI).questions}


@pytest.mark.parametrize(("response", "fraction"), [("B", 1.0), ("A", 0.0), (None, 0.0)])
def test_single(content, response, fraction):
    assert score_item(content["MINI-SINGLE"], response).fraction == fraction


@pytest.mark.parametrize(("response", "half_rule", "strict_rule"), [
    (["A", "B", "C", "D"], 1.0, 1.0),
    (["D", "B", "A", "C"], 1.0, 1.0),  # order does not matter
    (["A", "C"], 0.5, 0.0),  # a subset without a wrong option
    (["A", "B", "C", "D", "E"], 0.0, 0.0),  # a wrong option spoils everything
    (["E"], 0.0, 0.0),
    ([], 0.0, 0.0),
])
def test_multiple_with_both_rules(content, response, half_rule, strict_rule):
    question = content["MINI-MULTIPLE"]
    assert score_item(question, response, "half_for_subset").fraction == half_rule
    assert score_item(question, response, "all_or_nothing").fraction == strict_rule


def test_judge(content):
    assert score_item(content["MINI-JUDGE"], False).correct
    assert not score_item(content["MINI-JUDGE"], True).correct


@pytest.mark.parametrize(("response", "fraction"), [
    (["6", "3"], 1.0),
    (["六", "三"], 1.0),
    (["６", " 3 "], 1.0),  # full-width digits and spaces are folded
    (["6", "5"], 0.5),
    (["", ""], 0.0),
])
def test_fill_is_normalised_and_counts_each_blank(content, response, fraction):
    assert score_item(content["MINI-FILL"], response).fraction == fraction


def test_oral_scores_by_key_point_weights(content):
    question = content["MINI-ORAL"]  # weights 2, 2, 1.5
    assert score_item(question, {"points": [0, 1, 2]}).correct
    assert score_item(question, {"points": [0]}).fraction == round(2 / 5.5, 4)
    assert score_item(question, {"points": [0, 0]}).fraction == round(2 / 5.5, 4)  # a point counts once
    assert score_item(question, {"points": []}).fraction == 0.0


def test_practical_fails_on_a_missed_critical_step(content):
    question = content["MINI-PRACTICAL"]  # steps 2 and 3 are critical
    assert score_item(question, {"steps": ["done"] * 4}).correct
    assert score_item(question, {"steps": ["missed", "done", "done", "done"]}).fraction == 0.75
    assert score_item(question, {"steps": ["done", "out_of_order", "done", "done"]}).fraction == 0.875
    assert score_item(question, {"steps": ["done", "missed", "done", "done"]}).fraction == 0.0


@pytest.mark.parametrize(("code", "response"), [
    ("MINI-SINGLE", "Z"),
    ("MINI-SINGLE", ["A", "B"]),
    ("MINI-MULTIPLE", ["A", "A"]),
    ("MINI-MULTIPLE", "AB"),
    ("MINI-JUDGE", "false"),
    ("MINI-FILL", ["6"]),
    ("MINI-FILL", [6, 3]),
    ("MINI-ORAL", {"points": [7]}),
    ("MINI-ORAL", [0, 1]),
    ("MINI-PRACTICAL", {"steps": ["done"]}),
    ("MINI-PRACTICAL", {"steps": ["done", "done", "done", "skipped"]}),
])
def test_responses_that_do_not_fit_are_refused(content, code, response):
    """A tampered or broken payload is an error, not a wrong answer."""
    with pytest.raises(ScoringError):
        score_item(content[code], response)


def test_paper_out_of_100_and_pass_mark(content):
    codes = ["MINI-SINGLE", "MINI-MULTIPLE", "MINI-JUDGE", "MINI-FILL", "MINI-ORAL"]
    questions = [content[code] for code in codes]
    all_right = score_paper(questions, ["B", ["A", "B", "C", "D"], False, ["6", "3"], {"points": [0, 1, 2]}])
    assert (all_right.score, all_right.passed) == (100.0, True)
    one_half = score_paper(questions, ["B", ["A", "B"], False, ["6", "3"], {"points": [0, 1, 2]}])
    assert (one_half.score, one_half.passed) == (90.0, True)
    two_wrong = score_paper(questions, ["A", ["A", "B", "C", "D"], True, ["6", "3"], {"points": [0, 1, 2]}])
    assert (two_wrong.score, two_wrong.passed) == (60.0, False)
    assert score_paper(questions, ["B", None, False, ["6", "3"], {"points": [0, 1]}], pass_mark=60).passed
    with pytest.raises(ScoringError):
        score_paper(questions, ["B"])
