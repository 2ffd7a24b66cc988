"""Forms for running a drill: which template, who takes part."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import UUID, DataRequired

from quizapp.forms.bank import CheckboxListField

PHASE_RATING_LABELS = {"P": _l("P · performed"), "S": _l("S · some difficulties"), "M": _l("M · major difficulties"),
                       "U": _l("U · unable")}
STEP_MARK_LABELS = {"done": _l("Done"), "late": _l("Late"), "wrong": _l("Done wrongly"), "missed": _l("Missed")}


class StartDrillForm(FlaskForm):
    """The template's and participants' choices are set by the view from the bank and the roster."""

    client_id = HiddenField(validators=[DataRequired(), UUID()])
    template = RadioField(_l("Drill"), validators=[DataRequired()])
    participants = CheckboxListField(_l("Participants"))
