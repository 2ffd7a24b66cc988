"""An enterprise's review, from results recorded through the exam functions: every figure checked exactly."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from quizapp.analytics.enterprise import (
    SMALL_SAMPLE,
    Accuracy,
    ReexamDue,
    findings_to_rectify,
    inspection_rows,
    latest_results,
    most_missed_questions,
    pass_rates,
    reexams_due,
    topic_accuracy,
    wrong_answers,
)
from quizapp.bank.types import LETTERS
from quizapp.exam.attempts import correct_attempt, start_attempt, submit_attempt
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.inspections import check_in, close_inspection
from quizapp.exam.rectification import (
    PhotoError,
    RectificationError,
    rectification_state,
    report_rectified,
    send_back,
    verify_rectification,
)
from quizapp.models import Attempt, Enterprise, Finding, QuestionVersion, User, Worker
from tests.conftest import right_answers_as_shown

JANUARY = datetime(2026, 1, 15, 2, tzinfo=UTC)  # 10:00 in Shanghai
FEBRUARY = datetime(2026, 2, 20, 2, tzinfo=UTC)
SEED = 20260115


def examine(db, inspection, worker, inspector, *, right: str = "all", seed: int | None = None,
            now: datetime = JANUARY) -> Attempt:
    """A worker's paper, answered all right, right on even positions only ("even"), or not at all ("none")."""
    attempt = start_attempt(db.session, client_id=str(uuid.uuid4()), inspection=inspection, worker=worker,
                            examiner=inspector, blueprint=blueprint_for(db.session, worker.role_code), seed=seed,
                            now=now)
    answers = right_answers_as_shown(db, attempt)
    responses = [answer if right == "all" or (right == "even" and position % 2 == 0) else None
                 for position, answer in enumerate(answers)]
    submit_attempt(db.session, attempt, submission_id=str(uuid.uuid4()), responses=responses, now=now)
    db.session.commit()
    return attempt


@dataclass
class Scene:
    enterprise: Enterprise
    inspector: User
    workers: dict[str, Worker]
    attempts: dict[str, Attempt]


def build_scene(db, enterprise, inspector) -> Scene:
    """January: 赵 and 孙 pass; 钱 is right on every other item and 李 on none, on the same paper (one seed), so
    both fail. February: 钱 passes a re-exam."""
    enterprise.industry_codes = ["nonferrous"]
    workers = {name: Worker(enterprise=enterprise, name=name, role_code=role, post="抛光")
               for name, role in (("赵", "worker"), ("钱", "worker"), ("李", "worker"), ("孙", "team-leader"))}
    db.session.add_all(workers.values())
    db.session.commit()
    january = check_in(db.session, enterprise, inspector, now=JANUARY)
    attempts = {"赵": examine(db, january, workers["赵"], inspector),
                "钱": examine(db, january, workers["钱"], inspector, right="even", seed=SEED),
                "李": examine(db, january, workers["李"], inspector, right="none", seed=SEED),
                "孙": examine(db, january, workers["孙"], inspector)}
    february = check_in(db.session, enterprise, inspector, now=FEBRUARY)
    attempts["钱 again"] = examine(db, february, workers["钱"], inspector, now=FEBRUARY)
    return Scene(enterprise, inspector, workers, attempts)


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user) -> Scene:
    return build_scene(db, enterprise, make_user("inspector"))


def scored_items(db, attempts):
    """(attempt, question id, version, role, fraction) of every item, read from the attempts themselves."""
    for attempt in attempts:
        for item, fraction in zip(attempt.items, attempt.item_scores, strict=True):
            yield attempt, item["question_id"], db.session.get(QuestionVersion, item["version_id"]), \
                attempt.worker.role_code, fraction


def test_the_scene_is_what_it_says(scene):
    passed = {name: attempt.passed for name, attempt in scene.attempts.items()}
    assert passed == {"赵": True, "钱": False, "李": False, "孙": True, "钱 again": True}
    assert scene.attempts["钱"].items == scene.attempts["李"].items


