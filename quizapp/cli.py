"""The ``quizapp`` command: Flask's commands (``db`` from Flask-Migrate, ``run``) plus the bank and users."""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from quizapp import create_app
from quizapp.audit_cli import audit
from quizapp.backup import backup_command, restore_command
from quizapp.bank.export import load_specs, load_taxonomy
from quizapp.bank.importer import import_bank
from quizapp.bank.problems import Problem
from quizapp.bank.stats import bank_stats
from quizapp.bank.types import QUESTION_TYPES
from quizapp.bank.validate import Bank, load_bank
from quizapp.demo import DEFAULT_SEED, SCALES, DemoCity, demo_problem, demo_span, finding_counts, table_counts
from quizapp.exam.assemble import ShortageError
from quizapp.exam.blueprint import blueprint_for
from quizapp.exam.enterprise_import import SheetError, import_enterprises, import_roster
from quizapp.exam.sheets import MAX_BATCH, print_batch
from quizapp.extensions import db
from quizapp.models import Enterprise, Role, User
from quizapp.models.base import utcnow
from quizapp.models.user import USER_ROLES
from quizapp.pdf.documents import answer_keys, quiz_sheets
from quizapp.pdf.fonts import FontMissingError, cjk_font
from quizapp.pdf.sheets import answer_key_pdf, quiz_sheets_pdf
from quizapp.web.sheets import sheet_url


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """quizapp: the 逢查必考 knowledge-check system."""


main.add_command(audit)
main.add_command(backup_command)
main.add_command(restore_command)


def _exit_with_problems(problems: list[Problem]) -> NoReturn:
    """Print every problem as file:line: message, then exit 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s) found; nothing was imported.", err=True)
    sys.exit(1)


def _load_or_exit(path: str) -> Bank:
    """Load and check a bank path; exit 1 with every problem if there is any."""
    bank = load_bank(Path(path), db.session)
    if bank.problems:
        _exit_with_problems(bank.problems)
    return bank


@main.group()
def bank() -> None:
    """Validate, import, export and count question-bank files."""


@bank.command("validate")
@click.argument("path", type=click.Path(exists=True))
def bank_validate(path: str) -> None:
    """Check PATH (a bank folder or one question file) and report every problem."""
    bank = _load_or_exit(path)
    types = ", ".join(f"{kind} {count}" for kind, count in bank_stats(bank)["by_type"].items())
    drills = f", {len(bank.drills)} drill(s)" if bank.drills else ""
    click.echo(f"OK: {len(bank.questions)} questions in {len(bank.question_files)} file(s) ({types}){drills}.")


@bank.command("import")
@click.argument("path", type=click.Path(exists=True))
def bank_import(path: str) -> None:
    """Validate PATH, then import it in one transaction; unchanged questions are left untouched."""
    bank = _load_or_exit(path)
    # One transaction: an error before the commit leaves the database as it was.
    if sys.stdout.isatty():
        with click.progressbar(length=len(bank.questions), label="Importing") as bar:
            summary = import_bank(db.session, bank, progress=bar.update)
    else:
        summary = import_bank(db.session, bank)
    db.session.commit()
    click.echo(f"Imported {path}: {summary}.")


@bank.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx", "gift"]), default="yaml",
              show_default=True)
@click.argument("out", type=click.Path())
def bank_export(fmt: str, out: str) -> None:
    """Write the bank in the database to OUT (a folder for yaml, a file for xlsx and gift)."""
    from quizapp.bank import gift, xlsx, yamlformat

    specs, taxonomy = load_specs(db.session), load_taxonomy(db.session)
    target = Path(out)
    if fmt == "yaml":
        yamlformat.write_bank(taxonomy, specs, target)
    else:
        {"xlsx": xlsx.write, "gift": gift.write}[fmt](specs, taxonomy, target)
    click.echo(f"Exported {len(specs)} questions to {target}.")


@bank.command("stats")
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of tables.")
def bank_stats_command(path: str, as_json: bool) -> None:
    """Count the questions in PATH by type, role, industry, topic and difficulty."""
    bank = _load_or_exit(path)
    stats = bank_stats(bank)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    names = {term["code"]: term["name"] for terms in (bank.taxonomy.terms.values() if bank.taxonomy else [])
             for term in terms}
    names.update({code: kind.label for code, kind in QUESTION_TYPES.items()})
    click.echo(f"total {stats['total']} (retired {stats['retired']}), drills {stats['drills']}")
    for key in ("by_type", "by_role", "by_industry", "by_topic", "by_difficulty"):
        click.echo(f"\n{key[3:]}:")
        for code, count in sorted(stats[key].items(), key=lambda item: -item[1]):
            click.echo(f"  {count:>6}  {code:<32} {names.get(code, '')}".rstrip())
    industries = sorted({industry for row in stats["matrix"].values() for industry in row})
    click.echo("\nrole × industry:\n  " + " " * 18 + "".join(f"{i[:10]:>11}" for i in industries))
    for role, row in stats["matrix"].items():
        click.echo(f"  {role:<18}" + "".join(f"{row.get(i, 0):>11}" for i in industries))


@main.group()
def enterprises() -> None:
    """Enterprises under inspection."""


@enterprises.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def enterprises_import(path: str) -> None:
    """Create or update (by credit code) the enterprises in the workbook PATH, in one transaction."""
    try:
        counts = import_enterprises(db.session, Path(path), path)
    except SheetError as error:
        _exit_with_problems(error.problems)
    db.session.commit()
    click.echo(f"Imported {path}: {counts}.")


@main.group()
def workers() -> None:
    """The people on enterprises' rosters."""


