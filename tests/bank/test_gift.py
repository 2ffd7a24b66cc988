"""GIFT: every question survives write -> read -> check; a broken question is reported and skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizapp.bank import gift
from quizapp.bank.taxonomy import TaxonomyIndex, TaxonomySpec
from quizapp.bank.validate import QuestionSpec, RawQuestion, check_question

TAXONOMY = TaxonomySpec({
    "roles": [{"code": "worker", "name": "一线从业人员"}, {"code": "principal", "name": "主要负责人"}],
    "industries": [{"code": "general", "name": "通用"}],
    "topics": [{"code": "law", "name": "法律法规与责任制", "parent": None}],
    "special_operations": [],
    "sources": [
        {"code": "work-safety-law", "name": "中华人民共和国安全生产法", "short_name": "安全生产法",
         "kind": "law", "articles": 119},
        {"code": "gb-30871-2022", "name": "危险化学品企业特殊作业安全规范", "short_name": "GB 30871-2022",
         "kind": "standard"},
    ],
})
INDEX = TaxonomyIndex.from_spec(TAXONOMY)
COMMON = {"explanation": "依据：法律 {规定} #1 ~ = \\ 结束。\n第二行", "roles": ["worker"],
          "industries": ["general"], "topics": ["law"], "difficulty": 2,
          "basis": [{"source": "work-safety-law", "article": "28"}]}
TAGS = ("[tag:role:worker] [tag:industry:general] [tag:topic:law] [tag:difficulty:2] [tag:status:active] "
        "[basis:work-safety-law 28]")


def spec(**fields: Any) -> QuestionSpec:
    """A valid question built the way the YAML reader would hand it to the validator."""
    result, problems = check_question(RawQuestion("t.yaml", 1, {**COMMON, **fields}), INDEX)
    assert problems == []
    return result


def every_kind_of_question() -> list[QuestionSpec]:
    """One question of each type, with the texts most likely to break GIFT's syntax."""
    return [
        spec(id="S-1", type="single", stem="时间: 8:00 {括号} 选哪个？",
             options=["%5%的浓度", "a=b", "~波浪", "a->b"], answer="A", roles=["worker", "principal"]),
        spec(id="M-1", type="multiple", stem="选出正确的（  ）", options=["甲", "乙", "丙", "丁", "戊", "己"],
             answer=["A", "C", "F"], status="retired", difficulty=5,
             basis=[{"source": "gb-30871-2022", "article": "附录 A"},
                    {"source": "work-safety-law", "article": "97(七)"}]),
        spec(id="J-1", type="judge", stem="可以先上岗再培训。", answer=True),
        spec(id="J-2", type="judge", stem="不可以先上岗再培训。", answer=False),
        spec(id="F-1", type="fill", stem="特种作业操作证有效期为______年", answer=[["6", "六", "6=六"]]),
        spec(id="F-2", type="fill", stem="浓度为___，路径为___。",
             answer=[["1/3", "三|分之一"], ["C:\\temp]", "a\nb"]]),
        spec(id="O-1", type="oral", stem="说说危险？\n//不是注释",
             key_points=[{"point": "危险因素: 防范]措施", "weight": 2}, {"point": "报告", "weight": 1.5},
                         {"point": "撤离", "weight": 2.0}]),
        spec(id="P-1", type="practical", stem="手指口述",
             steps=[{"text": "确认: 完毕", "critical": False}, {"text": "关键\n步骤", "critical": True}]),
    ]


def read_text(tmp_path: Path, text: str) -> tuple[list[RawQuestion], list[str]]:
    path = tmp_path / "bank.gift"
    path.write_text(text, encoding="utf-8")
    raws, problems = gift.read(path, "bank.gift")
    return raws, [str(problem) for problem in problems]


def checked(raw: RawQuestion) -> QuestionSpec:
    result, problems = check_question(raw, INDEX)
    assert problems == []
    return result


def test_every_question_survives_a_round_trip(tmp_path):
    questions = every_kind_of_question()
    gift.write(questions, TAXONOMY, tmp_path / "bank.gift")
    raws, problems = gift.read(tmp_path / "bank.gift", "bank.gift")
    assert problems == []
    back = [checked(raw) for raw in raws]
    assert [(q.code, q.status, q.content) for q in back] == [(q.code, q.status, q.content) for q in questions]
    assert [type(point["weight"]) for point in back[6].content["key_points"]] == [int, float, float]


