"""The enterprise and roster forms (the 统一社会信用代码 is checked with its check character), and xlsx uploads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from quizapp.forms.bank import CheckboxListField
from quizapp.models.enterprise import credit_code_problem
from quizapp.web.i18n import translate_message


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
            raise ValidationError(translate_message(problem))


class WorkerForm(FlaskForm):
    """A person on the roster, with at most one special-operation certificate entered at a time."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    role_code = SelectField(_l("Role"), validators=[DataRequired()])
    post = StringField(_l("Post"), validators=[Optional(), Length(max=100)])
    required_category = SelectField(_l("Certificate the post requires"), validators=[Optional()])
    id_number = StringField(_l("ID-card number (optional; stored only masked)"),
                            validators=[Optional(), Length(max=18)])
    certificate_category = SelectField(_l("Certificate category"), validators=[Optional()])
    certificate_number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=64)])
    certificate_issued_on = DateField(_l("Issued on"), validators=[Optional()])
    certificate_reviewed_on = DateField(_l("Last reviewed on"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """A certificate category needs a number and an issue date (the fields are optional alone)."""
        valid = super().validate(extra_validators)
        if self.certificate_category.data and not (self.certificate_number.data and self.certificate_issued_on.data):
            self.certificate_number.errors = [*self.certificate_number.errors,
                                              _l("A certificate needs its number and issue date.")]
            return False
        return valid

    def certificate(self) -> dict | None:
        if not self.certificate_category.data:
            return None
        return {"category_code": self.certificate_category.data, "number": self.certificate_number.data.strip(),
                "issued_on": self.certificate_issued_on.data, "last_reviewed_on": self.certificate_reviewed_on.data}


class SheetUploadForm(FlaskForm):
    """An Excel workbook of enterprises or of a roster; its cells are checked on import, not here."""

    file = FileField(_l("Excel workbook (.xlsx)"),
                     validators=[FileRequired(), FileAllowed(["xlsx"], _l("Upload an .xlsx file."))])
