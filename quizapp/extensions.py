"""Flask extensions, created unbound here and bound to an app in ``create_app``."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _signed_in_account() -> str:
    return f"account:{current_user.get_id()}"


def _anonymous() -> bool:
    return not current_user.is_authenticated


# Every request counts against its address (QUIZAPP_RATE_LIMIT, generous: an inspection team's tablets may share
# one), and every POST of a signed-in user against the account too (QUIZAPP_ACCOUNT_WRITE_LIMIT), wherever it comes
# from. Each is one budget across all routes; the login form adds its own tighter limits.
limiter = Limiter(key_func=get_remote_address, application_limits=[
    ApplicationLimit(limit_provider=lambda: current_app.config["QUIZAPP_RATE_LIMIT"], scope="address"),
    ApplicationLimit(limit_provider=lambda: current_app.config["QUIZAPP_ACCOUNT_WRITE_LIMIT"], scope="account-writes",
                     key_function=_signed_in_account, methods=["POST"], exempt_when=_anonymous),
])


@limiter.request_filter
def _static_file() -> bool:
    """Style sheets and scripts never use up a visitor's budget: a page would otherwise cost three requests."""
    return request.endpoint == "static"
