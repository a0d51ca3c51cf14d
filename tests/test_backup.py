"""Issue 10 finding 13: backup and restore round trip while the app serves and writes."""

import os
import stat
import threading

from sqlalchemy import func, select

from tests import factories as f
from wg import create_app
from wg.config import TestConfig
from wg.extensions import db
from wg.notify.models import OutboxMessage


def _count(app, prefix):
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.key.like(prefix + "%")))


def _queue(app, key, now):
    from wg.notify import services as notify

    with app.app_context():
        notify.enqueue(key=key, kind="t", recipient="a@example.org", subject="s",
                       body_text="b", now=now)
        db.session.commit()


def test_backup_and_restore_round_trip_while_writing(app, live_server, tmp_path, now):
    import urllib.request

    with app.app_context():
        f.coalition()
    _queue(app, "before-backup", now)
    stop = threading.Event()
    written = []

    def writer():  # the app keeps serving and writing during the backup
        i = 0
        while not stop.is_set():
            _queue(app, f"during-{i}", now)
            urllib.request.urlopen(live_server + "/healthz").read()
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        path = tmp_path / "wg.backup"
        result = app.test_cli_runner().invoke(args=["wg", "backup", str(path)])
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        thread.join()
    assert written, "the writer never ran"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not os.path.exists(str(path) + ".partial")

    during_at_end = _count(app, "during-")
    _queue(app, "after-backup", now)
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.delete().where(
            OutboxMessage.key == "before-backup"))
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["wg", "restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert _count(app, "before-backup") == 1  # deleted after the backup: back again
    assert _count(app, "after-backup") == 0  # written after the backup: gone
    assert _count(app, "during-") <= during_at_end
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(f.Person)) == 6
    # the app keeps working on the restored database
    _queue(app, "after-restore", now)
    assert _count(app, "after-restore") == 1


def test_new_sqlite_database_file_is_private(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    create_app(TestConfig(f"sqlite:///{path}"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_restore_refuses_a_missing_or_damaged_file(app, tmp_path):
    bad = tmp_path / "bad.backup"
    bad.write_bytes(b"not a backup")
    result = app.test_cli_runner().invoke(args=["wg", "restore", "--yes", str(bad)])
    assert result.exit_code != 0


def test_existing_world_readable_files_are_made_private(tmp_path, monkeypatch):
    from wg.config import load_secret_key

    db_path = tmp_path / "old.sqlite3"
    db_path.write_bytes(b"")
    os.chmod(db_path, 0o644)
    create_app(TestConfig(f"sqlite:///{db_path}"))
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600

    monkeypatch.delenv("SECRET_KEY", raising=False)
    key = load_secret_key(str(tmp_path / "instance"))
    key_path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    os.chmod(key_path, 0o644)
    assert load_secret_key(str(tmp_path / "instance")) == key
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