def test_accuracy_per_topic_and_role_counts_every_answer_once(db, scene):
    expected_top: dict[str, dict[str, Accuracy]] = defaultdict(lambda: defaultdict(Accuracy))
    expected_sub: dict[str, dict[str, Accuracy]] = defaultdict(lambda: defaultdict(Accuracy))
    expected_roles: dict[str, Accuracy] = defaultdict(Accuracy)
    for _attempt, _question, version, role, fraction in scored_items(db, scene.attempts.values()):
        answer = Accuracy(1, fraction)
        expected_roles[role] += answer
        for name in {(topic.parent or topic).name for topic in version.topics}:
            expected_top[name][role] += answer
        for topic in version.topics:
            if topic.parent:
                expected_sub[topic.name][role] += answer

    report = topic_accuracy(db.session, scene.enterprise.id)

    assert report.roles == [("team-leader", "班组长"), ("worker", "一线从业人员")]
    assert report.all_topics.by_role == expected_roles
    assert report.all_topics.by_role["worker"] == Accuracy(48, 12 + 6 + 0 + 12)
    assert {topic.name: dict(topic.figures.by_role) for topic in report.topics} == \
        {name: dict(by_role) for name, by_role in expected_top.items()}
    subs = {sub.name: dict(sub.figures.by_role) for topic in report.topics for sub in topic.sub_topics}
    assert subs == {name: dict(by_role) for name, by_role in expected_sub.items()}
    rates = [topic.figures.overall.rate for topic in report.topics]
    assert rates == sorted(rates)  # weakest first


def test_figures_from_fewer_than_twenty_answers_are_small_samples(db, scene):
    report = topic_accuracy(db.session, scene.enterprise.id)
    assert SMALL_SAMPLE == 20
    assert report.all_topics.by_role["team-leader"].answers == 12
    assert report.all_topics.by_role["team-leader"].small_sample
    assert not report.all_topics.by_role["worker"].small_sample
    assert report.all_topics.overall == Accuracy(60, 42)
    for topic in report.topics:
        for figure in (topic.figures.overall, *topic.figures.by_role.values()):
            assert figure.small_sample == (figure.answers < 20)


def expected_book(db, attempts) -> list[tuple[int, int, int]]:
    """(question id, times missed, times asked), most often missed first, counted from the attempts."""
    missed, asked = Counter(), Counter()
    for _attempt, question, _version, _role, fraction in scored_items(db, attempts):
        asked[question] += 1
        missed[question] += fraction < 1
    return sorted(((question, missed[question], asked[question]) for question in missed if missed[question]),
                  key=lambda entry: (-entry[1], entry[0]))


def the_book(db, enterprise_id) -> list[tuple[int, int, int]]:
    ids = list(db.session.scalars(most_missed_questions(db.session, enterprise_id)))
    return [(entry.version.question_id, entry.missed, entry.asked) for entry in wrong_answers(db.session,
                                                                                          enterprise_id, ids)]


def test_the_wrong_answer_book_lists_missed_questions_most_often_first_with_the_banks_answer(db, scene):
    ids = list(db.session.scalars(most_missed_questions(db.session, scene.enterprise.id)))
    book = wrong_answers(db.session, scene.enterprise.id, ids)

    assert the_book(db, scene.enterprise.id) == expected_book(db, scene.attempts.values())
    assert book[0].missed == 2  # 钱 and 李 both missed the odd positions of their shared paper
    paper = scene.attempts["李"]
    shown = right_answers_as_shown(db, paper)
    by_question = {entry.version.question_id: entry for entry in book}
    for item, answer in zip(paper.items, shown, strict=True):
        entry = by_question[item["question_id"]]
        if item["type"] == "single":  # the letter as shown, mapped back through the paper's option order
            assert entry.right_answer == LETTERS[item["option_order"][LETTERS.index(answer)]]
        elif item["type"] == "judge":
            assert entry.right_answer is answer
        assert entry.code == entry.version.question.code


