"""Fixtures: one app per test session on a real database built by the migrations.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL names another one, such as
the local PostgreSQL. Every test starts with empty tables.
"""

import os
import re
import tempfile
import threading
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from wg import create_app
from wg.config import TestConfig, normalize_database_url
from wg.extensions import db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

# The two-node test brings its own PostgreSQL database: it runs in the SQLite pass only, so the
# suite's two passes run it once.
collect_ignore = ["test_two_nodes.py"] if os.environ.get("TEST_DATABASE_URL") else []


def pytest_collection_modifyitems(config, items):
    """Tests marked `once` check what does not depend on the database (page markup in the
    browser, accessibility, translations, the bench harness on its own SQLite file): the SQLite
    pass runs them, the PostgreSQL pass leaves them out (`make test` runs both passes)."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    once = [item for item in items if item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("once")]


def _database_url(tmp_root):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{os.path.join(tmp_root, 'test.sqlite3')}"


def reset_postgres_schema(url, schema="public"):
    """Drop everything so the migrations start from an empty database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="wg-tests-") as path:
        yield path


@pytest.fixture(scope="session")
def database_url(tmp_root):
    url = _database_url(tmp_root)
    if url.startswith("postgresql"):
        reset_postgres_schema(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(TestConfig(database_url))
    with app.app_context():
        upgrade()
    return app


def empty_tables():
    """Empty every table (inside an app context), as a fresh database has them."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _empty_postgres(conn, tables)
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


_SUPERUSER = {}


def _superuser(conn):
    if "on" not in _SUPERUSER:
        _SUPERUSER["on"] = conn.execute(text("SELECT current_setting('is_superuser')")).scalar()
    return _SUPERUSER["on"] == "on"


def _empty_postgres(conn, tables):
    """PostgreSQL: the tables a test wrote to (found in one statement) are emptied with DELETE,
    triggers off for this transaction (the history table's append-only trigger, the foreign
    keys: every written table is emptied), and every sequence that moved starts again at 1:
    what TRUNCATE ... RESTART IDENTITY of all tables gives, without its cost of new files for
    ~45 tables and their indexes after each test (100 ms to seconds on a busy machine)."""
    used = [name for (name,) in conn.execute(text(" UNION ALL ".join(
        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)))]
    if used and _superuser(conn):
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in used:
            conn.execute(text(f'DELETE FROM "{table}"'))
    elif used:  # a role that may not turn triggers off: TRUNCATE, of the written tables only
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in used) + " CASCADE"))
    conn.execute(text(
        "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
        "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        empty_tables()


@pytest.fixture()
def ctx(app):
    """An application context with a clean session, for service-level tests."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def now():
    return NOW


@pytest.fixture()
def client(app):
    return app.test_client()


class CSRFClient:
    """Submits forms the way a browser does: fetch the page, keep its CSRF token, post."""

    TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'name="csrf_token" value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def token(self, path="/login"):
        html = self.client.get(path).get_data(as_text=True)
        match = self.TOKEN_RE.search(html)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def post(self, path, data=None, form_page=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(form_page or path))
        return self.client.post(path, data=data, **kwargs)

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)


@pytest.fixture()
def web(client):
    return CSRFClient(client)


@pytest.fixture()
def login(web):
    """login(email_or_person, password=...) logs the test client in through the real form."""

    def _login(person, password="correct-horse-battery"):
        email = person if isinstance(person, str) else person.email
        response = web.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return web

    return _login


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on loopback, for the browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


from tests.browser import browser, page  # noqa: E402,F401  (shared browser fixtures)
from tests.smtp import smtp_server  # noqa: E402,F401  (real SMTP server on loopback)
