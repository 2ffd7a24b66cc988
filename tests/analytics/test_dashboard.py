"""The bureau's dashboard on a small city written row by row: every figure worked out by hand below."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select

from quizapp.analytics import dashboard as dashboard_module
from quizapp.analytics.charts import FALLBACK_FONT, chart_font, monthly_columns, monthly_lines, rate_bars
from quizapp.analytics.dashboard import DashboardFilter, build_dashboard, months_back
from quizapp.exam.attempts import correct_attempt, start_attempt, submit_attempt
from quizapp.exam.blueprint import DEFAULT_BLUEPRINT
from quizapp.exam.inspections import check_in
from quizapp.models import (
    Attempt,
    AttemptItem,
    DrillRun,
    DrillTemplate,
    DrillTemplateVersion,
    Enterprise,
    Finding,
    Industry,
    Inspection,
    Question,
    QuestionVersion,
    Role,
    Topic,
    TopicTally,
    User,
    Worker,
)
from quizapp.models.question import version_topics
from tests.conftest import right_answers_as_shown

FIRST_HALF_2026 = DashboardFilter(date(2026, 1, 1), date(2026, 6, 30))


class ResultsBuilder:
    """Rows written directly, as finished inspections leave them: for analytics tests that need exact data."""

    def __init__(self, db):
        self.db = db
        self.examiner = User(username="examiner", role="inspector", password_hash="-")
        db.session.add(self.examiner)
        db.session.flush()

    def _add(self, row):
        self.db.session.add(row)
        self.db.session.flush()
        return row

    def topic(self, code: str, name: str) -> Topic:
        return self._add(Topic(code=code, name=name))

    def question(self, code: str, topics: tuple[Topic, ...] = (), versions: int = 1) -> list[QuestionVersion]:
        question = self._add(Question(code=code, current_number=versions))
        made = [self._add(QuestionVersion(question_id=question.id, number=number, type="single",
                                          stem=f"{code} 第{number}版", difficulty=3, content_hash=f"{code}-{number}"))
                for number in range(1, versions + 1)]
        tags = [{"version_id": version.id, "topic_id": topic.id} for version in made for topic in topics]
        if tags:
            self.db.session.execute(version_topics.insert(), tags)
        return made

    def enterprise(self, name: str, county: str, industries: list[str]) -> Enterprise:
        return self._add(Enterprise(credit_code=uuid.uuid4().hex[:18], name=name, county=county,
                                    industry_codes=industries))

    def worker(self, enterprise: Enterprise, role: str) -> Worker:
        return self._add(Worker(enterprise_id=enterprise.id, name=f"{role}-{uuid.uuid4().hex[:4]}", role_code=role))

    def inspection(self, enterprise: Enterprise, day: date) -> Inspection:
        return self._add(Inspection(enterprise_id=enterprise.id, local_date=day, status="closed",
                                    opened_by_id=self.examiner.id))

    def exam(self, inspection: Inspection, worker: Worker, answers: list[tuple[QuestionVersion, float]], *,
             passed: bool = True, blueprint: str = "现场抽问", corrects: Attempt | None = None) -> Attempt:
        """A final attempt and its scored items; ``answers`` are (version asked, fraction earned) in paper order."""
        fractions = [fraction for _version, fraction in answers]
        attempt = self._add(Attempt(
            client_id=str(uuid.uuid4()), inspection_id=inspection.id, worker_id=worker.id,
            examiner_id=self.examiner.id, blueprint={"name": blueprint, "pass_mark": 80}, seed=1,
            items=[{"question_id": version.question_id, "version_id": version.id, "type": "single",
                    "option_order": []} for version, _fraction in answers],
            status="final", item_scores=fractions, score=round(100 * sum(fractions) / len(fractions), 1),
            passed=passed, corrects_id=corrects.id if corrects else None))
        self.db.session.add_all(AttemptItem(attempt_id=attempt.id, position=position, question_id=version.question_id,
                                            version_id=version.id, type="single", fraction=fraction,
                                            enterprise_id=inspection.enterprise_id, worker_id=worker.id,
                                            role_code=worker.role_code, answered_on=inspection.local_date)
                                for position, (version, fraction) in enumerate(answers))
        self.db.session.flush()
        return attempt

    def finding(self, inspection: Inspection, worker: Worker | None, kind: str) -> Finding:
        return self._add(Finding(inspection_id=inspection.id, worker_id=worker.id if worker else None, kind=kind,
                                 basis=[], due_on=inspection.local_date))

    def drill(self, inspection: Inspection, passed: bool, finished: bool = True) -> DrillRun:
        template = self._add(DrillTemplate(code=f"DRILL-{uuid.uuid4().hex[:6]}"))
        version = self._add(DrillTemplateVersion(template_id=template.id, number=1, content={"title": "演练"},
                                                 content_hash="-"))
        return self._add(DrillRun(client_id=str(uuid.uuid4()), inspection_id=inspection.id,
                                  template_version_id=version.id, examiner_id=self.examiner.id,
                                  status="finished" if finished else "running", score=80.0 if passed else 40.0,
                                  passed=passed if finished else None))


def write_city(db) -> dict[str, Enterprise]:
    """Three enterprises in two counties, a half year of inspections (and one before it, which must not count).

    Exams, with the fractions earned on QA (topic 法律法规), QB (动火作业) and QC (both):
      甲公司 (罗庄区; 冶金, 机械) 2026-03-10: 主要负责人 1, 1, 1 passed; 一线 0, 1, 0 failed
                               2026-05-02: 一线 (the same worker) 1, 1, 0.5 passed
      乙公司 (罗庄区; 机械)     2026-05-20: 一线 0, 0, 1 failed, the correction of a result 1, 1, 1 passed
      丙公司 (兰山区; 商贸)     2026-04-01: 一线 1, 0.5, 1 passed;   2025-01-01 (out of range): 0, 0, 0 failed
    """
    build = ResultsBuilder(db)
    db.session.add_all([Role(code="principal", name="主要负责人", position=0),
                        Role(code="worker", name="一线从业人员", position=1),
                        Industry(code="metallurgy", name="冶金", position=0),
                        Industry(code="machinery", name="机械", position=1),
                        Industry(code="trade", name="商贸", position=2)])
    law, hot_work = build.topic("law", "法律法规"), build.topic("hot-work", "动火作业")
    [qa], [qb] = build.question("QA", (law,)), build.question("QB", (hot_work,))
    [qc] = build.question("QC", (law, hot_work))
    jia = build.enterprise("甲公司", "罗庄区", ["metallurgy", "machinery"])
    yi = build.enterprise("乙公司", "罗庄区", ["machinery"])
    bing = build.enterprise("丙公司", "兰山区", ["trade"])
    boss, jia_worker = build.worker(jia, "principal"), build.worker(jia, "worker")
    yi_worker, bing_worker = build.worker(yi, "worker"), build.worker(bing, "worker")

    march = build.inspection(jia, date(2026, 3, 10))
    build.exam(march, boss, [(qa, 1), (qb, 1), (qc, 1)])
    build.exam(march, jia_worker, [(qa, 0), (qb, 1), (qc, 0)], passed=False)
    build.finding(march, jia_worker, "certificate_expired")
    build.finding(march, jia_worker, "failed_exam")
    build.drill(march, passed=True)
    may = build.inspection(jia, date(2026, 5, 2))
    build.exam(may, jia_worker, [(qa, 1), (qb, 1), (qc, 0.5)])

    late_may = build.inspection(yi, date(2026, 5, 20))
    replaced = build.exam(late_may, yi_worker, [(qa, 1), (qb, 1), (qc, 1)])
    build.exam(late_may, yi_worker, [(qa, 0), (qb, 0), (qc, 1)], passed=False, corrects=replaced)
    build.drill(late_may, passed=False)
    build.finding(late_may, None, "drill_failed")

    april = build.inspection(bing, date(2026, 4, 1))
    build.exam(april, bing_worker, [(qa, 1), (qb, 0.5), (qc, 1)])
    build.finding(april, bing_worker, "certificate_missing")
    build.drill(april, passed=True)
    build.drill(april, passed=False, finished=False)
    long_ago = build.inspection(bing, date(2025, 1, 1))
    build.exam(long_ago, bing_worker, [(qa, 0), (qb, 0), (qc, 0)], passed=False)
    build.finding(long_ago, bing_worker, "certificate_missing")
    build.drill(long_ago, passed=False)
    TopicTally.rebuild(db.session)  # the rows above were written directly, not through submit_attempt
    db.session.commit()
    return {"jia": jia, "yi": yi, "bing": bing}


@pytest.fixture
def city(db):
    return write_city(db)


def counts(figures) -> tuple:
    """(inspections, staff examined, exams, passed, certificate findings, drills, drills passed)."""
    return (figures.inspections, figures.staff_examined, figures.exams, figures.exams_passed,
            figures.certificate_findings, figures.drills, figures.drills_passed)


def by_label(rows) -> dict:
    return {row.label: row for row in rows}


def weakest(row) -> list[tuple[str, int, float]]:
    return [(topic.name, topic.answers, topic.score_rate) for topic in row.weakest]


@pytest.fixture
def every_topic_ranked(monkeypatch):
    """The city above is too small for the usual minimum of answers before a topic is called weak."""
    monkeypatch.setattr(dashboard_module, "MIN_ANSWERS_PER_TOPIC", 1)


def test_counties_sum_their_enterprises(db, city, every_topic_ranked):
    board = build_dashboard(db.session, FIRST_HALF_2026)
    counties = by_label(board.counties)
    assert list(counties) == ["兰山区", "罗庄区"]
    # 甲 2 inspections, 3 exams (2 passed), 2 people, 1 certificate finding, 1 drill passed;
    # 乙 1 inspection, 1 exam (the correction, failed), 1 person, 1 drill failed.
    assert counts(counties["罗庄区"].figures) == (3, 3, 4, 2, 1, 2, 1)
    assert counties["罗庄区"].figures.pass_rate == 0.5
    assert counties["罗庄区"].figures.drill_pass_rate == 0.5
    # 丙: the 2025 inspection and the running drill do not count.
    assert counts(counties["兰山区"].figures) == (1, 1, 1, 1, 1, 1, 1)
    assert counts(board.total) == (4, 4, 5, 3, 2, 3, 2)
    # 罗庄区 law: QA 1+0+1+0, QC 1+0+0.5+1 → 4.5 of 8; hot work: QB 1+1+1+0, QC 2.5 → 5.5 of 8.
    assert weakest(counties["罗庄区"]) == [("法律法规", 8, 4.5 / 8), ("动火作业", 8, 5.5 / 8)]
    # 兰山区: law QA 1, QC 1 → 2 of 2; hot work QB 0.5, QC 1 → 1.5 of 2.
    assert weakest(counties["兰山区"]) == [("动火作业", 2, 0.75), ("法律法规", 2, 1.0)]


def test_an_enterprise_counts_in_each_of_its_industries(db, city, every_topic_ranked):
    industries = by_label(build_dashboard(db.session, FIRST_HALF_2026).industries)
    assert list(industries) == ["冶金", "机械", "商贸"]  # the taxonomy's order
    assert counts(industries["冶金"].figures) == (2, 2, 3, 2, 1, 1, 1)
    assert counts(industries["机械"].figures) == (3, 3, 4, 2, 1, 2, 1)  # 甲 and 乙
    assert counts(industries["商贸"].figures) == (1, 1, 1, 1, 1, 1, 1)
    assert industries["机械"].key == "machinery"


def test_roles_count_their_people_inspections_and_topics(db, city, every_topic_ranked):
    roles = by_label(build_dashboard(db.session, FIRST_HALF_2026).roles)
    assert list(roles) == ["主要负责人", "一线从业人员"]
    # The principal: one inspection, one exam passed. Front-line workers: 甲's twice, 乙's and 丙's once each,
    # four inspections; two of the certificate findings are theirs. Drills are not a role's.
    assert counts(roles["主要负责人"].figures) == (1, 1, 1, 1, 0, 0, 0)
    assert counts(roles["一线从业人员"].figures) == (4, 3, 4, 2, 2, 0, 0)
    # Front line, law: QA 0+1+0+1, QC 0+0.5+1+1 → 4.5 of 8; hot work: QB 1+1+0+0.5, QC 2.5 → 5 of 8.
    assert weakest(roles["一线从业人员"]) == [("法律法规", 8, 4.5 / 8), ("动火作业", 8, 5 / 8)]
    assert weakest(roles["主要负责人"]) == [("动火作业", 2, 1.0), ("法律法规", 2, 1.0)]


def test_topics_weakest_first(db, city):
    board = build_dashboard(db.session, FIRST_HALF_2026)
    # Law: QA 1+0+1+0+1 = 3, QC 1+0+0.5+1+1 = 3.5 → 6.5 of 10; hot work: QB 3.5, QC 3.5 → 7 of 10.
    assert [(topic.name, topic.answers, topic.score_rate) for topic in board.topics] == [
        ("法律法规", 10, 0.65), ("动火作业", 10, 0.7)]
    assert board.counties[0].weakest == []  # two answers a topic are too few to call one weak


def test_months_of_the_range(db, city):
    months = dict(build_dashboard(db.session, FIRST_HALF_2026).months)
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert [(months[m].inspections, months[m].exams, months[m].exams_passed, months[m].drills,
             months[m].drills_passed) for m in months] == [
        (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (1, 2, 1, 1, 1), (1, 1, 1, 1, 1), (2, 2, 1, 1, 0), (0, 0, 0, 0, 0)]
    assert months["2026-01"].pass_rate is None


def test_a_county_lists_its_enterprises(db, city):
    board = build_dashboard(db.session, DashboardFilter(FIRST_HALF_2026.start, FIRST_HALF_2026.end, county="罗庄区"))
    assert [(row.label, row.key) for row in board.enterprises] == [("乙公司", city["yi"].qr_token),
                                                                   ("甲公司", city["jia"].qr_token)]
    assert counts(by_label(board.enterprises)["甲公司"].figures) == (2, 2, 3, 2, 1, 1, 1)
    assert counts(board.total) == (3, 3, 4, 2, 1, 2, 1)
    assert [row.label for row in board.counties] == ["罗庄区"]
    assert board.county_choices == ["兰山区", "罗庄区"]  # every county stays choosable


def test_an_industry_narrows_the_enterprises(db, city):
    board = build_dashboard(db.session, DashboardFilter(FIRST_HALF_2026.start, FIRST_HALF_2026.end,
                                                        industry="trade"))
    assert [row.label for row in board.counties] == ["兰山区"]
    assert counts(board.total) == (1, 1, 1, 1, 1, 1, 1)
    assert board.enterprises == []  # enterprises are listed for a county


def test_topic_figures_count_whole_months(db, city):
    # 2026-03-10 to 2026-04-01 touches March and April: 甲's March answers and 丙's April ones, law QA and QC twice.
    board = build_dashboard(db.session, DashboardFilter(date(2026, 3, 15), date(2026, 4, 1)))
    assert {topic.name: topic.answers for topic in board.topics} == {"法律法规": 6, "动火作业": 6}


def test_submits_keep_the_tallies_equal_to_a_recount(db, imported_bank, enterprise, make_user):
    """Answers submitted, and a correction that replaces one result: the tallies match attempt_items."""
    enterprise.industry_codes = ["nonferrous", "combustible-dust"]
    inspector = make_user("inspector")
    workers = [Worker(enterprise=enterprise, name=name, role_code=role, post="抛光")
               for name, role in (("赵师傅", "worker"), ("钱经理", "worker"))]
    db.session.add_all(workers)
    inspection = check_in(db.session, enterprise, inspector)
    db.session.commit()

    def start(worker):
        attempt = start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=worker,
                                examiner=inspector, blueprint=DEFAULT_BLUEPRINT)
        db.session.commit()
        return attempt

    def submit(attempt, right: bool):
        answers = right_answers_as_shown(db, attempt) if right else [None] * len(attempt.items)
        submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=answers)
        db.session.commit()

    first, second = start(workers[0]), start(workers[1])
    submit(first, right=True)
    submit(second, right=False)
    correction = correct_attempt(db.session, first, client_id=str(uuid.uuid4()), examiner=inspector,
                                 reason="录错了")
    db.session.commit()
    submit(correction, right=False)

    def stored() -> dict:
        return {(row.enterprise_id, row.role_code, row.topic_id, row.month): (row.answers, pytest.approx(row.points))
                for row in db.session.scalars(select(TopicTally)) if row.answers}

    recount = {(enterprise_id, role, topic, month): (answers, points)
               for enterprise_id, role, topic, month, answers, points in db.session.execute(TopicTally.recount())}
    assert recount and stored() == recount
    assert sum(answers for answers, _points in recount.values()) >= 2 * len(first.items)  # a topic or more each
    assert sum(points for _answers, points in recount.values()) == 0  # only the two wrong papers count
    TopicTally.rebuild(db.session)
    assert stored() == recount


def test_the_default_range_is_twelve_months_to_today():
    assert DashboardFilter.last_twelve_months(date(2026, 11, 29)) == DashboardFilter(date(2025, 12, 1),
                                                                                     date(2026, 11, 29))
    assert months_back(date(2026, 1, 31), 1) == date(2025, 12, 1)
    assert len(DashboardFilter.last_twelve_months(date(2026, 11, 29)).months) == 12


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element, after checking that the chart is well-formed XML."""
    root = ET.fromstring(svg)
    return ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")]


