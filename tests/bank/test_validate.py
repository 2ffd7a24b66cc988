"""Bank validation: every rule reports file:line: message, and every problem is reported at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizapp.bank.validate import load_bank

MINI = Path(__file__).resolve().parent.parent / "data" / "mini_bank"


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Path:
    """A copy of the mini bank; messages name files relative to tmp_path."""
    shutil.copytree(MINI, tmp_path / "bank")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "bank"


def write_questions(bank: Path, body: str, name: str = "extra.yaml") -> str:
    (bank / "questions" / name).write_text(
        "defaults:\n  roles: [worker]\n  industries: [general]\n  topics: [law-responsibility]\n"
        "  difficulty: 2\nquestions:\n" + body, encoding="utf-8")
    return f"bank/questions/{name}"


def messages(bank: Path) -> list[str]:
    return [str(problem) for problem in load_bank(bank).problems]


def test_mini_bank_is_valid_and_canonical(mini):
    """The reference bank validates, with answers in canonical form."""
    bank = load_bank(mini)
    assert bank.problems == []
    by_code = {spec.code: spec for spec in bank.questions}
    assert set(by_code) == {"MINI-SINGLE", "MINI-MULTIPLE", "MINI-JUDGE", "MINI-FILL", "MINI-ORAL",
                            "MINI-PRACTICAL"}
    assert by_code["MINI-MULTIPLE"].content["answer"] == ["A", "B", "C", "D"]
    assert by_code["MINI-JUDGE"].content["basis"] == [{"source": "work-safety-law", "article": "28"}]
    assert by_code["MINI-FILL"].content["answer"] == [["6", "六"], ["3", "三"]]
    assert by_code["MINI-PRACTICAL"].content["steps"][1] == {"text": "特种作业操作证在有效期内，确认完毕",
                                                            "critical": True}
    assert by_code["MINI-SINGLE"].source_file == "questions/law.yaml"


def test_broken_yaml_names_the_line(mini):
    name = write_questions(mini, "  - id: X\n    stem: [unclosed\n")
    assert messages(mini) == [f"{name}:9: YAML syntax error: did not find expected ',' or ']'"]


def test_every_problem_is_reported_not_just_the_first(mini):
    name = write_questions(mini, """\
  - id: BAD-1
    type: single
    stem: s
    options: [a, b]
    answer: C
    explanation: x
    basis: [{source: work-safety-law, article: "155"}]
  - id: BAD-2
    type: multiple
    stem: s
    options: [a, b, c]
    answer: [A]
    explanation: x
    basis: [{source: no-such-law, article: "1"}]
    roles: [nobody]
    industries: [nowhere]
    topics: [nothing]
  - id: BAD-3
    type: judge
    stem: s
    answer: "yes"
    explanation: x
    basis: [{source: work-safety-law, article: "28"}]
    anwser: true
  - id: BAD-4
    type: fill
    stem: a___b___
    answer: ["1"]
    explanation: x
    basis: [{source: work-safety-law, article: "x28"}]
    difficulty: 7
  - id: BAD-5
    type: oral
    stem: s
    key_points: [{point: a, weight: 0}]
    explanation: ""
    basis: [{source: work-safety-law, article: "44"}]
  - id: BAD-6
    type: practical
    stem: s
    steps: [{text: only one, critical: maybe}]
    explanation: x
    basis: [{source: work-safety-law, article: "44"}]
  - id: BAD 7
    type: essay
    stem: s
    explanation: x
    basis: []
""")
    assert messages(mini) == [
        f"{name}:11: answer 'C' is not one of the option letters A, B",
        f"{name}:13: work-safety-law has articles 1 to 119, not 155",
        f"{name}:18: a multiple-choice question needs at least 2 correct options",
        f"{name}:20: unknown legal source 'no-such-law'",
        f"{name}:21: unknown role code 'nobody'",
        f"{name}:22: unknown industry code 'nowhere'",
        f"{name}:23: unknown topic code 'nothing'",
        f"{name}:27: a judge answer is true or false, not 'yes'",
        f"{name}:30: unknown field 'anwser'",
        f"{name}:34: the stem has 2 blank(s) but the answer gives 1",
        f"{name}:36: article 'x28' of work-safety-law must be a number with optional items, e.g. 97(七)",
        f"{name}:37: difficulty must be a whole number from 1 to 5, not 7",
        f"{name}:41: key point 1 needs a positive weight, not 0",
        f"{name}:42: the question needs an explanation",
        f"{name}:47: a practical question needs at least 2 steps: a list of {{text, critical}}",
        f"{name}:50: id 'BAD 7' must be 1-64 letters, digits, '.', '_' or '-'",
        f"{name}:51: type must be one of single, multiple, judge, fill, oral, practical, not 'essay'",
        f"{name}:54: basis must list at least one legal source, e.g. [{{source: work-safety-law, article: '28'}}]",
    ]


def test_duplicate_ids_across_files(mini):
    name = write_questions(mini, """\
  - id: MINI-JUDGE
    type: judge
    stem: 重复的编号
    answer: true
    explanation: x
    basis: [{source: work-safety-law, article: "28"}]
