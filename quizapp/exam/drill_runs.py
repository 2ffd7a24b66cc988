"""Running a simulated drill (模拟演练) during an inspection, and scoring it.

How a drill is scored (in the spirit of AQ/T 9009-2015 《生产安全事故应急演练评估规范》 and
GB/T 46792-2025, which evaluate a drill by whether each planned action was carried out correctly and in
time, and each phase as a whole):

* Each step's result is the latest mark the evaluator gave it: performed (done), performed after its
  target time (late — a "done" tapped after the target time counts as late too), performed wrongly
  (wrong), or not performed (missed). A step never marked by the end was not seen, so it is missed.
  Credit: done 1, late 0.5, wrong 0.25, missed 0. Critical steps weigh twice as much as others.
* Each phase is rated as in HSEEP's exercise evaluation guides: P performed without challenges (1),
  S some challenges (0.75), M major challenges (0.4), U unable to be performed (0). An unrated phase
  counts as S: the evaluator saw it but gave no rating.
* Score = 100 × (0.7 × weighted step credit + 0.3 × mean phase rating), one decimal.
* Verdict: a missed critical step fails the drill whatever the score; otherwise it passes at
  ``PASS_MARK``. No standard fixes a number; 60 is this application's setting.

Deficiencies (a critical step missed or done wrongly; a failed drill) become findings on the
inspection with a rectification due date (预案管理办法 33: drills by plan and at intervals).
Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.problems import msg
from quizapp.exam.attempts import AttemptConflict, AttemptError
from quizapp.exam.inspections import local_today
from quizapp.exam.once import insert_or_stored
from quizapp.models import DrillTemplateVersion, Finding, Inspection, User, Worker
from quizapp.models.base import utcnow
from quizapp.models.drill_run import DrillRun, DrillStepMark

STEP_CREDIT = {"done": 1.0, "late": 0.5, "wrong": 0.25, "missed": 0.0}
PHASE_CREDIT = {"P": 1.0, "S": 0.75, "M": 0.4, "U": 0.0}
UNRATED_PHASE = "S"
CRITICAL_WEIGHT = 2
STEP_SHARE = 0.7
PASS_MARK = 60
NOTE_LENGTH = 500
DEFICIENCY_BASIS = [{"source": "emergency-plan-rules", "article": "33"}]
SCORING_METHOD = ("评分方法：每个步骤按评估人员最后一次标记计分——完成1分、超时0.5分（目标用时后才点“完成”也按超时计）、"
                  "错误0.25分、漏做或未记录0分，关键步骤权重为2；每个阶段按P/S/M/U评定为1、0.75、0.4、0分，未评定按S计。"
                  "总分=100×(0.7×步骤得分率+0.3×阶段平均分)。任一关键步骤漏做即判定不合格，否则60分及以上为合格。")
"""The method above, printed on the evaluation record."""
NOT_HELD_BASIS = [{"source": "work-safety-law", "article": "97(六)"},
                  {"source": "emergency-plan-rules", "article": "33"}]


class DrillError(AttemptError):
    """A drill request the run's or inspection's state does not allow (the view answers 4xx)."""


class DrillConflict(AttemptConflict):
    """The same client UUID came with different content (HTTP 409)."""


@dataclass(frozen=True)
class StepResult:
    phase: int
    step: int
    action: str
    critical: bool
    mark: str  # effective: a "done" after the target time is "late"
    elapsed_seconds: float | None
    note: str


@dataclass(frozen=True)
class DrillScore:
    score: float
    passed: bool
    steps: tuple[StepResult, ...]

    @property
    def deficiencies(self) -> list[StepResult]:
        return [step for step in self.steps if step.critical and step.mark in ("missed", "wrong")]


def _latest_marks(run: DrillRun) -> dict[tuple[int, int], DrillStepMark]:
    latest: dict[tuple[int, int], DrillStepMark] = {}
    for mark in sorted(run.marks, key=lambda m: m.id):  # in the order the server received them
        latest[(mark.phase, mark.step)] = mark
    return latest


def step_results(content: dict[str, Any], run: DrillRun) -> list[StepResult]:
    latest = _latest_marks(run)
    results = []
    for phase_index, phase in enumerate(content["phases"]):
        for step_index, step in enumerate(phase["steps"]):
            mark = latest.get((phase_index, step_index))
            effective = mark.mark if mark else "missed"
            if effective == "done" and mark.elapsed_seconds is not None and step.get("target_seconds") \
                    and mark.elapsed_seconds > step["target_seconds"]:
                effective = "late"
            results.append(StepResult(phase_index, step_index, step["action"], bool(step["critical"]), effective,
                                      mark.elapsed_seconds if mark else None, mark.note if mark else ""))
    return results


def score_drill(content: dict[str, Any], run: DrillRun) -> DrillScore:
    """The score and verdict by the method in this module's note."""
    steps = step_results(content, run)
    weights = [CRITICAL_WEIGHT if step.critical else 1 for step in steps]
    step_credit = sum(w * STEP_CREDIT[step.mark] for w, step in zip(weights, steps, strict=True)) / sum(weights)
    ratings = [PHASE_CREDIT[run.phase_ratings.get(str(index), UNRATED_PHASE)]
               for index in range(len(content["phases"]))]
    score = round(100 * (STEP_SHARE * step_credit + (1 - STEP_SHARE) * sum(ratings) / len(ratings)), 1)
    missed_critical = any(step.critical and step.mark == "missed" for step in steps)
    return DrillScore(score, score >= PASS_MARK and not missed_critical, tuple(steps))