def test_written_gift_is_what_moodle_reads(tmp_path):
    """Id and tags in the comment line, answers in option order, the explanation as general feedback."""
    questions = [spec(id="M-2", type="multiple", stem="选: 哪些", options=["甲", "乙", "丙"],
                      answer=["A", "C"], explanation="因为"),
                 spec(id="F-3", type="fill", stem="有效期___年", answer=[["6", "六"]], explanation="因为")]
    gift.write(questions, TAXONOMY, tmp_path / "bank.gift")
    assert (tmp_path / "bank.gift").read_text(encoding="utf-8") == (
        f"// [id:M-2] [type:multiple] {TAGS}\n"
        "::M-2::选\\: 哪些{\n~%50%甲\n~%-100%乙\n~%50%丙\n####因为\n}\n\n"
        f"// [id:F-3] [type:fill] {TAGS}\n"
        "::F-3::有效期___年{\n=6\n=六\n####因为\n}\n")


def test_broken_question_is_reported_and_the_next_one_read(tmp_path):
    raws, problems = read_text(tmp_path, f"""\
// a file comment

// [id:A-1] [type:judge] {TAGS}
::A-1::对吗{{
TRUE
####因为
}}

// [id:A-2] [type:single] {TAGS}
::A-2::选哪个{{
=甲
~乙

// [id:A-3] [type:single] {TAGS}
::A-3::选哪个{{#3.5:0.5}}

// [id:A-4] [type:judge] {TAGS}
::A-4::对吗{{FALSE####因为}}
""")
    assert problems == ["bank.gift:10: the answer block { is not closed with }",
                        "bank.gift:15: numeric questions {#…} are not supported"]
    assert [(raw.data["id"], raw.line, raw.data["answer"]) for raw in raws] == [
        ("A-1", 3, True), ("A-4", 17, False)]


def test_validator_problems_point_at_the_line_of_the_field(tmp_path):
    raws, problems = read_text(tmp_path, f"""\
// [id:B-1] [type:single] {TAGS}
// [tag:shape:round]
::B-1::选哪个{{
~甲
~乙#不对
####因为
}}
""")
    assert problems == ["bank.gift:2: unknown tag [tag:shape:round]: expected role:, industry:, topic:, "
                        "difficulty: or status:",
                        "bank.gift:5: per-answer feedback (#…) is not supported; use the general "
                        "feedback ####"]
    assert [str(problem) for problem in check_question(raws[0], INDEX)[1]] == [
        "bank.gift:3: a single-choice answer is one option letter, e.g. B"]


def test_plain_moodle_questions_without_tags(tmp_path):
    """The title is the id and the type follows the answer block; a mid-text block is a blank."""
    raws, problems = read_text(tmp_path, """\
$CATEGORY: $course$/安全

::Q1::1+1\\=? {=2 ~3 ~4}

::Q2::地球是圆的{T}

::Q3::特种作业操作证有效期为{=6 =六}年。

::Q4::选出偶数 {~%50%2 ~%50%4 ~%-100%5}

::Q5::谈谈你的看法{}

::Q6::配对 {=a -> 1 =b -> 2}
""")
    assert problems == ["bank.gift:13: matching questions (=a -> b) are not supported"]
    assert [(raw.data["id"], raw.data["type"], raw.data.get("answer")) for raw in raws] == [
        ("Q1", "single", "A"), ("Q2", "judge", True), ("Q3", "fill", [["6", "六"]]),
        ("Q4", "multiple", ["A", "B"]), ("Q5", "oral", None)]
    assert raws[0].data["stem"] == "1+1=?"
    assert raws[2].data["stem"] == "特种作业操作证有效期为___年。"


def test_answer_block_must_fit_the_declared_type(tmp_path):
    raws, problems = read_text(tmp_path, f"""\
// [id:C-1] [type:judge] {TAGS}
::C-1::对吗{{
=甲
~乙
}}

// [id:C-2] [type:fill] {TAGS}
::C-2::有效期___年{{
####因为
}}
""")
    assert raws == []
    assert problems == ["bank.gift:2: a judge question's answer block must be {TRUE} or {FALSE}",
                        "bank.gift:8: a fill question needs {=answer =other} for one blank, or {} and a "
                        "// [blank:N:answer|other] comment per blank"]
