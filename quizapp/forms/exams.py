"""Forms of the exam screens, and reading a paper's answers from a submitted form.

A paper's inputs are named by the item's position: ``q3`` (a choice or ✓/✗), ``q3_b0`` (a blank),
``q3_points`` / ``q3_mark`` / ``q3_note`` (an oral item), ``q3_s0`` (a practical step). Letters are the
ones shown, in the paper's option order; scoring maps them back.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, IntegerField, PasswordField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import UUID, DataRequired, Length, NumberRange

from quizapp.exam.scoring import NOTE_LENGTH, ORAL_MARKS, STEP_MARKS, ScoringError
from quizapp.exam.sheets import MAX_BATCH

MODE_LABELS = {"tablet": _l("On the tablet"), "oral": _l("Asked aloud"), "paper": _l("On paper")}
ORAL_MARK_LABELS = {"correct": _l("Right"), "partial": _l("Partly"), "wrong": _l("Wrong"),
                    "prompted": _l("Needed a prompt")}
STEP_MARK_LABELS = {"done": _l("Done"), "out_of_order": _l("Out of order"), "missed": _l("Missed")}


class StartExamForm(FlaskForm):
    """Start a worker's paper; the client id makes a repeated tap start the same paper."""

    worker = HiddenField(validators=[DataRequired(), Length(max=64)])
    client_id = HiddenField(validators=[DataRequired(), UUID()])
    mode = SelectField(_l("How the worker answers"),
                       choices=[SelectChoice(code, label) for code, label in MODE_LABELS.items()])
    allow_short = HiddenField()


class AnswersForm(FlaskForm):
    """The CSRF token and the submission's client id; the answers themselves are read by ``answers_from``."""

    submission_id = HiddenField(validators=[DataRequired(), UUID()])


class UnlockForm(FlaskForm):
    password = PasswordField(_l("Inspector's password"), validators=[DataRequired(), Length(max=256)])


class PrintSheetsForm(FlaskForm):
    """Paper sheets for one role; the role's choices are the taxonomy's, set by the view."""

    role = SelectField(_l("Role"))
    count = IntegerField(_l("Number of papers"), default=10, validators=[NumberRange(1, MAX_BATCH)])


class SheetEntryForm(AnswersForm):
    """A sheet's answers, and whose sheet it is when it was printed before the visit."""

    worker = SelectField(_l("Whose sheet is it?"), validators=[DataRequired()])


class CorrectionForm(FlaskForm):
    client_id = HiddenField(validators=[DataRequired(), UUID()])
    reason = TextAreaField(_l("Why the result is corrected"), validators=[DataRequired(), Length(max=500)])


def _choice(form: MultiDict, name: str) -> Any:
    return form.get(name) or None


def _choices(form: MultiDict, name: str) -> Any:
    return sorted(form.getlist(name)) or None


def _judge(form: MultiDict, name: str) -> Any:
    value = form.get(name)
    if value in (None, ""):
        return None
    if value not in ("true", "false"):
        raise ScoringError(f"{name}: a judge answer is true or false")
    return value == "true"


def _fill(form: MultiDict, name: str, item: dict[str, Any]) -> Any:
    blanks = [form.get(f"{name}_b{number}", "").strip() for number in range(item["blanks"])]
    return blanks if any(blanks) else None


def _oral(form: MultiDict, name: str, item: dict[str, Any]) -> Any:
    """Key points ticked; a quick mark of 答对 ticks them all and 答错 none, whatever boxes were left."""
    mark = form.get(f"{name}_mark", "")
    note = form.get(f"{name}_note", "").strip()
    try:
        points = sorted({int(point) for point in form.getlist(f"{name}_points")})
    except ValueError as error:
        raise ScoringError(f"{name}: key points are numbers") from error
    if mark not in ("", *ORAL_MARKS) or len(note) > NOTE_LENGTH:
        raise ScoringError(f"{name}: unknown quick mark or an over-long note")
    if mark == "correct":
        points = list(range(len(item["key_points"])))
    elif mark == "wrong":
        points = []
    if not mark and not points and not note:
        return None
    return {"points": points, "mark": mark, "note": note}


def _practical(form: MultiDict, name: str, item: dict[str, Any]) -> Any:
    """Each step's mark; a step left unmarked counts as missed once any step is marked."""
    marks = [form.get(f"{name}_s{number}", "") for number in range(len(item["steps"]))]
    if not any(marks):
        return None
    if any(mark not in ("", *STEP_MARKS) for mark in marks):
        raise ScoringError(f"{name}: unknown step mark")
    return {"steps": [mark or "missed" for mark in marks]}


READERS = {
    "single": lambda form, name, item: _choice(form, name),
    "multiple": lambda form, name, item: _choices(form, name),
    "judge": lambda form, name, item: _judge(form, name),
    "fill": _fill,
    "oral": _oral,
    "practical": _practical,
}


def answers_from(form: MultiDict, paper_items: list[dict[str, Any]], part: list[int]) -> dict[int, Any]:
    """The answers for the items in ``part`` (positions in the paper), ``None`` for those left blank."""
    return {index: READERS[paper_items[index]["type"]](form, f"q{index}", paper_items[index]) for index in part}
