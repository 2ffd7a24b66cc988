"""The inspection's exam record (检查考核记录表), read back: its sections, page footers, QR code and fonts."""

from __future__ import annotations

import dataclasses
import re

import pytest

from quizapp.pdf.record import ExamRecord, exam_record_pdf
from tests.pdf.pdfcheck import assert_fonts_embedded, installed_cjk_font, page_texts, qr_codes_in, text_of

URL = "https://quiz.example.gov.cn/r/Xk3j9QpL2mN8vR4t"


@pytest.fixture
def font() -> str:
    return installed_cjk_font()


def record(staff_count: int = 3, **changes) -> ExamRecord:
    staff = tuple((f"工人{number:02d}", "一线从业人员", "熔铸车间操作工", "平板", f"{55 + number} 分",
                   "不合格" if number == 0 else "合格") for number in range(staff_count))
    base = ExamRecord(
        enterprise="临沂某铝业有限公司", credit_code="91371300MA3C8H1X2P", county="罗庄区", kind="日常检查",
        date="2024-05-01", team=("李四", "王五"), staff=staff,
        missed_topics=(("动火作业", 5, 8), ("有限空间作业", 3, 6)),
        drills=(("熔融金属喷溅应急处置", "85 分", "合格"),),
        findings=(("工人00", "考试不合格，须补考", "《中华人民共和国安全生产法》第二十八条", "2024-05-31"),),
        integrity="#1234 sha256:ab12cd34ef56", url=URL)
    return dataclasses.replace(base, **changes)


def test_the_record_prints_every_section_and_the_lines_to_sign(font):
    text = text_of(exam_record_pdf(record(), font))
    for expected in ("检查考核记录表", "临沂某铝业有限公司", "91371300MA3C8H1X2P", "罗庄区", "日常检查", "2024-05-01",
                     "李四、王五", "工人00一线从业人员熔铸车间操作工平板55分不合格", "工人02", "1动火作业58",
                     "2有限空间作业36", "熔融金属喷溅应急处置85分合格", "考试不合格，须补考",
                     "《中华人民共和国安全生产法》第二十八条", "2024-05-31", "记录校验：#1234sha256:ab12cd34ef56",
                     "检查人员（签名）：检查人员（签名）：企业负责人或代表（签名）：日期："):
        assert expected in text, expected


def test_without_drills_integrity_or_url_the_record_says_so_and_leaves_them_out(font, tmp_path):
    pdf = exam_record_pdf(record(drills=(), findings=(), integrity="", url=""), font)
    text = text_of(pdf)
    assert "本次未开展演练" in text and "四、发现的问题及整改要求无" in text and "记录校验" not in text
    assert qr_codes_in(pdf, tmp_path) == []


def test_the_qr_code_opens_the_verification_url(font, tmp_path):
    assert qr_codes_in(exam_record_pdf(record(), font), tmp_path) == [URL]


def test_a_long_staff_table_repeats_its_header_and_numbers_the_pages(font):
    pages = page_texts(exam_record_pdf(record(staff_count=80), font))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"第 {number} 页 / 共 {len(pages)} 页", text)
    staff_pages = [text for text in pages if "工人" in text]
    assert len(staff_pages) >= 2 and all("姓名" in "".join(text.split()) for text in staff_pages)
    assert "工人79" in "".join(pages)


def test_every_font_is_embedded(font):
    assert_fonts_embedded(exam_record_pdf(record(staff_count=40), font))