def test_re_exams_due_clear_after_a_later_pass_and_overdue_ones_are_marked(db, scene):
    """钱 failed in January and passed in February; 李 failed and is due 30 days after the exam."""
    due = ReexamDue("李", "一线从业人员", failed_on=date(2026, 1, 15), due_on=date(2026, 2, 14), overdue=False)
    assert reexams_due(db.session, scene.enterprise.id, date(2026, 2, 14)) == [due]
    assert reexams_due(db.session, scene.enterprise.id, date(2026, 2, 15)) == [replace(due, overdue=True)]


def test_inspections_pass_rates_and_latest_results(db, scene):
    rows = inspection_rows(db.session, scene.enterprise.id)
    assert [(row.inspection.local_date, row.examined, row.passed, row.findings) for row in rows] == [
        (date(2026, 2, 20), 1, 1, 0), (date(2026, 1, 15), 4, 2, 2)]
    assert [(r.period, r.examined, r.passed) for r in pass_rates(rows)] == [("2026-01", 4, 2), ("2026-02", 1, 1)]
    assert [(r.period, r.examined, r.passed, r.rate) for r in pass_rates(rows, "quarter")] == [("2026-Q1", 5, 3, 0.6)]
    latest = latest_results(db.session, scene.enterprise.id)
    assert [(r.worker, r.day, r.passed, r.token) for r in latest] == sorted([
        ("孙", date(2026, 1, 15), True, scene.attempts["孙"].public_token),
        ("李", date(2026, 1, 15), False, scene.attempts["李"].public_token),
        ("赵", date(2026, 1, 15), True, scene.attempts["赵"].public_token),
        ("钱", date(2026, 2, 20), True, scene.attempts["钱 again"].public_token)])


def test_a_result_gives_way_to_its_correction_once_that_is_final(db, scene):
    original = scene.attempts["李"]
    correction = correct_attempt(db.session, original, client_id=str(uuid.uuid4()), examiner=scene.inspector,
                                 reason="录错了人", now=JANUARY)
    assert [due.worker for due in reexams_due(db.session, scene.enterprise.id, date(2026, 3, 1))] == ["李"]
    submit_attempt(db.session, correction, submission_id=str(uuid.uuid4()),
                   responses=right_answers_as_shown(db, correction), now=JANUARY)
    db.session.commit()

    assert reexams_due(db.session, scene.enterprise.id, date(2026, 3, 1)) == []
    rows = inspection_rows(db.session, scene.enterprise.id)
    assert [(row.examined, row.passed, row.findings) for row in rows] == [(1, 1, 0), (4, 3, 1)]
    assert topic_accuracy(db.session, scene.enterprise.id).all_topics.by_role["worker"] == Accuracy(48, 42)
    official = [attempt for name, attempt in scene.attempts.items() if name != "李"] + [correction]
    assert the_book(db, scene.enterprise.id) == expected_book(db, official)
    assert [r.token for r in latest_results(db.session, scene.enterprise.id) if r.worker == "李"] == \
        [correction.public_token]


def test_another_enterprises_results_are_not_counted(db, scene, make_user):
    other = Enterprise(credit_code="91371300MA3C8H1X3T", name="另一家企业", industry_codes=["nonferrous"])
    stranger = Worker(enterprise=other, name="周", role_code="worker")
    db.session.add_all([other, stranger])
    db.session.commit()
    examine(db, check_in(db.session, other, scene.inspector, now=JANUARY), stranger, scene.inspector, right="none")
    assert topic_accuracy(db.session, scene.enterprise.id).all_topics.overall == Accuracy(60, 42)
    assert [r.worker for r in latest_results(db.session, other.id)] == ["周"]
    assert len(reexams_due(db.session, other.id, date(2026, 3, 1))) == 1


# Rectification


def photo_bytes(kind: str = "JPEG", size=(640, 480)) -> BytesIO:
    """A photo as a phone sends it: with EXIF (a camera model standing in for the location)."""
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    stream = BytesIO()
    image.save(stream, kind, exif=exif)
    stream.seek(0)
    return stream


