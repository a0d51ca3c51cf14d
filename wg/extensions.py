"""Extensions, created unbound; create_app() binds them."""

from flask.cli import AppGroup
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData


class LazyMigrate:
    """Flask-Migrate, imported (with Alembic: about 11 MB per process) only when it is used.

    init_app records the arguments. The `flask db ...` commands, migrations/env.py and
    flask_migrate.upgrade() (tests) reach Flask-Migrate through app.extensions["migrate"] or the
    `db` command group: both import it and bind it on first use, so a web worker, which never
    migrates, does not load it.
    """

    def init_app(self, app, db, **kwargs):
        app.extensions["migrate"] = _LazyMigrateConfig(app, db, kwargs)
        commands = _Commands()
        commands.commands.update(app.cli.commands)
        app.cli = commands


class _LazyMigrateConfig:
    """Stands for Flask-Migrate's app.extensions["migrate"] until something reads it."""

    def __init__(self, app, db, kwargs):
        self._app, self._db, self._kwargs = app, db, kwargs

    def __getattr__(self, name):
        from flask_migrate import Migrate

        Migrate(self._app, self._db, **self._kwargs)  # replaces this in app.extensions
        return getattr(self._app.extensions["migrate"], name)


class _Commands(AppGroup):
    """The app's `flask` commands; Flask-Migrate's `db` group is imported when looked up."""

    def get_command(self, ctx, name):
        if name == "db" and name not in self.commands:
            from flask_migrate.cli import db as db_commands

            self.add_command(db_commands, name="db")
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | {"db"})

# Explicit constraint names so that migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
compress = Compress()
