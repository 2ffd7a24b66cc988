"""Erasing a worker: an admin ticks that the erasure cannot be undone and says why."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length


class EraseWorkerForm(FlaskForm):
    confirm = BooleanField(_l("I understand that the name, ID-card number and certificates are deleted for good"),
                           validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))])
    reason = TextAreaField(_l("Reason (e.g. the person's written request and its date)"),
                           validators=[DataRequired(message=_l("Give the reason for the erasure.")), Length(max=500)])
