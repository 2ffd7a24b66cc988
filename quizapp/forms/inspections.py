from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

KIND_LABELS = {"routine": _l("Routine"), "assistance": _l("Assistance"), "covert": _l("Unannounced"),
               "follow-up": _l("Follow-up")}


CERTIFICATE_STATE_LABELS = {"valid": _l("valid"), "review_due_soon": _l("review due soon"),
                            "review_overdue": _l("review overdue"), "expired": _l("expired")}

FINDING_LABELS = {"failed_exam": _l("Failed the exam: re-exam due"),
                  "certificate_missing": _l("Special operation without a certificate"),
                  "certificate_expired": _l("Special-operation certificate expired"),
                  "certificate_review_overdue": _l("Special-operation certificate not reviewed in time"),
                  "drill_step_missed": _l("Critical drill step missed"),
                  "drill_step_wrong": _l("Critical drill step done wrongly"),
                  "drill_failed": _l("Drill failed"),
                  "drills_not_held": _l("Emergency drills not held as required")}


class CheckInForm(FlaskForm):
    kind = SelectField(_l("Kind of inspection"),
                       choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()])


class CloseForm(FlaskForm):
    """Closing is a POST with a CSRF token."""
