"""Paper quiz sheets and answer keys, read back: text and line breaks, page footers, QR codes, fonts."""

from __future__ import annotations

import re

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from quizapp.pdf.layout import TEXT_WIDTH, break_lines
from quizapp.pdf.sheets import BODY_SIZE, Sheet, SheetHeader, SheetItem, answer_key_pdf, quiz_sheets_pdf
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, page_texts, qr_codes_in, rasterised, text_of

NO_LINE_START = "，。、；：？！）》」』】"
NO_LINE_END = "（《「『【"
LONG_STEM = ("（第{number}题）根据《中华人民共和国安全生产法》的规定，生产经营单位应当对从业人员进行安全生产教育"
             "和培训，保证从业人员具备必要的安全生产知识，熟悉有关的安全生产规章制度和安全操作规程，掌握本岗位的安全操作技能，"
             "了解事故应急处理措施，知悉自身在安全生产方面的权利和义务。未经安全生产教育和培训合格的从业人员，"
             "不得上岗作业。关于第{number}题所述的培训要求，下列说法正确的是（  ）。")
FOOTER = re.compile(r"第 (\d+) 页 / 共 (\d+) 页")


@pytest.fixture
def font() -> str:
    return installed_cjk_font()


def header(sheet_id: str = "A1B2C3D4", worker: str = "张三") -> SheetHeader:
    return SheetHeader(title="逢查必考 现场考试卷", enterprise="临沂某铝业有限公司", inspection="20240501-0007",
                       worker=worker, role="一线从业人员", post="熔铸车间操作工", date="2024-05-01", inspector="李四",
                       sheet_id=sheet_id, url=f"https://quiz.example.gov.cn/s/{sheet_id.lower()}-token")


def single(number: int, stem: str | None = None) -> SheetItem:
    options = tuple(f"第{number}题选项{letter}：作业前应当办理审批手续并{letter}" for letter in "ABCD")
    return SheetItem(number=number, type="single", stem=stem or LONG_STEM.format(number=number), options=options)


def every_type() -> tuple[SheetItem, ...]:
    return (single(1, "动火作业前应当（  ）。"),
            SheetItem(2, "multiple", "有限空间作业前应当做好哪些准备？",
                      ("办理审批", "通风检测", "安排监护", "配备救援器材")),
            SheetItem(3, "judge", "有限空间作业应当坚持“先通风、再检测、后作业”的原则。"),
            SheetItem(4, "fill", "特种作业操作证有效期为___年，每___年复审一次。", blanks=2),
            SheetItem(5, "oral", "说说你岗位存在哪些主要危险，怎样防范？",
                      key_points=("说出高温熔融金属喷溅的危险", "说出穿戴防护用品")),
            SheetItem(6, "practical", "熔炼炉开炉前的手指口述。",
                      steps=(("炉体冷却水压力正常，确认完毕", True), ("周围无积水和易燃物，确认完毕", False))))


def footers(pdf: bytes) -> list[tuple[int, int, str]]:
    """(page number, page total, sheet id) from each page's footer."""
    result = []
    for text in page_texts(pdf):
        number, total = FOOTER.search(text).groups()
        result.append((int(number), int(total), re.search(r"试卷编号 (\w+)", text).group(1)))
    return result


def violations(lines: list[str]) -> list[str]:
    return [line for line in lines if line and (line[0] in NO_LINE_START or line[-1] in NO_LINE_END)]


def text_lines(lines) -> list[str]:
    return ["".join(text for text, _ in line if text) for line in lines]


def test_a_closing_mark_takes_the_character_before_it_to_the_next_line(font):
    lines = break_lines("一二三四五六七八九，十一二", font, 10, 90)  # nine characters to a line
    assert text_lines(lines) == ["一二三四五六七八", "九，十一二"]


def test_an_opening_mark_goes_to_the_next_line_with_what_it_opens(font):
    lines = break_lines("一二三四五六七八（九）十", font, 10, 90)
    assert text_lines(lines) == ["一二三四五六七八", "（九）十"]


def test_latin_words_and_standard_numbers_are_not_broken_inside(font):
    lines = text_lines(break_lines("依据GB 30871-2022规定执行", font, 10, 60))
    [standard] = [number for number, line in enumerate(lines) if "30871-2022" in line]
    assert lines[standard - 1].endswith("依据GB") and "".join(lines) == "依据GB30871-2022规定执行"


def test_a_word_longer_than_a_line_is_cut_rather_than_overflowing(font):
    url = "https://quiz.example.gov.cn/" + "x" * 80
    lines = break_lines(url, font, 10, 100)
    assert "".join(text_lines(lines)) == url and all(sum(w for _, w in line) <= 100 for line in lines)


def test_blanks_are_lines_to_write_on_at_least_four_characters_wide(font):
    [line] = break_lines("有效期为___年", font, 10, 400)
    assert [text for text, _ in line] == ["有效期为", None, "年"] and line[1][1] >= 40


def test_long_stems_wrap_by_the_chinese_rules_where_a_naive_break_would_not(font):
    stems = ["安全" * length + "，" + "生产经营单位应当建立健全全员安全生产责任制（" * 3 + "见第四条）。"
             for length in range(1, 25)]
    items = tuple(single(number, stem) for number, stem in enumerate(stems, start=1))
    pdf = quiz_sheets_pdf([Sheet(header(), items)], font)
    lines = [line.strip() for text in page_texts(pdf) for line in text.splitlines()]
    stem_lines = [line for line in lines if "安全" in line or "生产经营单位" in line or "第四条" in line]
    assert len(stem_lines) > 2 * len(stems) and not violations(stem_lines)
    printed = [f"{item.number}.【单选题】{item.stem}" for item in items]
    assert any(violations(naive_lines(text, font)) for text in printed), "the stems should tempt a naive break"