""", name="zz.yaml")
    assert messages(mini) == [f"{name}:7: duplicate id 'MINI-JUDGE' (first at bank/questions/law.yaml:24)"]


def test_duplicate_mapping_key_is_reported(mini):
    name = write_questions(mini, """\
  - id: DUP
    type: judge
    stem: s
    answer: true
    answer: false
    explanation: x
    basis: [{source: work-safety-law, article: "28"}]
""")
    assert messages(mini) == [f"{name}:11: key 'answer' appears twice"]


@pytest.mark.parametrize(("answer", "message"), [
    ("[A, A, B]", "an answer letter is repeated"),
    ("[A, F]", "answer letters F are not among the options A, B, C"),
    ("true", "a multiple-choice answer is a list of option letters, e.g. [A, C]"),
])
def test_multiple_choice_answers_must_fit_their_options(mini, answer, message):
    name = write_questions(mini, f"""\
  - id: M
    type: multiple
    stem: s
    options: [a, b, c]
    answer: {answer}
    explanation: x
    basis: [{{source: work-safety-law, article: "28"}}]
""")
    assert f"{name}:11: {message}" in messages(mini)


def test_options_on_a_judge_question_are_refused(mini):
    name = write_questions(mini, """\
  - id: J
    type: judge
    stem: s
    options: [对, 错]
    answer: true
    explanation: x
    basis: [{source: work-safety-law, article: "28"}]
""")
    assert messages(mini) == [f"{name}:10: a judge question has no options"]


def test_taxonomy_problems_are_located(mini):
    (mini / "taxonomy.yaml").write_text("""\
roles:
  - {code: worker, name: 一线从业人员}
  - {code: worker, name: 重复}
  - {code: Bad Code, name: x}
industries:
  - {code: general, name: 通用}
topics:
  - {code: law-responsibility, name: 法律, colour: red}
special_operations: []
sources:
  - {code: work-safety-law, name: 安全生产法, kind: gossip}
""", encoding="utf-8")
    found = [message for message in messages(mini) if message.startswith("bank/taxonomy.yaml")]
    assert found == [
        "bank/taxonomy.yaml:3: duplicate roles code 'worker' (first at line 2)",
        "bank/taxonomy.yaml:4: code 'Bad Code' must be lower-case letters, digits and '-' (at most 64)",
        "bank/taxonomy.yaml:8: unknown field 'colour' in topics 'law-responsibility'",
        "bank/taxonomy.yaml:11: source kind must be one of law, regulation, rule, standard, normative",
    ]


def test_single_file_uses_the_taxonomy_beside_it(mini):
    bank = load_bank(mini / "questions" / "law.yaml")
    assert bank.problems == []
    assert not bank.is_whole_bank
    assert {spec.source_file for spec in bank.questions} == {"questions/law.yaml"}


def test_missing_path_and_missing_taxonomy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lonely").mkdir()
    assert [str(p) for p in load_bank(tmp_path / "lonely").problems] == [
        "lonely/taxonomy.yaml:0: a bank folder needs taxonomy.yaml"]
    (tmp_path / "q.yaml").write_text("questions: []\n")
    assert [str(p) for p in load_bank(tmp_path / "q.yaml").problems] == [
        "q.yaml:0: no taxonomy: put taxonomy.yaml beside the file or import the bank folder first"]


def test_active_items_may_not_cite_a_superseded_source(mini):
    """When a rule is replaced, questions citing the old text fail until they are re-cited or retired."""
    taxonomy = mini / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + (
        "  - {code: old-rule, name: 旧规定, kind: rule, superseded_by: training-rules}\n"
        "  - {code: older-rule, name: 更旧的规定, kind: rule, superseded_by: nothing}\n"), encoding="utf-8")
    name = write_questions(mini, """\
  - id: OLD-1
    type: judge
    stem: 按旧规定作答。
    answer: true
    explanation: x
    basis: [{source: old-rule, article: "3"}]
  - id: OLD-2
    type: judge
    stem: 停用的旧题。
    answer: true
    explanation: x
    basis: [{source: old-rule, article: "3"}]
    status: retired
""")
    assert messages(mini) == [
        f"{name}:12: old-rule has been replaced by training-rules: cite the current text or retire the item",
        "bank/taxonomy.yaml:22: 'older-rule' is superseded by an unknown source 'nothing'",
    ]
