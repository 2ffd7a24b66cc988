"""Forms of the bank pages: the filter bar, the question editor and the file upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.bank import cells
from quizapp.bank.problems import Problem
from quizapp.bank.search import QuestionFilters
from quizapp.bank.validate import RawQuestion
from quizapp.models import Question
from quizapp.web.i18n import translate_message


def filters_from_args(args: MultiDict) -> QuestionFilters:
    """Read the list page's filter bar from the query string; bad values are ignored, not errors."""
    difficulty = args.get("difficulty", "")
    return QuestionFilters(
        role=args.get("role", ""), industry=args.get("industry", ""), topic=args.get("topic", ""),
        type=args.get("type", ""), status=args.get("status", ""), text=args.get("q", "").strip()[:100],
        difficulty=int(difficulty) if difficulty in {"1", "2", "3", "4", "5"} else None,
    )


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes: easier to tap on a tablet than a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UploadForm(FlaskForm):
    file = FileField(_l("Question file (.yaml, .xlsx, .gift)"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Check only, do not import"))


class QuestionEditForm(FlaskForm):
    """The editor for one question. Fields hold the same text syntax as spreadsheet cells (bank.cells);
    the bank validator checks the result and its problems are shown under the fields they concern."""

    stem = TextAreaField(_l("Stem"), validators=[DataRequired(), Length(max=4000)])
    options = TextAreaField(_l("Options (one per line, lettered A, B, C … in order)"))
    answer = TextAreaField(_l("Answer"))
    key_points = TextAreaField(
        _l("Key points (one per line, the weight in brackets at the end, e.g. 说出主要危险（2）)"))
    steps = TextAreaField(_l("Steps (one per line; start a critical step with ★)"))
    explanation = TextAreaField(_l("Explanation"), validators=[DataRequired(), Length(max=4000)])
    basis = TextAreaField(_l("Legal basis (one per line: the source, a space, the article, e.g. 安全生产法 28)"),
                          validators=[DataRequired()])
    roles = CheckboxListField(_l("Roles"))
    industries = CheckboxListField(_l("Industries"))
    topics = CheckboxListField(_l("Topics"))
    difficulty = SelectField(_l("Difficulty"), choices=[SelectChoice(str(n)) for n in range(1, 6)])
    status = SelectField(_l("Status"), choices=[SelectChoice("active", _l("Active")),
                                                SelectChoice("retired", _l("Retired"))])

    @classmethod
    def for_question(cls, question: Question, choices: dict[str, list]) -> QuestionEditForm:
        """The form filled from the question's current version (unless a submission is being read)."""
        version = question.current_version
        short_names = {b.source.code: b.source.short_name for b in version.basis}
        form = cls(data={
            "stem": version.stem,
            "options": "\n".join(version.options or []),
            "answer": cells.format_answer(version.type, version.answer),
            "key_points": cells.format_key_points(version.key_points or []),
            "steps": cells.format_steps(version.steps or []),
            "explanation": version.explanation,
            "basis": cells.format_basis([{"source": b.source.code, "article": b.article} for b in version.basis],
                                        short_names),
            "roles": [t.code for t in version.roles],
            "industries": [t.code for t in version.industries],
            "topics": [t.code for t in version.topics],
            "difficulty": str(version.difficulty),
            "status": question.status,
        })
        for name, pairs in choices.items():
            getattr(form, name).choices = [SelectChoice(code, label) for code, label in pairs]
        form.question_type = version.type
        return form

    def raw_question(self, question: Question) -> RawQuestion:
        """The submission as a RawQuestion for the bank validator; ``file`` names the form."""
        kind = self.question_type
        data = {
            "id": question.code, "type": kind, "stem": self.stem.data,
            "explanation": self.explanation.data, "basis": cells.parse_basis(self.basis.data or ""),
            "roles": self.roles.data, "industries": self.industries.data, "topics": self.topics.data,
            "difficulty": self.difficulty.data, "status": self.status.data,
        }
        if kind in ("single", "multiple"):
            data["options"] = [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]
        if kind in ("single", "multiple", "judge", "fill"):
            data["answer"] = cells.parse_answer(kind, self.answer.data or "")
        if kind == "oral":
            data["key_points"] = cells.parse_key_points(self.key_points.data or "")
        if kind == "practical":
            data["steps"] = cells.parse_steps(self.steps.data or "")
        return RawQuestion(file="form", line=0, data=data)

    def attach_problems(self, problems: list[Problem]) -> None:
        """Show each validator problem under the field it concerns (or the form's top if none fits)."""
        for problem in problems:
            field = getattr(self, problem.field or "", None)
            target = field.errors if field is not None and hasattr(field, "errors") else self.form_errors
            if isinstance(target, tuple):
                field.errors = target = list(target)
            target.append(translate_message(problem.message))
