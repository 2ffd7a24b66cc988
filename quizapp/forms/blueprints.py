"""The blueprint (组卷方案) editor: items per question type, pass mark, scoring rule, time and topics."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, IntegerField, RadioField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from quizapp.bank.types import QUESTION_TYPES
from quizapp.exam.blueprint import EMPHASIS_WEIGHT, Blueprint
from quizapp.forms.bank import CheckboxListField
from quizapp.web.i18n import TYPE_LABELS

MAX_ITEMS_PER_TYPE = 30
MAX_TIME_LIMIT_MINUTES = 120
DIFFICULTY_CHOICES = [SelectChoice(level, str(level)) for level in range(1, 6)]
MULTIPLE_RULE_LABELS = {  # the rules of quizapp.exam.scoring.MULTIPLE_RULES
    "half_for_subset": _l("Fewer right options: half marks; any wrong option: none"),
    "all_or_nothing": _l("Marks only when all options chosen are exactly right"),
}


class ItemCountsForm(FlaskForm):
    """How many items of each type in the bank's type registry; a field per type is added below."""

    class Meta:
        csrf = False  # a part of BlueprintForm, whose token covers it

    def validate(self, extra_validators=None) -> bool:
        """Each count on its own, then the paper as a whole: it must ask something."""
        if not super().validate(extra_validators):
            return False
        if not any(self.data.values()):
            self.form_errors.append(_("A paper needs at least one item."))
            return False
        return True


for _type_code in QUESTION_TYPES:
    setattr(ItemCountsForm, _type_code, IntegerField(TYPE_LABELS[_type_code], validators=[
        InputRequired(), NumberRange(0, MAX_ITEMS_PER_TYPE)]))


class BlueprintForm(FlaskForm):
    """The settings of one role's blueprint.

    Topics are weighted by ticking the ones to emphasise (weight ``EMPHASIS_WEIGHT``) rather than typing
    a weight for each: one tap per topic on a tablet, and "which topics matter more" is the decision an
    admin actually makes. A stored weight above 1 shows as ticked.
    """

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    item_counts = FormField(ItemCountsForm, label=_l("Items per question type"))
    pass_mark = IntegerField(_l("Pass mark (out of 100)"), validators=[InputRequired(), NumberRange(0, 100)])
    multiple_rule = RadioField(_l("Scoring of multiple-choice items"), validators=[InputRequired()],
                               choices=[SelectChoice(rule, label) for rule, label in MULTIPLE_RULE_LABELS.items()])
    time_limit_minutes = IntegerField(_l("Time limit (minutes)"),
                                      validators=[InputRequired(), NumberRange(1, MAX_TIME_LIMIT_MINUTES)])
    difficulty_min = SelectField(_l("Lowest difficulty"), coerce=int, choices=DIFFICULTY_CHOICES)
    difficulty_max = SelectField(_l("Highest difficulty"), coerce=int, choices=DIFFICULTY_CHOICES)
    emphasised_topics = CheckboxListField(_l("Emphasised topics"), description=_l(
        "An emphasised topic gets %(times)d times the share of items of any other topic.", times=EMPHASIS_WEIGHT))

    def validate_difficulty_max(self, field: SelectField) -> None:
        if field.errors or self.difficulty_min.errors:  # a level that is not one already has its message
            return
        if field.data < self.difficulty_min.data:
            raise ValidationError(_("The highest difficulty cannot be below the lowest."))

    @classmethod
    def for_blueprint(cls, blueprint: Blueprint, topics: list[tuple[str, str]]) -> BlueprintForm:
        """The form filled from ``blueprint`` (unless a submission is being read); ``topics`` are (code, name)."""
        low, high = blueprint.difficulty
        form = cls(data={
            "name": blueprint.name,
            "item_counts": {kind: blueprint.items.get(kind, 0) for kind in QUESTION_TYPES},
            "pass_mark": blueprint.pass_mark,
            "multiple_rule": blueprint.multiple_rule,
            "time_limit_minutes": blueprint.time_limit_minutes,
            "difficulty_min": low,
            "difficulty_max": high,
            "emphasised_topics": [code for code, weight in blueprint.topic_weights.items() if weight > 1],
        })
        form.emphasised_topics.choices = [SelectChoice(code, name) for code, name in topics]
        return form

    def blueprint(self) -> Blueprint:
        """The submitted settings as a Blueprint; types with no items are left out."""
        return Blueprint(
            name=self.name.data.strip(),
            items={kind: count for kind, count in self.item_counts.data.items() if count},
            pass_mark=self.pass_mark.data,
            multiple_rule=self.multiple_rule.data,
            time_limit_minutes=self.time_limit_minutes.data,
            difficulty=(self.difficulty_min.data, self.difficulty_max.data),
            topic_weights=dict.fromkeys(self.emphasised_topics.data, EMPHASIS_WEIGHT),
        )
