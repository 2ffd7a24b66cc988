"""Practice quizzes through HTTP: an enterprise makes them on its weak topics, a worker takes one, the result
explains each mistake, and nothing official changes."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from sqlalchemy import select

from quizapp.analytics.enterprise import topic_accuracy
from quizapp.exam.practice import weak_topics
from quizapp.models import PracticeQuiz
from tests.analytics.test_enterprise_review import Scene, build_scene
from tests.conftest import right_answers_as_shown, table_counts
from tests.exam.test_practice import OFFICIAL_TABLES
from tests.web.test_exam_pages import form_fields
from tests.web.test_review_pages import other, sign_in  # noqa: F401 - other is a fixture


@pytest.fixture
def scene(db, imported_bank, enterprise, make_user) -> Scene:
    built = build_scene(db, enterprise, make_user("inspector"))
    make_user("enterprise", username="manager", enterprise=enterprise)
    return built


def make(client, scene: Scene, names: list[str], topics: list[str], length: int = 10, client_id: str | None = None):
    return client.post(f"/enterprises/{scene.enterprise.qr_token}/practice", data={
        "client_id": client_id or str(uuid.uuid4()), "workers": [scene.workers[name].public_token for name in names],
        "topics": topics, "length": length})


def test_the_form_ticks_the_weak_topics_and_one_worker_goes_straight_to_the_quiz(db, client, auth, scene):
    sign_in(client, auth, "manager")
    base = f"/enterprises/{scene.enterprise.qr_token}/practice"
    page = client.get(base).get_data(as_text=True)
    ticked = set(re.findall(r'<input checked id="topics-\d+" name="topics" type="checkbox" value="([^"]+)"', page))
    assert ticked == set(weak_topics(topic_accuracy(db.session, scene.enterprise.id))) and ticked
    assert "right of" in page and "not official results" in page
    response = make(client, scene, ["李"], sorted(ticked))
    quiz = db.session.scalars(select(PracticeQuiz)).one()
    assert response.headers["Location"] == f"{base}/{quiz.public_token}"
    take = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Practice: not an official result" in take and take.count('class="card question"') == len(quiz.items)
    assert "data-timer" not in take  # practice has no clock


def test_a_worker_takes_a_quiz_and_sees_each_mistake_explained(db, client, auth, scene):
    before = {table: table_counts(db)[table] for table in OFFICIAL_TABLES}
    sign_in(client, auth, "manager")
    make(client, scene, ["李"], [])
    quiz = db.session.scalars(select(PracticeQuiz)).one()
    url = f"/enterprises/{scene.enterprise.qr_token}/practice/{quiz.public_token}"
    answers = dict(enumerate(right_answers_as_shown(db, quiz)))
    answers[0] = None  # one left blank: it is explained on the result
    fields = form_fields({index: answer for index, answer in answers.items() if answer is not None})
    submission = str(uuid.uuid4())
    assert client.post(url, data={**fields, "submission_id": submission}).headers["Location"] == url
    retry = client.post(url, data={**fields, "submission_id": submission}, follow_redirects=True)
    assert "already submitted" not in retry.get_data(as_text=True)  # a retry changes nothing
    other_answers = client.post(url, data={"submission_id": str(uuid.uuid4())}, follow_redirects=True)
    assert "already submitted with other answers" in other_answers.get_data(as_text=True)
    db.session.refresh(quiz)
    assert quiz.status == "final" and quiz.item_scores[0] == 0 and all(score == 1 for score in quiz.item_scores[1:])
    result = client.get(url).get_data(as_text=True)
    assert f"{quiz.score} <small>/ 100</small>" in result and result.count('class="wrong"') == 1
    assert "Right answer" in result and "Legal basis" in result
    listing = client.get(f"/enterprises/{scene.enterprise.qr_token}/practice").get_data(as_text=True)
    assert f">{quiz.score}</a>" in listing
    exported = client.get(f"/enterprises/{scene.enterprise.qr_token}/review/export/practice.csv?names=full")
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Staff", "Role", "Date", "Questions", "Score", "Verdict"]
    assert rows[1][0] == "李" and rows[1][3:] == [str(len(quiz.items)), str(quiz.score), "Passed"] and len(rows) == 2
    assert {table: table_counts(db)[table] for table in OFFICIAL_TABLES} == before


def test_several_workers_get_a_quiz_each_and_a_retry_makes_no_more(db, client, auth, scene):
    sign_in(client, auth, "manager")
    request_id = str(uuid.uuid4())
    for _ in range(2):
        response = make(client, scene, ["赵", "钱", "孙"], ["law-responsibility"], length=5, client_id=request_id)
        assert response.headers["Location"].endswith("/practice")
    quizzes = db.session.scalars(select(PracticeQuiz)).all()
    assert sorted(quiz.worker.name for quiz in quizzes) == ["孙", "赵", "钱"]
    assert all(len(quiz.items) == 5 for quiz in quizzes)


def test_bad_input_is_refused_with_a_message_and_writes_nothing(db, client, auth, scene):
    sign_in(client, auth, "manager")
    page = make(client, scene, [], []).get_data(as_text=True)
    assert "Choose at least one person." in page
    assert "Not a valid choice" in make(client, scene, ["李"], [], length=7).get_data(as_text=True)
    assert db.session.scalars(select(PracticeQuiz)).all() == []
    make(client, scene, ["李"], [])
    quiz = db.session.scalars(select(PracticeQuiz)).one()
    url = f"/enterprises/{scene.enterprise.qr_token}/practice/{quiz.public_token}"
    judge = next(index for index, item in enumerate(quiz.items) if item["type"] == "judge")
    response = client.post(url, data={f"q{judge}": "maybe", "submission_id": str(uuid.uuid4())},
                           follow_redirects=True)
    assert response.status_code == 200 and "data-screen" in response.get_data(as_text=True)
    db.session.refresh(quiz)
    assert quiz.status == "in_progress"


def test_another_enterprise_sees_none_of_it(db, client, auth, scene, other):  # noqa: F811 - the fixture
    sign_in(client, auth, "manager")
    make(client, scene, ["李"], [])
    quiz = db.session.scalars(select(PracticeQuiz)).one()
    base = f"/enterprises/{scene.enterprise.qr_token}/practice"
    sign_in(client, auth, "other-manager")
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{quiz.public_token}").status_code == 404
    assert make(client, scene, ["李"], []).status_code == 404
    assert client.get(f"/enterprises/{other.qr_token}/practice/{quiz.public_token}").status_code == 404
    assert db.session.query(PracticeQuiz).count() == 1
