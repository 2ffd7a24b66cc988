"""Spreadsheets: every question survives write -> read -> check, and bad sheets name file:row."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from quizapp.bank import xlsx
from quizapp.bank.taxonomy import TaxonomyIndex, TaxonomySpec
from quizapp.bank.validate import QuestionSpec, RawQuestion, check_question

TAXONOMY = TaxonomySpec({
    "roles": [{"code": "worker", "name": "一线从业人员"},
              {"code": "electrician", "name": "特种作业人员/电工"}],
    "industries": [{"code": "general", "name": "通用"}, {"code": "ammonia", "name": "涉氨 制冷"},
                   {"code": "metal", "name": "冶金"}, {"code": "trade", "name": "metal"}],
    "topics": [{"code": "special-work", "name": "特殊作业（动火/登高）", "parent": None},
               {"code": "hot-other", "name": "其他", "parent": "special-work"},
               {"code": "law", "name": "法律法规与责任制", "parent": None},
               {"code": "law-other", "name": "其他", "parent": "law"}],
    "special_operations": [],
    "sources": [
        {"code": "work-safety-law", "name": "中华人民共和国安全生产法", "short_name": "安全生产法",
         "kind": "law", "articles": 119},
        {"code": "gb-30871-2022", "name": "危险化学品企业特殊作业安全规范", "short_name": "GB 30871-2022",
         "kind": "standard"},
        {"code": "local-rules", "name": "本市规定", "kind": "normative"},
    ],
})
INDEX = TaxonomyIndex.from_spec(TAXONOMY)
COMMON = {"explanation": "因为\n法律这样规定。", "basis": [{"source": "work-safety-law", "article": "28"}],
          "roles": ["worker"], "industries": ["general"], "topics": ["law"], "difficulty": 2}


def spec(**fields: Any) -> QuestionSpec:
    """A valid question built the way the YAML reader would hand it to the validator."""
    result, problems = check_question(RawQuestion("t.yaml", 1, {**COMMON, **fields}), INDEX)
    assert problems == []
    return result


def every_kind_of_question() -> list[QuestionSpec]:
    """One question of each type, with the texts most likely to break a cell syntax."""
    return [
        spec(id="S-1", type="single", stem="多行\n题干（  ）", options=["=SUM(A1)", "#N/A", "6", "a；b/c"],
             answer="C", roles=["worker", "electrician"], industries=["ammonia", "trade"],
             topics=["hot-other", "law-other", "special-work"]),
        spec(id="M-1", type="multiple", stem="选出正确的（  ）", options=["甲", "乙", "丙", "丁", "戊"],
             answer=["A", "C", "E"], status="retired", difficulty=5),
        spec(id="J-1", type="judge", stem="可以先上岗再培训。", answer=True),
        spec(id="J-2", type="judge", stem="不可以先上岗再培训。", answer=False),
        spec(id="F-1", type="fill", stem="浓度为___，路径为______。",
             answer=[["1/3", "三分之一"], ["C:\\temp\\；x", "a\\/b", "6"]],
             basis=[{"source": "gb-30871-2022", "article": "附录 A"},
                    {"source": "local-rules", "article": "3"},
                    {"source": "work-safety-law", "article": "97(七)"}]),
        spec(id="O-1", type="oral", stem="说说危险？",
             key_points=[{"point": "危险因素；防范措施", "weight": 2}, {"point": "报告(3)", "weight": 1.5},
                         {"point": "多行\n要点", "weight": 2.0}, {"point": "撤离", "weight": 1}]),
        spec(id="P-1", type="practical", stem="手指口述",
             steps=[{"text": "*号开头的普通步骤", "critical": False},
                    {"text": "★开头的关键步骤", "critical": True},
                    {"text": "两行\n步骤", "critical": True}, {"text": "汇报完毕", "critical": False}]),
    ]


def read_back(path: Path) -> list[QuestionSpec]:
    raws, problems = xlsx.read(path, path.name)
    assert problems == []
    checked = [check_question(raw, INDEX) for raw in raws]
    assert [found for _, found in checked if found] == []
    return [result for result, _ in checked]


def write_sheet(path: Path, rows: list[list[Any]], title: str = "Sheet") -> Path:
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    """Reader and validator problems together, as ``load_bank`` would report them."""
    raws, problems = xlsx.read(path, path.name)
    for raw in raws:
        problems += check_question(raw, INDEX)[1]
    return [str(problem) for problem in sorted(problems)]


def test_every_question_survives_a_round_trip(tmp_path):
    questions = every_kind_of_question()
    xlsx.write(questions, TAXONOMY, tmp_path / "bank.xlsx")
    back = read_back(tmp_path / "bank.xlsx")
    assert [(q.code, q.status, q.content) for q in back] == [(q.code, q.status, q.content) for q in questions]
    assert isinstance(back[5].content["key_points"][3]["weight"], int)
    assert isinstance(back[5].content["key_points"][2]["weight"], float)


def test_written_sheet_is_readable_by_people(tmp_path):
    """Chinese labels and names, short source names, one citation per line, bold frozen header."""
    xlsx.write(every_kind_of_question(), TAXONOMY, tmp_path / "bank.xlsx")
    sheet = load_workbook(tmp_path / "bank.xlsx")["题库"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(xlsx.HEADERS)
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    row = dict(zip(header, (cell.value for cell in sheet[6]), strict=True))
    assert row["题型"] == "填空题"
    assert row["答案"] == "1\\/3/三分之一；C:\\\\temp\\\\\\；x/a\\\\\\/b/6"
    assert row["法规依据"] == "GB 30871-2022 附录\\ A\nlocal-rules 3\n安全生产法 97(七)"
    first = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert first["选项A"] == "=SUM(A1)" and sheet["D2"].data_type == "s"
    assert first["适用岗位"] == "一线从业人员、特种作业人员/电工"
    assert first["适用行业"] == "涉氨\\ 制冷、trade"  # "metal" is another industry's code
    # In taxonomy order; the first 其他 is not a unique name, so it is written as its code.
    assert first["知识点"] == "特殊作业（动火/登高）、hot-other、其他"
    assert [cell.value for cell in sheet[3]][header.index("状态")] == "停用"


def test_cell_syntax_as_people_type_it(tmp_path):
    """Numbers typed as numbers, type and status words, separators of every kind."""
    tags = ["worker", "general", "law"]
    path = write_sheet(tmp_path / "typed.xlsx", [
        ["编号", "题 型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "法规依据", "适用岗位",
         "适用行业", "知识点", "难度", "状态", "要点", "步骤"],
        [1001, "多选", "问", "甲", "乙", "丙", "A,C", "因为",
         "《中华人民共和国安全生产法》 28；安全生产法　97(七)",
         "一线从业人员，electrician", "通用 冶金", "law", 3.0, "停用", None, None],
        ["F-2", "填空", "有效期___年", None, None, None, 6, "因为", "work-safety-law 30", *tags, 2],
        ["O-2", "问答题", "说说", None, None, None, None, "因为", "安全生产法 44", *tags, 2,
         "正常", "要点一(2)\n要点二（2.5）\n要点三", None],
        ["P-2", "实操", "做做", None, None, None, None, "因为", "安全生产法 44", *tags, 2,
         "", None, "* 第一步\n第二步"],
        ["J-3", "判断", "对吗", None, None, None, "√", "因为", "安全生产法 44", *tags, 2],
    ])
    multiple, fill, oral, practical, judge = read_back(path)
    assert (multiple.code, multiple.status, multiple.content["answer"]) == ("1001", "retired", ["A", "C"])
    assert multiple.content["basis"] == [{"source": "work-safety-law", "article": "28"},
                                         {"source": "work-safety-law", "article": "97(七)"}]
    assert multiple.content["roles"] == ["worker", "electrician"]
    assert multiple.content["industries"] == ["general", "metal"]
    assert multiple.content["difficulty"] == 3
    assert fill.content["answer"] == [["6"]]
    assert oral.content["key_points"] == [{"point": "要点一", "weight": 2},
                                          {"point": "要点二", "weight": 2.5},
                                          {"point": "要点三", "weight": 1}]
    assert practical.content["steps"] == [{"text": "第一步", "critical": True},
                                          {"text": "第二步", "critical": False}]
    assert judge.content["answer"] is True


def test_sheet_named_tiku_is_preferred(tmp_path):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这张表不是题库"])
    questions = workbook.create_sheet("题库")
    questions.append(["编号", "题型", "题干", "答案", "解析", "法规依据", "适用岗位", "适用行业", "知识点",
                      "难度"])
    questions.append(["J-4", "判断题", "对吗", "错", "因为", "安全生产法 44", "worker", "general", "law", 1])
    workbook.save(tmp_path / "two.xlsx")
    assert [q.content["answer"] for q in read_back(tmp_path / "two.xlsx")] == [False]


def test_problems_name_the_row(tmp_path):
    """Unknown column at row 1, a gap between options, a bad judge answer; empty rows keep the numbering."""
    header = ["编号", "题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "法规依据", "适用岗位",
              "适用行业", "知识点", "难度", "备注"]
    common = ["因为", "安全生产法 28", "worker", "general", "law", 2]
    path = write_sheet(tmp_path / "bad.xlsx", [
        header,
        ["S-2", "单选题", "选哪个", "甲", None, "丙", "A", *common],
        [],
        ["J-5", "判断题", "对吗", None, None, None, "也许", *common],
        ["J-6", "判断题", "对吗", None, None, None, "对", "因为", "安全生产法28", *common[2:5], 9],
    ])
    assert problems_of(path) == [
        "bad.xlsx:1: unknown column '备注' (column N); expected " + ", ".join(xlsx.HEADERS),
        "bad.xlsx:2: every option needs a text",
        "bad.xlsx:2: 选项B is empty but a later option is filled; options must have no gaps",
        "bad.xlsx:4: a judge answer is true or false, not '也许'",
        "bad.xlsx:5: difficulty must be a whole number from 1 to 5, not 9",
        "bad.xlsx:5: unknown legal source '安全生产法28'",
    ]


def test_missing_and_doubled_headers(tmp_path):
    path = write_sheet(tmp_path / "headers.xlsx", [["编号", "题干", "答案", "答 案"], ["X", "问", "A", "B"]])
    assert problems_of(path) == ["headers.xlsx:1: column 答案 appears twice (columns C and D)",
                                 "headers.xlsx:1: missing column 题型"]


@pytest.mark.parametrize("content", [b"id,type\nX,single\n", b""])
def test_a_renamed_text_file_is_one_clear_problem(tmp_path, content):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(content)
    raws, problems = xlsx.read(path, "notes.xlsx")
    assert raws == []
    assert [str(problem) for problem in problems] == [
        "notes.xlsx:0: not an Excel .xlsx workbook: File is not a zip file"]


def test_a_zip_without_workbook_is_one_clear_problem(tmp_path):
    with zipfile.ZipFile(tmp_path / "archive.xlsx", "w") as archive:
        archive.writestr("readme.txt", "hello")
    raws, problems = xlsx.read(tmp_path / "archive.xlsx", "archive.xlsx")
    assert raws == []
    assert len(problems) == 1
    assert str(problems[0]).startswith("archive.xlsx:0: not an Excel .xlsx workbook: ")
