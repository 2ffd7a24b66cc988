"""The enterprise form: the 统一社会信用代码 is checked with its check character."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from quizapp.forms.bank import CheckboxListField
from quizapp.models.enterprise import credit_code_problem


class EnterpriseForm(FlaskForm):
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), Length(max=18)],
                              filters=[lambda value: value.strip().upper() if value else value])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    county = StringField(_l("County or district"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    industry_codes = CheckboxListField(_l("Industries of the enterprise"))

    def validate_credit_code(self, field) -> None:
        problem = credit_code_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
