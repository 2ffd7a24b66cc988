"""Forms of an enterprise's review: reporting a finding rectified, and an inspector's verification of it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from quizapp.exam.rectification import NOTE_LENGTH

RECTIFICATION_LABELS = {"open": _l("To rectify"), "sent_back": _l("Sent back"),
                        "awaiting_verification": _l("Rectified, awaiting verification"), "verified": _l("Verified"),
                        "reexam": _l("Put right by passing a re-exam")}
PERIOD_LABELS = {"month": _l("By month"), "quarter": _l("By quarter")}
RETURN_PAGES = ("review", "inspection")  # where a verification form was sent from, and so where it leads back


class RectificationForm(FlaskForm):
    note = TextAreaField(_l("What was done to put it right"), validators=[DataRequired(), Length(max=NOTE_LENGTH)])
    photo = FileField(_l("Photo (optional; JPG or PNG)"),
                      validators=[FileAllowed(["jpg", "jpeg", "png"], _l("Upload a JPG or PNG photo."))])


class VerificationForm(FlaskForm):
    """Accept the reported work, or send it back (with a note saying what is missing)."""

    note = TextAreaField(_l("Note"), default="", validators=[Length(max=NOTE_LENGTH)])  # "" when left out
    return_to = HiddenField(default="review", validators=[AnyOf(RETURN_PAGES)])
    accept = SubmitField(_l("Accept the rectification"))
    send_back = SubmitField(_l("Send back"))
