"""The drill evaluation record (模拟演练评估表), read back: sections, marked steps, page breaks, fonts, pixels."""

from __future__ import annotations

import dataclasses
import re

import pytest

from quizapp.pdf.drill_record import DrillPhaseRow, DrillRecord, DrillStepRow, drill_record_pdf
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, page_texts, rasterised, text_of

LONG_ACTION = "确认熔炼炉周边人员已全部撤离至上风向安全区域，清点人数并向现场指挥报告，同时设置警戒线禁止无关人员进入"
MISSED_ROW_GREY = (217, 217, 217)


@pytest.fixture
def font() -> str:
    return installed_cjk_font()


def step(number: str, action: str, *, critical: bool = False, mark: str = "完成", done_at: str = "1分10秒",
         note: str = "") -> DrillStepRow:
    return DrillStepRow(number=number, action=action, actor="值班长", critical=critical,
                        target="3分00秒" if critical else "", done_at=done_at, mark=mark, note=note)


PHASES = (
    DrillPhaseRow("接警与报告", "P 顺利完成", (step("1.1", "发现喷溅并大声呼喊示警", critical=True),
                                          step("1.2", "向值班长报告事故情况", note="报告内容不完整"))),
    DrillPhaseRow("现场处置", "M 有重大困难", (step("2.1", "切断熔炼炉电源", critical=True, mark="漏做", done_at=""),
                                           step("2.2", LONG_ACTION, mark="超时", done_at="6分02秒"))),
)


def drill(**changes) -> DrillRecord:
    base = DrillRecord(
        enterprise="临沂某铝业有限公司", inspection="JC-2024-0012", date="2024-05-01",
        title="熔融金属喷溅应急处置", scenario="熔铸车间 2 号炉出铝时发生熔融金属喷溅，一名操作工手臂烫伤。",
        form="实战演练", started="09:30", finished="09:42", duration="12分30秒", evaluators=("李四", "王五"),
        participants=(("张三", "班组长", "熔铸车间值班长"), ("赵六", "一线从业人员", "熔铸车间操作工")),
        phases=PHASES, score="78.5", verdict="合格",
        method="各阶段按 P/S/M/U 评定折算得分，关键步骤漏做每项扣 10 分，超时每项扣 2 分，60 分及以上为合格。",
        deficiencies=(("未切断熔炼炉电源", "《中华人民共和国安全生产法》第二十八条", "2024-05-31"),),
        integrity="#1234 sha256:ab12cd34ef56")
    return dataclasses.replace(base, **changes)


def long_drill(step_count: int = 40) -> DrillRecord:
    steps = tuple(step(f"1.{number}", f"第{number:02d}步：{LONG_ACTION}", critical=number % 5 == 0)
                  for number in range(1, step_count + 1))
    return drill(phases=(DrillPhaseRow("全过程", "S 有一些困难", steps),))


def test_the_record_prints_every_section_and_the_lines_to_sign(font):
    text = text_of(drill_record_pdf(drill(), font))
    for expected in ("模拟演练评估表", "企业名称临沂某铝业有限公司", "检查编号JC-2024-0012演练日期2024-05-01",
                     "演练项目熔融金属喷溅应急处置", "演练形式实战演练演练用时12分30秒", "开始时间09:30结束时间09:42",
                     "评估人员李四、王五", "熔铸车间2号炉出铝时发生熔融金属喷溅", "1张三班组长熔铸车间值班长",
                     "2赵六一线从业人员熔铸车间操作工",
                     "阶段1：接警与报告评定：P顺利完成", "阶段2：现场处置评定：M有重大困难", "发现喷溅并大声呼喊示警",
                     "报告内容不完整", "得分78.5结论合格", "评分方法：各阶段按P/S/M/U评定折算得分",
                     "1未切断熔炼炉电源《中华人民共和国安全生产法》第二十八条2024-05-31",
                     "记录校验：#1234sha256:ab12cd34ef56",
                     "评估人员（签名）：评估人员（签名）：企业负责人或代表（签名）：日期："):
        assert expected in text, expected


def test_critical_steps_are_ticked_and_a_missed_one_is_marked(font):
    text = text_of(drill_record_pdf(drill(), font))
    assert "1.1发现喷溅并大声呼喊示警值班长√3分00秒1分10秒完成" in text
    assert "1.2向值班长报告事故情况值班长1分10秒完成" in text
    assert "2.1切断熔炼炉电源值班长√3分00秒▲漏做" in text


def test_a_missed_critical_step_is_shaded_grey_to_stand_out_in_black_and_white(font, tmp_path):
    def grey_pixels(record: DrillRecord) -> int:
        image = rasterised(drill_record_pdf(record, font), tmp_path).convert("RGB")
        return {colour: count for count, colour in image.getcolors(image.width * image.height)}.get(MISSED_ROW_GREY, 0)

    all_done = tuple(dataclasses.replace(phase, steps=tuple(dataclasses.replace(row, mark="完成")
                                                            for row in phase.steps)) for phase in PHASES)
    assert grey_pixels(drill()) > 1000 > grey_pixels(drill(phases=all_done))


def test_a_long_action_wraps_inside_its_cell(font):
    pdf = drill_record_pdf(drill(), font)
    assert LONG_ACTION in text_of(pdf)
    lines = [line.replace(" ", "") for text in page_texts(pdf) for line in text.splitlines()]
    assert not any(LONG_ACTION in line for line in lines)


def test_without_deficiencies_or_integrity_the_record_says_so_and_leaves_them_out(font):
    text = text_of(drill_record_pdf(drill(deficiencies=(), integrity=""), font))
    assert "五、发现的问题及整改要求无" in text and "记录校验" not in text


def test_a_long_drill_runs_onto_more_pages_repeating_the_step_header(font):
    short_pages = page_texts(drill_record_pdf(drill(), font))
    pages = page_texts(drill_record_pdf(long_drill(), font))
    assert len(pages) > len(short_pages)
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"第 {number} 页 / 共 {len(pages)} 页", text)
    second_page = "".join(pages[1].split())
    assert "序号动作执行人关键目标用时实际用时结果备注" in second_page
    assert re.search(r"1\.\d+第\d\d步", second_page)
    assert "1.40第40步" in text_of(drill_record_pdf(long_drill(), font))


def test_every_font_is_embedded(font):
    assert_fonts_embedded(drill_record_pdf(long_drill(), font))


def test_every_page_rasterises_with_ink_on_it(font, tmp_path):
    pdf = drill_record_pdf(long_drill(), font)
    for page in range(1, len(page_texts(pdf)) + 1):
        darkest, _ = rasterised(pdf, tmp_path, page).convert("L").getextrema()
        assert darkest < 128, page
