"""The form that makes practice quizzes: for whom, on which topics, how long."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import UUID, DataRequired

from quizapp.exam.practice import LENGTHS
from quizapp.forms.bank import CheckboxListField


class PracticeForm(FlaskForm):
    """The staff and topic choices are set by the view from the roster and the taxonomy; no topic means all."""

    client_id = HiddenField(validators=[DataRequired(), UUID()])
    workers = CheckboxListField(_l("Staff"), validators=[DataRequired(message=_l("Choose at least one person."))])
    topics = CheckboxListField(_l("Topics (none ticked: all topics)"))
    length = SelectField(_l("Number of questions"), choices=[SelectChoice(length, str(length)) for length in LENGTHS],
                         coerce=int, default=10)