@workers.command("import")
@click.option("--enterprise", "credit_code", required=True, help="The enterprise's unified social credit code.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def workers_import(credit_code: str, path: str) -> None:
    """Add the people in the workbook PATH to the enterprise's roster, or update them, in one transaction."""
    enterprise = _enterprise_or_exit(credit_code)
    try:
        counts = import_roster(db.session, enterprise, Path(path), path,
                               hash_key=current_app.config["QUIZAPP_ID_HASH_KEY"].encode())
    except SheetError as error:
        _exit_with_problems(error.problems)
    db.session.commit()
    click.echo(f"Imported {path} into the roster of {enterprise.name}: {counts}.")


def _enterprise_or_exit(credit_code: str) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code.strip().upper()))
    if enterprise is None:
        raise click.ClickException(f"no enterprise with credit code {credit_code!r}")
    return enterprise


@main.group()
def papers() -> None:
    """Paper quiz sheets."""


@papers.command("print")
@click.option("--enterprise", "credit_code", required=True, help="The enterprise's unified social credit code.")
@click.option("--role", required=True, help="The role code the papers are for (see question_bank/taxonomy.yaml).")
@click.option("--count", type=click.IntRange(1, MAX_BATCH), default=10, show_default=True, help="How many papers.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="The quiz sheets PDF.")
@click.option("--answer-key", type=click.Path(dir_okay=False, writable=True), help="Also write the answer key PDF.")
@click.option("--base-url", help="Where the app is served, for the QR codes [default: QUIZAPP_BASE_URL].")
def papers_print(credit_code: str, role: str, count: int, out: str, answer_key: str | None,
                 base_url: str | None) -> None:
    """Draw COUNT different papers for ROLE at the enterprise and print them, each with its QR code."""
    enterprise = _enterprise_or_exit(credit_code)
    if db.session.scalar(select(Role.id).where(Role.code == role)) is None:
        raise click.ClickException(f"no role {role!r} in the taxonomy")
    try:
        font = cjk_font(current_app.config["QUIZAPP_PDF_FONT"])
        sheets = print_batch(db.session, enterprise=enterprise, role=role, count=count,
                             blueprint=blueprint_for(db.session, role))
    except (FontMissingError, ShortageError) as error:
        raise click.ClickException(str(error)) from error
    with current_app.test_request_context(base_url=base_url or current_app.config["QUIZAPP_BASE_URL"]):
        Path(out).write_bytes(quiz_sheets_pdf(quiz_sheets(db.session, sheets, sheet_url), font))
        if answer_key:
            Path(answer_key).write_bytes(answer_key_pdf(answer_keys(db.session, sheets, sheet_url), font))
    db.session.commit()  # only papers that were printed are kept
    click.echo(f"Printed {count} papers for {role} at {enterprise.name} to {out}"
               + (f", answer key to {answer_key}" if answer_key else "") + ".")


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
@click.option("--username", required=True)
@click.option("--enterprise", "credit_code", help="The enterprise's unified social credit code (role enterprise).")
@click.option("--name", "display_name", default="", help="Name shown in the interface.")
@click.option("--if-missing", is_flag=True, help="Do nothing (and print nothing secret) if the user exists.")
def users_create(role: str, username: str, credit_code: str | None, display_name: str, if_missing: bool) -> None:
    """Create a user. The password is read from standard input, or generated and printed once."""
    if db.session.scalar(select(User).where(User.username == username)):
        if if_missing:
            click.echo(f"User {username} already exists.")
            return
        raise click.ClickException(f"user {username!r} already exists")
    enterprise = None
    if role == "enterprise":
        if not credit_code:
            raise click.UsageError("an enterprise user needs --enterprise CODE")
        enterprise = _enterprise_or_exit(credit_code)
    elif credit_code:
        raise click.UsageError("--enterprise is only for role enterprise")
    password = "" if sys.stdin.isatty() else sys.stdin.readline().strip()
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    elif len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user = User(username=username, role=role, enterprise=enterprise, display_name=display_name or username)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} user {username}.")
    if generated:
        click.echo(f"Password (shown once, write it down): {password}")


