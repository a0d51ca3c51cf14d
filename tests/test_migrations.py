"""The schema comes only from the migrations, and the models agree with them."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from wg import ROOT, create_app
from wg.config import TestConfig
from wg.extensions import db


def test_single_head():
    script = ScriptDirectory(os.path.join(ROOT, "migrations"))
    assert len(script.get_heads()) == 1


def test_models_match_migrations(app):
    with app.app_context():
        with db.engine.connect() as conn:
            from wg.search.index import alembic_include_object

            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": alembic_include_object})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.fixture()
def fresh_database_url(database_url, tmp_path):
    """An empty database of the same kind as the suite's: a new file or a new schema."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in database_url else "?"
    yield f"{database_url}{sep}options=-csearch_path%3D{schema}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_upgrade_downgrade_upgrade_from_empty(fresh_database_url):
    app = create_app(TestConfig(fresh_database_url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"people", "participants", "groups", "memberships", "outbox_messages"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "people" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            return
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_api_idempotency_answers_move_into_the_one_table_and_back(fresh_database_url):
    """0014: the API's stored answers join the forms' keys (and go back on downgrade)."""
    app = create_app(TestConfig(fresh_database_url))
    with app.app_context():
        upgrade(revision="0013_webhooks")
        # An engine of its own: its connections surely use the fresh schema.
        engine = create_engine(fresh_database_url)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO participants (id, code, name, kind) "
                "VALUES (1, 'MEX', 'Mexico', 'country')"))
            conn.execute(text(
                "INSERT INTO people (id, email, name, participant_id, calendar_token, "
                "created_at) VALUES (1, 'a@example.org', 'A', 1, 'cal-token', "
                "'2026-03-10 12:00:00+00')"))
            conn.execute(text(
                "INSERT INTO idempotency_keys (key, person_id, scope, created_at, result_ref) "
                "VALUES ('formkey-123456', 1, 'actions.progress', '2026-03-10 12:00:00+00', "
                "'progress_log:1')"))
            conn.execute(text(
                "INSERT INTO api_idempotency_keys (person_id, key, scope, request_hash, "
                "status_code, body, headers, created_at) VALUES (1, 'sync-1', "
                "'POST /api/v1/x', 'h', 201, '{}', '{}', '2026-03-10 12:00:00+00')"))
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, status_code, result_ref FROM "
                                     "idempotency_keys ORDER BY key")).all()
        assert [tuple(r) for r in rows] == [("formkey-123456", None, "progress_log:1"),
                                            ("sync-1", 201, "")]
        assert "api_idempotency_keys" not in inspect(engine).get_table_names()
        downgrade(revision="0013_webhooks")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT key FROM idempotency_keys")).scalars().all() == [
                "formkey-123456"]
            assert conn.execute(text("SELECT status_code FROM api_idempotency_keys")) \
                .scalars().all() == [201]
        engine.dispose()
        db.engine.dispose()