def test_charts_are_svg_with_the_chinese_labels_in_the_page_font():
    font = chart_font(None)
    svg = rate_bars("各县区合格率", ["罗庄区", "兰山区 <&>"], [0.5, None], font)
    assert {"罗庄区", "兰山区 <&>", "50%"} <= set(svg_texts(svg))
    root = ET.fromstring(svg)
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "各县区合格率"
    fonts = [element.get("font-family") for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert all(family.startswith("'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Zen Hei'") for family in fonts)
    assert "style=" not in svg  # the page's content policy refuses style attributes
    assert font not in svg and "Helvetica" not in svg and 'id="' not in svg  # ids would clash between charts
    lines = monthly_lines("合格率", ["2026-01", "2026-02"], {"考试": [0.8, None], "演练": [None, 0.5]}, font)
    assert {"考试", "演练", "2026-01", "100%"} <= set(svg_texts(lines))
    assert "2026-02" in svg_texts(monthly_columns("考试人次", ["2026-01", "2026-02"], [3, 0], font))
    long_name = "临沂市罗庄区" + "某" * 30 + "有限公司"
    [cut] = [text for text in svg_texts(rate_bars("合格率", [long_name], [0.9], font)) if text.startswith("临沂")]
    assert cut.endswith("…") and long_name.startswith(cut[:-1])  # cut to fit beside the bars
    only_exams = svg_texts(monthly_lines("合格率", ["2026-01"], {"考试": [0.8], "演练": [None]}, font))
    assert "考试" in only_exams and "演练" not in only_exams  # a line without any data cannot be drawn


def test_charts_render_without_a_chinese_font(tmp_path):
    assert chart_font(str(tmp_path / "missing.ttf")) == FALLBACK_FONT
    assert "罗庄区" in svg_texts(rate_bars("合格率", ["罗庄区"], [1.0], FALLBACK_FONT))
