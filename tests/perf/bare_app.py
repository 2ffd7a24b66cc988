"""The references for the load benchmark: bare Flask apps served by the same gunicorn settings as the app.

- ``POST /attempts/<token>/submit`` does the work of the app's submit by hand, with SQLAlchemy Core on tables
  reflected from the app's own database and nothing else of the app's stack (no sign-in, CSRF, rate limits,
  ORM, forms or translations): it reads the paper, scores it with the app's pure scoring rules, stores the
  responses and the score, writes the answers for statistics and adds them to the topic tallies, records a
  failed exam as a finding, appends one hash-chained audit entry, and answers with the score and, for every
  item, the right answer, the explanation and the legal basis. This is the reference of ``http_submit_ratio``,
  as hand-written SQL for the same figures is elsewhere in tests/perf.
- ``POST /submit`` is the least a JSON submit can do: parse the body, INSERT it into one table, COMMIT.
- ``GET /ready`` tells the harness the workers are up.

The database is the benchmark's own (``BARE_DATABASE_URL``), through a SQLAlchemy engine with its default pool,
as Flask-SQLAlchemy gives the app. Run as ``gunicorn "tests.perf.bare_app:create_app()"``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, jsonify, request
from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, create_engine, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.bank.types import LETTERS
from quizapp.exam.scoring import score_paper

metadata = MetaData()
submissions = Table("bare_submissions", metadata, Column("id", Integer, primary_key=True),
                    Column("body", Text, nullable=False))
APP_TABLES = ("attempts", "inspections", "workers", "question_versions", "question_version_topics", "attempt_items",
              "topic_tallies", "findings", "audit_events", "question_basis", "legal_sources")
SCORED = ("type", "options", "answer", "key_points", "steps")
CHAIN_LOCK = 0x61756474  # the app's advisory lock for the audit chain's head (quizapp.models.audit)


def _bank_letters(item: dict, response):
    order = item["option_order"]
    if not order or response is None:
        return response
    if isinstance(response, list):
        return [LETTERS[order[LETTERS.index(letter)]] for letter in response]
    return LETTERS[order[LETTERS.index(response)]]


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["BARE_DATABASE_URL"])
    tables = MetaData()
    tables.reflect(engine, only=APP_TABLES)
    t = tables.tables
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[engine.dialect.name]
    tally = dialect.insert(t["topic_tallies"])
    tally = tally.on_conflict_do_update(
        index_elements=["enterprise_id", "role_code", "topic_id", "month"],
        set_={"answers": t["topic_tallies"].c.answers + tally.excluded.answers,
              "points": t["topic_tallies"].c.points + tally.excluded.points})
    attempts, inspections, workers, versions = t["attempts"], t["inspections"], t["workers"], t["question_versions"]
    paper_query = (select(attempts.c.id, attempts.c["items"].label("paper_items"), attempts.c.blueprint,
                          attempts.c.worker_id, attempts.c.inspection_id, inspections.c.enterprise_id,
                          inspections.c.local_date, workers.c.role_code)
                   .join(inspections, inspections.c.id == attempts.c.inspection_id)
                   .join(workers, workers.c.id == attempts.c.worker_id)
                   .where(attempts.c.public_token == bindparam("token"), attempts.c.status == "in_progress"))
    ids = bindparam("ids", expanding=True)
    versions_query = select(versions.c.id, versions.c.stem, versions.c.explanation,
                            *(versions.c[name] for name in SCORED)).where(versions.c.id.in_(ids))
    topics_query = select(t["question_version_topics"].c.version_id, t["question_version_topics"].c.topic_id) \
        .where(t["question_version_topics"].c.version_id.in_(ids))
    basis, sources = t["question_basis"], t["legal_sources"]
    basis_query = (select(basis.c.version_id, sources.c.short_name, sources.c.name, basis.c.article)
                   .join(sources, sources.c.id == basis.c.source_id).where(basis.c.version_id.in_(ids))
                   .order_by(basis.c.version_id, basis.c.position))
    audit = t["audit_events"]
    head_query = select(audit.c.position, audit.c.hash).order_by(audit.c.position.desc()).limit(1)

    @app.get("/ready")
    def ready():
        return jsonify({"ready": True})

    @app.post("/submit")
    def submit():
        payload = request.get_json()
        with engine.begin() as connection:
            row_id = connection.execute(insert(submissions).values(body=json.dumps(payload, ensure_ascii=False))) \
                .inserted_primary_key[0]
        return jsonify({"id": row_id, "items": len(payload.get("responses", []))})

    @app.post("/attempts/<token>/submit")
    def score(token: str):
        payload = request.get_json()
        responses, now = payload["responses"], datetime.now(UTC)
        with engine.begin() as connection:
            paper = connection.execute(paper_query, {"token": token}).first()
            if paper is None:
                abort(404)
            version_ids = [item["version_id"] for item in paper.paper_items]
            found = {row.id: row for row in connection.execute(versions_query, {"ids": version_ids})}
            contents = [{name: getattr(found[version_id], name) for name in SCORED} for version_id in version_ids]
            result = score_paper(contents, [_bank_letters(item, response) for item, response
                                            in zip(paper.paper_items, responses, strict=True)],
                                 paper.blueprint["pass_mark"], paper.blueprint["multiple_rule"])
            fractions = [item.fraction for item in result.items]
            digest = hashlib.sha256(json.dumps(responses, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
            connection.execute(update(attempts).where(attempts.c.id == paper.id).values(
                responses=responses, submission_id=payload["submission_id"], submission_hash=digest,
                item_scores=fractions, score=result.score, passed=result.passed, submitted_at=now, status="final"))
            answered = {"attempt_id": paper.id, "enterprise_id": paper.enterprise_id, "worker_id": paper.worker_id,
                        "role_code": paper.role_code, "answered_on": paper.local_date}
            connection.execute(insert(t["attempt_items"]), [
                {**answered, "position": position, "question_id": item["question_id"],
                 "version_id": item["version_id"], "type": item["type"], "fraction": fraction}
                for position, (item, fraction) in enumerate(zip(paper.paper_items, fractions, strict=True))])
            sums: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
            fraction_of = dict(zip(version_ids, fractions, strict=True))
            for version_id, topic_id in connection.execute(topics_query, {"ids": version_ids}):
                sums[topic_id][0] += 1
                sums[topic_id][1] += fraction_of[version_id]
            connection.execute(tally, [
                {"enterprise_id": paper.enterprise_id, "role_code": paper.role_code, "topic_id": topic_id,
                 "month": paper.local_date.replace(day=1), "answers": answers, "points": points}
                for topic_id, (answers, points) in sorted(sums.items())])
            if not result.passed:
                connection.execute(insert(t["findings"]).values(
                    inspection_id=paper.inspection_id, worker_id=paper.worker_id, attempt_id=paper.id,
                    kind="failed_exam", detail="", basis=[{"source": "work-safety-law", "article": "28"}],
                    due_on=paper.local_date + timedelta(days=30), public_token=os.urandom(16).hex(), created_at=now,
                    rectification_note="", verification_note=""))
            if engine.dialect.name == "postgresql":  # writers queue at the chain's head, as the app's do
                connection.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
            head = connection.execute(head_query).first()
            position, previous = (head.position + 1, head.hash) if head else (1, "0" * 64)
            entry = {"position": position, "occurred_at": now.isoformat(), "actor_id": None,
                     "actor_label": "bare", "action": "update", "table_name": "attempts", "row_id": str(paper.id),
                     "before": {"status": "in_progress"}, "after": {"status": "final", "score": result.score},
                     "reason": ""}
            canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            connection.execute(insert(audit).values(
                **{**entry, "occurred_at": now}, previous_hash=previous,
                hash=hashlib.sha256(previous.encode() + canonical.encode()).hexdigest()))
            cited = defaultdict(list)
            for version_id, short_name, name, article in connection.execute(basis_query, {"ids": version_ids}):
                cited[version_id].append(f"《{short_name or name}》{article}")
        return jsonify({"score": result.score, "passed": result.passed, "items": [
            {"fraction": fraction, "stem": found[version_id].stem, "explanation": found[version_id].explanation,
             "answer": found[version_id].answer, "basis": cited[version_id]}
            for version_id, fraction in zip(version_ids, fractions, strict=True)]})

    return app
