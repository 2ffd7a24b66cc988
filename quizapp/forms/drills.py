"""The drill template editor: the template as the text of its bank file."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from quizapp.bank.problems import Problem
from quizapp.web.i18n import translate_message

MAX_TEXT = 50_000


class DrillTemplateForm(FlaskForm):
    """One textarea in the bank's drill format, so that an admin edits exactly what a file holds and the
    file's validator checks it; its problems are shown with their line numbers."""

    text = TextAreaField(_l("Template (YAML, in the format of question_bank/drills/)"),
                         validators=[DataRequired(), Length(max=MAX_TEXT)])

    def attach_problems(self, problems: list[Problem]) -> None:
        self.text.errors = [
            _("Line %(line)d: %(message)s", line=problem.line, message=translate_message(problem.message))
            for problem in sorted(problems)
        ]