def naive_lines(text: str, font: str) -> list[str]:
    """Lines filled character by character, breaking anywhere: what the rules exist to prevent."""
    lines, line = [], ""
    for character in text:
        if stringWidth(line + character, font, BODY_SIZE) > TEXT_WIDTH:
            lines.append(line)
            line = ""
        line += character
    return [*lines, line]


def test_each_sheet_starts_a_page_numbers_its_own_pages_and_carries_its_own_qr_code(font, tmp_path):
    ids = ["SHEET001", "SHEET002", "SHEET003"]
    sheets = [Sheet(header(sheet_id, worker=f"工人{n}"), tuple(single(number) for number in range(1, 13)))
              for n, sheet_id in enumerate(ids)]
    pdf = quiz_sheets_pdf(sheets, font)
    pages = footers(pdf)
    first_pages = [index for index, (number, _, _) in enumerate(pages, start=1) if number == 1]
    assert len(first_pages) == 3
    for sheet_id, first, end in zip(ids, first_pages, [*first_pages[1:], len(pages) + 1], strict=True):
        total = end - first
        assert total >= 2
        assert pages[first - 1:end - 1] == [(number, total, sheet_id) for number in range(1, total + 1)]
    texts = page_texts(pdf)
    for n, (sheet, first) in enumerate(zip(sheets, first_pages, strict=True)):
        assert f"工人{n}" in texts[first - 1]
        assert qr_codes_in(pdf, tmp_path, first) == [sheet.header.url]


def test_a_question_is_never_split_from_its_options(font):
    items = tuple(single(number) for number in range(1, 13))
    pages = [text.replace("\n", "") for text in page_texts(quiz_sheets_pdf([Sheet(header(), items)], font))]
    assert len(pages) >= 2
    for item in items:
        [page] = [page for page in pages if f"（第{item.number}题）根据" in page]
        assert item.options[-1] in page and f"关于第{item.number}题所述" in page


def test_every_type_prints_its_place_to_answer_and_no_answers(font):
    text = text_of(quiz_sheets_pdf([Sheet(header(), every_type())], font))
    for expected in ("1.【单选题】动火作业前应当", "A.办理审批", "□A□B□C□D", "3.【判断题】", "□正确□错误",
                     "4.【填空题】特种作业操作证有效期为年，每年复审一次。", "5.【口述题】",
                     "（口述作答，由检查人员评分）", "6.【手指口述】", "炉体冷却水压力正常，确认完毕【关键】",
                     "□完成□顺序错□漏做",
                     "临沂某铝业有限公司", "20240501-0007", "张三", "一线从业人员", "熔铸车间操作工", "李四"):
        assert expected in text, expected
    assert "___" not in text and "高温熔融金属" not in text and "穿戴防护用品" not in text


def test_a_sheet_printed_before_the_visit_keeps_every_label_to_fill_in_by_hand(font):
    blank = SheetHeader(title="逢查必考 现场考试卷", enterprise="临沂某铝业有限公司", inspection="", worker="",
                        role="班组长", post="", date="", inspector="", sheet_id="BLANK001",
                        url="https://quiz.example.gov.cn/s/b")
    text = text_of(quiz_sheets_pdf([Sheet(blank, every_type())], font))
    assert "检查编号日期姓名岗位角色班组长检查人员答题说明" in text


def test_a_stem_longer_than_a_page_flows_on(font):
    stem = LONG_STEM.format(number=1) * 40
    pdf = quiz_sheets_pdf([Sheet(header(), (single(1, stem),))], font)
    numbers = [number for number, _, _ in footers(pdf)]
    assert len(numbers) > 3 and numbers == list(range(1, len(numbers) + 1))
    assert text_of(pdf).count("关于第1题所述") == 40 and "D.第1题选项D" in text_of(pdf)


def test_sheets_embed_their_font_and_every_page_rasterises(font, tmp_path):
    pdf = quiz_sheets_pdf([Sheet(header(), every_type() + tuple(single(number) for number in range(7, 13)))], font)
    assert_fonts_embedded(pdf)
    for page in range(1, len(page_texts(pdf)) + 1):
        image = rasterised(pdf, tmp_path, page).convert("L")
        assert image.size == pytest.approx((1240, 1754), abs=1) and image.getextrema()[0] < 100  # A4, inked


def test_the_answer_key_lists_each_sheets_answers_and_the_oral_key_points(font):
    answers = ["A", "A、B、C、D", "正确", "6 / 六；3 / 三", "说出高温熔融金属喷溅的危险；说出穿戴防护用品",
               "按步骤逐项确认"]
    pdf = answer_key_pdf([(header("KEY00001", "王五"), answers), (header("KEY00002", "赵六"), ["B"] * 12)], font)
    text = text_of(pdf)
    assert "试卷编号KEY00001" in text and "王五" in text and "试卷编号KEY00002" in text and "赵六" in text
    assert "说出高温熔融金属喷溅的危险；说出穿戴防护用品" in text and "6/六；3/三" in text
    assert "12B" in text and FOOTER.search(page_texts(pdf)[0])
    assert_fonts_embedded(pdf)
