"""The `flask wg` commands: seed, demo, create-user, grant, revoke."""

import sys
import time

import click
from flask.cli import with_appcontext

from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db


@click.group("wg")
def wg_cli():
    """Coalition tracker commands."""


def _fail(message):
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@wg_cli.command("seed")
@with_appcontext
def seed_command():
    """Load the real coalition structure (idempotent)."""
    from wg.data.seed import seed_initiatives, seed_structure

    added = seed_structure()
    added += seed_initiatives(utcnow())
    db.session.commit()
    click.echo(f"Coalition structure: {added} rows added" if added
               else "Coalition structure already present; nothing to add.")


@wg_cli.command("demo")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="1 is about the real coalition (1,600 people); 10 is ten times that.")
@click.option("--seed", "random_seed", type=int, default=2024, show_default=True)
@click.option("--logins/--no-logins", default=True,
              help="List the demo logins at the end (`make run` lists them last itself).")
@with_appcontext
def demo_command(scale, random_seed, logins):
    """Add believable demo people, roles and activity (once)."""
    from wg.data import demo
    from wg.data.seed import seed_structure

    if scale <= 0 or scale > 100:
        _fail("--scale must be above 0 and at most 100.")
    lift_statement_timeout()
    seed_structure()
    if demo.demo_already_loaded():
        click.echo("Demo data is already loaded; nothing to add.")
        db.session.commit()
        return
    started = time.monotonic()
    with click.progressbar(length=demo.demo_size(scale), label="Generating demo data",
                           file=sys.stderr) as bar:
        stats = demo.load_demo(scale, now=utcnow(), seed=random_seed, progress=bar.update)
    from wg.search.index import reindex

    reindex(db.session)  # the demo's bulk inserts bypass the ORM events
    db.session.commit()
    analyze_after_bulk_load()
    took = time.monotonic() - started
    click.echo(", ".join(f"{v:,} {k}" for k, v in stats.items()) + f" in {took:.1f} s")
    if logins:
        print_demo_logins()


