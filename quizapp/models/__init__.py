"""All models, imported here so that Alembic's autogenerate sees every table."""

from quizapp.models.attempt import Attempt, AttemptItem, Finding, TopicTally
from quizapp.models.audit import AuditEvent
from quizapp.models.blueprint import BlueprintSetting
from quizapp.models.drill import DrillTemplate, DrillTemplateVersion
from quizapp.models.drill_run import DrillRun, DrillStepMark
from quizapp.models.enterprise import Certificate, Enterprise, Worker
from quizapp.models.inspection import Inspection, TeamMember
from quizapp.models.practice import PracticeQuiz
from quizapp.models.question import Question, QuestionBasis, QuestionVersion
from quizapp.models.sheet import PaperSheet
from quizapp.models.taxonomy import Industry, LegalSource, Role, SpecialOperationCategory, Topic
from quizapp.models.user import User

__all__ = [
    "Attempt",
    "AttemptItem",
    "AuditEvent",
    "BlueprintSetting",
    "Certificate",
    "DrillRun",
    "DrillStepMark",
    "DrillTemplate",
    "DrillTemplateVersion",
    "Enterprise",
    "Finding",
    "Industry",
    "Inspection",
    "LegalSource",
    "PaperSheet",
    "PracticeQuiz",
    "Question",
    "QuestionBasis",
    "QuestionVersion",
    "Role",
    "SpecialOperationCategory",
    "TeamMember",
    "Topic",
    "TopicTally",
    "User",
    "Worker",
]
