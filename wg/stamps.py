"""Change stamps: a token per scope that every change to what the scope covers sets anew.

A reader that works something out from a scope's data can keep the result under the tokens it
read before it started, and use it again while the tokens are the same: whoever changed the
data, in whichever process or node, set a new token in the same transaction. The token is
random, not a counter, so emptying or restoring the database cannot bring an old token back
(a counter would start again from the numbers it had once).

Scopes: ``group:<id>`` (the group's actions and their rollup summaries, set by
`wg.rollups.summary`), ``people`` (a person's name, set by `wg.auth.services`).
"""

import secrets

from sqlalchemy import BigInteger, String, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from wg.extensions import db


class ChangeStamp(db.Model):
    __tablename__ = "change_stamps"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


def group_scope(group_id):
    return f"group:{group_id}"


_STATEMENTS = {}


def _statement():
    dialect = db.session.get_bind().dialect.name
    stmt = _STATEMENTS.get(dialect)
    if stmt is None:
        table = ChangeStamp.__table__
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
            scope=bindparam("scope"), token=bindparam("token"))
        stmt = _STATEMENTS[dialect] = insert.on_conflict_do_update(
            index_elements=[table.c.scope], set_={"token": insert.excluded.token})
    return stmt


def bump(*scopes):
    """Give each scope a new token, in the caller's transaction (scopes in a fixed order, so
    two writers never wait for each other's rows crosswise)."""
    rows = [{"scope": s, "token": secrets.randbits(62)} for s in sorted(set(scopes))]
    if rows:
        db.session.execute(_statement(), rows)
        from flask import g, has_app_context

        if has_app_context():
            g.pop("wg_stamps", None)


def _all():
    """{scope: token} of every scope (a few dozen rows), read once per web request: the pieces
    of one page share it; bump() and the request's end forget it (register())."""
    from flask import g, has_request_context

    if has_request_context() and "wg_stamps" in g:
        return g.wg_stamps
    found = dict(db.session.execute(select(ChangeStamp.scope, ChangeStamp.token)).all())
    if has_request_context():
        g.wg_stamps = found
    return found


def read(scopes):
    """The scopes' tokens in the order given (None for a scope never changed)."""
    found = _all()
    return tuple(found.get(s) for s in scopes)


def groups():
    """Every group's token, as sorted (scope, token) pairs."""
    return tuple(sorted((s, t) for s, t in _all().items() if s.startswith("group:")))


def register(app):
    @app.teardown_request
    def _forget(exc=None):
        from flask import g

        g.pop("wg_stamps", None)