@main.command("demo")
@click.option("--scale", type=click.Choice(list(SCALES)), default="small", show_default=True,
              help="small: 12 enterprises, in seconds; city: about 360 enterprises, 7,000 workers and a million "
                   "scored answers, in minutes.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="The same seed over the same imported bank makes the same data.")
def demo(scale: str, seed: int) -> None:
    """Fill an empty database with four quarters of plausible inspections in Linyi's counties and districts.

    Enterprises with their rosters and certificates, inspectors in teams, and the current quarter and the three
    before it: inspections with exams drawn and scored by the real engine, drills and findings. The question
    bank must be imported first. A database that already has enterprises is refused, so that demo data never
    mixes with real records. The demo inspectors (demo-<county>-NN, demo-zhidui-NN) share one password,
    printed once.
    """
    problem = demo_problem(db.session)
    if problem:
        raise click.ClickException(problem)
    started = time.perf_counter()
    password = secrets.token_urlsafe(12)
    city = DemoCity(db.session, SCALES[scale], seed=seed, hash_key=current_app.config["QUIZAPP_ID_HASH_KEY"].encode(),
                    password_hash=generate_password_hash(password), now=utcnow())
    inspections = city.plan()
    with click.progressbar(length=inspections, label="Simulating inspections") as bar:
        try:
            city.write(progress=bar.update)
        except ShortageError as error:
            raise click.ClickException(f"the bank cannot fill every paper ({error}); import the whole "
                                       "question_bank/") from error
    db.session.commit()
    first, last = demo_span(city.today)
    click.echo(f"Demo data ({scale}, seed {seed}, {first} to {last}) written in {time.perf_counter() - started:.1f} s:")
    for table, count in table_counts(db.session).items():
        click.echo(f"  {table:<20} {count:>10,}")
    kinds = finding_counts(db.session).most_common()
    click.echo("  findings by kind: " + ", ".join(f"{kind} {count:,}" for kind, count in kinds))
    click.echo(f"Demo inspectors' password (shown once, for demo-lanshan-01 and the others): {password}")