def lift_statement_timeout():
    """PostgreSQL: no statement timeout for the rest of this command's transaction.

    The app's connections give up on a statement after DATABASE_STATEMENT_TIMEOUT (30 s, for
    web requests); bulk statements of maintenance commands (the search index of nine million
    progress entries at scale 100, its GIN index, the rollup recount) run longer."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SET LOCAL statement_timeout = 0"))


def analyze_after_bulk_load():
    """Give PostgreSQL's planner statistics for the tables the demo just filled.

    Autovacuum may be off (or not yet have run): without statistics the planner guesses row
    counts, and a deployment's first pages after `wg demo` are planned blind (one dashboard
    query went 219 -> 161 ms after ANALYZE). SQLite needs nothing here.
    """
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SET statement_timeout = 0"))  # minutes at scale 100
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("RESET statement_timeout"))  # the connection returns to the pool


def print_demo_logins():
    from wg.data.demo import DEMO_LOGINS, DEMO_PASSWORD

    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, _, _, role in DEMO_LOGINS:
        click.echo(f"  {email:<26} {name} — {role}")


@wg_cli.command("demo-logins")
def demo_logins_command():
    """Print the demo accounts."""
    print_demo_logins()


@wg_cli.command("is-empty")
@with_appcontext
def is_empty_command():
    """Exit 0 when the database has no people yet (used by `make run`)."""
    from sqlalchemy import select

    from wg.auth.models import Person

    sys.exit(0 if db.session.scalar(select(Person.id).limit(1)) is None else 1)


@wg_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--participant", "participant_code", required=True,
              help="Country (ISO alpha-3, e.g. MEX) or organization code (e.g. UNODC).")
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--language", default="en", show_default=True)
@click.option("--coordinator", is_flag=True, help="Make the person a coordinator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email, name, participant_code, timezone, language, coordinator,
                        password_stdin):
    """Create a person with a password."""
    from wg.auth import services as auth

    participant = auth.find_participant(participant_code)
    if participant is None:
        _fail(f"unknown participant {participant_code!r}; run `flask wg seed` or add it first.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        person = auth.create_person(name=name, email=email, participant=participant,
                                    timezone=timezone, language=language,
                                    is_coordinator=coordinator, password=password, now=utcnow())
    except ValidationError as exc:
        _fail("; ".join(exc.errors.values()))
    db.session.commit()
    click.echo(f"Created {person.email}" + (" (coordinator)" if coordinator else ""))


def _person_group_role(email, group_code, role_name):
    from wg.auth import services as auth

    person = auth.find_person_by_email(email)
    if person is None:
        _fail(f"no person with e-mail {email!r}.")
    group = auth.find_group(group_code)
    if group is None:
        _fail(f"no group with code {group_code!r} (for example SWG1.1 or WG2).")
    try:
        role = auth.parse_role(role_name)
    except ValidationError as exc:
        _fail(exc.errors["role"])
    return person, group, role


@wg_cli.command("grant")
@click.argument("email")
@click.argument("group_code", metavar="GROUP")
@click.argument("role_name", metavar="ROLE")
@with_appcontext
def grant_command(email, group_code, role_name):
    """Give EMAIL the ROLE (member, chair, lead) in GROUP (e.g. SWG1.1)."""
    from wg.auth import services as auth

    person, group, role = _person_group_role(email, group_code, role_name)
    try:
        _, created = auth.grant_role(person, group, role)
    except ValidationError as exc:
        _fail("; ".join(exc.errors.values()))
    db.session.commit()
    click.echo(f"{person.email} is {role.value} of {group.code}"
               + ("" if created else " (already was)"))


@wg_cli.command("revoke")
@click.argument("email")
@click.argument("group_code", metavar="GROUP")
@click.argument("role_name", metavar="ROLE")
@with_appcontext
def revoke_command(email, group_code, role_name):
    """Take the ROLE in GROUP away from EMAIL."""
    from wg.auth import services as auth

    person, group, role = _person_group_role(email, group_code, role_name)
    if not auth.revoke_role(person, group, role):
        _fail(f"{person.email} is not {role.value} of {group.code}.")
    db.session.commit()
    click.echo(f"{person.email} is no longer {role.value} of {group.code}")


@wg_cli.command("scheduler")
@click.option("--ready-file", type=click.Path(dir_okay=False), default=None,
              help="Create this file once the jobs are scheduled (`make run` waits for it).")
def scheduler_command(ready_file):
    """Run the scheduler process (reminders, digests, outbox delivery) until stopped."""
    from pathlib import Path

    from flask import current_app

    from wg.notify.scheduler import run_forever

    run_forever(current_app._get_current_object(),
                on_ready=(lambda: Path(ready_file).touch()) if ready_file else None)


@wg_cli.command("catch-up")
@with_appcontext
def catch_up_command():
    """Run every scheduled job that is due now, once, and print one summary line."""
    from flask import current_app

    from wg.notify.scheduler import catch_up

    app = current_app._get_current_object()
    queued, failed = catch_up(app)
    where = ("sent by the scheduler" if app.config.get("SMTP_HOST")
             else "kept in the outbox: no SMTP_HOST")
    click.echo(f"outbox: {queued:,} messages queued by the scheduled jobs ({where})")
    if failed:
        _fail(f"jobs failed: {', '.join(failed)}; see the log")


@wg_cli.command("run-job")
@click.argument("name")
def run_job_command(name):
    """Run one scheduled job once, now (for operators and tests)."""
    from flask import current_app

    from wg.notify.scheduler import job_list, run_job

    app = current_app._get_current_object()
    jobs = {j.name: j for j in job_list(app.config)}
    if name not in jobs:
        _fail(f"unknown job {name!r}; jobs: {', '.join(sorted(jobs))}")
    result = run_job(app, jobs[name])
    if result is None:
        _fail(f"job {name} failed; see the log")
    click.echo(f"{name}: " + (", ".join(f"{k}: {v}" for k, v in result.items()) or "done"))


@wg_cli.command("search-reindex")
@with_appcontext
def search_reindex_command():
    """Rebuild the whole search index from the records."""
    from wg.search.index import reindex

    lift_statement_timeout()
    count = reindex(db.session)
    db.session.commit()
    click.echo(f"Search index rebuilt: {count:,} records.")


@wg_cli.command("rebuild-rollups")
@with_appcontext
def rebuild_rollups_command():
    """Recount the kept rollup summaries from actions and progress logs."""
    from wg.rollups import summary

    lift_statement_timeout()
    counts = summary.rebuild()
    db.session.commit()
    click.echo("Rollups rebuilt: " + ", ".join(f"{v:,} {k} rows" for k, v in counts.items()))


@wg_cli.command("check-rollups")
@with_appcontext
def check_rollups_command():
    """Compare the kept rollup summaries with a recount; exit 1 and list any difference."""
    from wg.rollups import summary

    lift_statement_timeout()
    differences = summary.check()
    db.session.rollback()
    if differences:
        for line in differences:
            click.echo(line)
        click.echo(f"{len(differences)} difference(s); run `flask wg rebuild-rollups` to repair.",
                   err=True)
        sys.exit(1)
    click.echo("rollups match")


@wg_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write a consistent backup of the database to PATH (0600); safe while the app runs."""
    from flask import current_app

    from wg.backup import BackupError, backup

    try:
        written = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"Backup written to {written}")


@wg_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database's contents with the backup at PATH."""
    from flask import current_app

    from wg.backup import BackupError, restore

    if not yes:
        click.confirm("This replaces every row in the database with the backup. Continue?",
                      abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        _fail(str(exc))
    db.engine.dispose()
    click.echo(f"Database restored from {path}")
