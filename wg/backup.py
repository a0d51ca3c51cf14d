"""Backups: `flask wg backup PATH` and `flask wg restore PATH`.

SQLite: the online backup API (a consistent copy while the app keeps serving and writing),
restored with the same API into the live file (never a raw file copy over an open database).
PostgreSQL: pg_dump -Fc, restored with pg_restore --clean --if-exists.
Backup files are created owner-only (0600): they hold every person's data.
"""

import os
import sqlite3
import subprocess

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def _private_file(path):
    """Create (or truncate) path with mode 0600 before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_path(url):
    database = url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _libpq(url):
    """The SQLAlchemy URL as a libpq connection string (pg_dump does not know +psycopg)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_env(url):
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


def backup(database_url, path):
    url = make_url(database_url)
    path = os.path.abspath(path)
    tmp = path + ".partial"
    _private_file(tmp)
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            result = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "-f", tmp, "--dbname", _libpq(url.set(password=None))],
                env=_pg_env(url), capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def restore(database_url, path):
    url = make_url(database_url)
    if not os.path.isfile(path):
        raise BackupError(f"no backup file at {path}")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the backup file is damaged: {check}")
            target = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                source.backup(target)  # page by page under SQLite's own locks
            finally:
                target.close()
        finally:
            source.close()
    elif url.get_backend_name() == "postgresql":
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", _libpq(url.set(password=None)), path],
            env=_pg_env(url), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")