def start_run(session: Session, *, client_id: str, inspection: Inspection, template: DrillTemplateVersion,
              examiner: User, participants: list[Worker]) -> DrillRun:
    """Register a drill and its participants; the same client id again, even at the same time, returns that run."""
    existing = _registered(session, client_id, inspection, template)
    if existing is not None:
        return existing
    if inspection.status != "open":
        raise DrillError(msg("the inspection is closed"))
    if any(worker.enterprise_id != inspection.enterprise_id for worker in participants):
        raise DrillError(msg("the worker does not belong to the inspected enterprise"))
    run = DrillRun(client_id=client_id, inspection=inspection, template_version=template, examiner_id=examiner.id,
                   participants=participants, phase_ratings={})
    return insert_or_stored(session, run, lambda: _registered(session, client_id, inspection, template))


def _registered(session: Session, client_id: str, inspection: Inspection,
                template: DrillTemplateVersion) -> DrillRun | None:
    existing = session.scalar(select(DrillRun).where(DrillRun.client_id == client_id))
    if existing is not None and (existing.inspection_id, existing.template_version_id) != (inspection.id, template.id):
        raise DrillConflict(msg("this request id was already used for another drill"))
    return existing


def _running(run: DrillRun) -> None:
    if run.status != "running":
        raise DrillError(msg("the drill is finished"))
    if run.inspection.status != "open":
        raise DrillError(msg("the inspection is closed"))


def start_clock(session: Session, run: DrillRun, *, device_time: datetime | None, now: datetime | None = None) -> None:
    """The big start button: the server's time and the tablet's are both kept; pressing it again changes nothing."""
    _running(run)
    if run.started_at is None:
        run.started_at, run.device_started_at = now or utcnow(), device_time
        session.flush()


def mark_step(session: Session, run: DrillRun, *, client_id: str, phase: int, step: int, mark: str, note: str = "",
              elapsed_seconds: float | None = None, device_time: datetime | None = None,
              now: datetime | None = None) -> DrillStepMark:
    """Keep one step mark as it happens; the same client id again (a retry, even a concurrent one) changes nothing."""
    sent = {"run_id": run.id, "phase": phase, "step": step, "mark": mark, "note": note.strip()}
    existing = _marked(session, client_id, sent)
    if existing is not None:
        return existing
    _running(run)
    phases = run.content["phases"]
    if not (0 <= phase < len(phases) and 0 <= step < len(phases[phase]["steps"])):
        raise DrillError(msg("the drill has no such step"))
    if mark not in STEP_CREDIT or len(sent["note"]) > NOTE_LENGTH:
        raise DrillError(msg("a step is marked done, late, wrong or missed, with a short note"))
    if elapsed_seconds is not None and not 0 <= elapsed_seconds < 86_400:
        raise DrillError(msg("the elapsed time is out of range"))
    # By run_id, not run=: the mark joins run.marks only once stored, so a lost race leaves no stray mark there.
    row = DrillStepMark(client_id=client_id, run_id=run.id, phase=phase, step=step, mark=mark, note=sent["note"],
                        elapsed_seconds=elapsed_seconds, device_time=device_time, server_time=now or utcnow())
    row = insert_or_stored(session, row, lambda: _marked(session, client_id, sent))
    session.expire(run, ["marks"])
    return row


def _marked(session: Session, client_id: str, sent: dict[str, Any]) -> DrillStepMark | None:
    existing = session.scalar(select(DrillStepMark).where(DrillStepMark.client_id == client_id))
    if existing is not None and {key: getattr(existing, key) for key in sent} != sent:
        raise DrillConflict(msg("this request id was already used for another mark"))
    return existing


def rate_phase(session: Session, run: DrillRun, phase: int, rating: str) -> None:
    _running(run)
    if rating not in PHASE_CREDIT or not 0 <= phase < len(run.content["phases"]):
        raise DrillError(msg("a phase is rated P, S, M or U"))
    run.phase_ratings = {**run.phase_ratings, str(phase): rating}
    session.flush()


def finish_run(session: Session, run: DrillRun, *, rectify_days: int = 30, now: datetime | None = None) -> DrillScore:
    """Score the drill, record its deficiencies as findings and close it; finishing twice changes nothing."""
    result = score_drill(run.content, run)
    if run.status == "finished":
        return result
    _running(run)
    now = now or utcnow()
    due = local_today(now) + timedelta(days=rectify_days)
    steps = {(s.phase, s.step): s for s in result.deficiencies}
    for (phase, step), found in steps.items():
        session.add(Finding(inspection_id=run.inspection_id, drill_run_id=run.id, kind=f"drill_step_{found.mark}",
                            detail=f"{run.content['title']}：{phase + 1}.{step + 1} {found.action}",
                            basis=DEFICIENCY_BASIS, due_on=due))
    if not result.passed:
        session.add(Finding(inspection_id=run.inspection_id, drill_run_id=run.id, kind="drill_failed",
                            detail=f"{run.content['title']}：{result.score:.1f}", basis=DEFICIENCY_BASIS, due_on=due))
    run.score, run.passed, run.status, run.finished_at = result.score, result.passed, "finished", now
    session.flush()
    return result


def record_drills_not_held(session: Session, inspection: Inspection, *, rectify_days: int = 30,
                           now: datetime | None = None) -> Finding:
    """The enterprise has not held its drills (安法 97(六)); recording it twice keeps one finding."""
    existing = session.scalar(select(Finding).where(Finding.inspection_id == inspection.id,
                                                    Finding.kind == "drills_not_held"))
    if existing is not None:
        return existing
    if inspection.status != "open":
        raise DrillError(msg("the inspection is closed"))
    finding = Finding(inspection_id=inspection.id, kind="drills_not_held", basis=NOT_HELD_BASIS,
                      due_on=local_today(now or utcnow()) + timedelta(days=rectify_days))
    session.add(finding)
    session.flush()
    return finding