def record_certificate_finding(db, scene: Scene) -> Finding:
    """Closing the February inspection records a finding for a welder without a certificate."""
    welder = Worker(enterprise=scene.enterprise, name="吴", role_code="special-operator", post="焊工",
                    required_category="welding-cutting")
    db.session.add(welder)
    close_inspection(db.session, scene.attempts["钱 again"].inspection, scene.inspector, now=FEBRUARY)
    db.session.commit()
    return db.session.scalars(select(Finding).where(Finding.worker_id == welder.id)).one()


@pytest.fixture
def certificate_finding(db, scene) -> Finding:
    return record_certificate_finding(db, scene)


def test_rectify_send_back_and_verify(db, scene, certificate_finding, tmp_path, make_user):
    finding = certificate_finding
    manager = make_user("enterprise", username="manager", enterprise=scene.enterprise)
    uploads = tmp_path / "uploads"
    assert findings_to_rectify(db.session, scene.enterprise.id) == [finding]
    assert rectification_state(finding) == "open"

    with pytest.raises(RectificationError):
        verify_rectification(db.session, finding, scene.inspector)
    report_rectified(db.session, finding, manager, " 已停止其焊接作业，送培训取证 ", photo_bytes(), uploads)
    assert rectification_state(finding) == "awaiting_verification"
    assert finding.rectification_note == "已停止其焊接作业，送培训取证"
    assert finding.rectified_by_id == manager.id
    stored = uploads / finding.rectification_photo
    assert finding.rectification_photo.startswith("rectifications/") and stored.suffix == ".jpg"
    with Image.open(stored) as image:
        assert image.format == "JPEG" and not image.getexif()  # where and with what it was taken is dropped
    with pytest.raises(RectificationError):  # a repeated tap changes nothing
        report_rectified(db.session, finding, manager, "again", None, uploads)

    with pytest.raises(RectificationError):
        send_back(db.session, finding, scene.inspector, "  ")
    send_back(db.session, finding, scene.inspector, "证件复印件未提供")
    assert rectification_state(finding) == "sent_back" and finding.rectified_at is None
    first_photo = finding.rectification_photo
    report_rectified(db.session, finding, manager, "已补充证件", None, uploads)
    assert finding.rectification_photo == first_photo  # no new photo: the earlier one stays with the report

    verify_rectification(db.session, finding, scene.inspector, "现场核实")
    db.session.commit()
    assert rectification_state(finding) == "verified" and finding.verified_by_id == scene.inspector.id
    assert findings_to_rectify(db.session, scene.enterprise.id) == []


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_large_photos_shrink_and_keep_their_format(tmp_path, db, scene, certificate_finding, make_user, kind):
    manager = make_user("enterprise", username="manager", enterprise=scene.enterprise)
    report_rectified(db.session, certificate_finding, manager, "整改完成", photo_bytes(kind, (8000, 2000)), tmp_path)
    with Image.open(tmp_path / certificate_finding.rectification_photo) as image:
        assert (image.format, image.size) == (kind, (2048, 512))


def test_what_cannot_be_rectified(db, scene, certificate_finding, tmp_path, make_user):
    manager = make_user("enterprise", username="manager", enterprise=scene.enterprise)
    failed_exam = db.session.scalars(select(Finding).where(Finding.attempt_id == scene.attempts["李"].id)).one()
    assert rectification_state(failed_exam) == "reexam"
    with pytest.raises(RectificationError):
        report_rectified(db.session, failed_exam, manager, "已培训", None, tmp_path)
    with pytest.raises(RectificationError):
        report_rectified(db.session, certificate_finding, manager, "   ", None, tmp_path)
    with pytest.raises(PhotoError):
        report_rectified(db.session, certificate_finding, manager, "整改完成", BytesIO(b"GIF89a not a photo"),
                         tmp_path)
    gif = BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    gif.seek(0)
    with pytest.raises(PhotoError):
        report_rectified(db.session, certificate_finding, manager, "整改完成", gif, tmp_path)
    assert rectification_state(certificate_finding) == "open"
    assert not (tmp_path / "rectifications").exists()
