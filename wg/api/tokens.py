"""Personal access tokens: create (shown once), revoke, and authenticate a Bearer header."""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from wg.api.models import ApiToken
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history

TOKEN_PREFIX = "wgp_"
SCOPES = ("read", "read write")
EXPIRY_DAYS = (30, 90, 365)
# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(person, actor, name, scopes, expires_in_days, now):
    """Create a token for `person`; returns (token row, the secret shown once).

    Only the hash is stored. Scopes are "read" or "read write"; expiry 30, 90 or 365 days
    (None: never).
    """
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, e.g. the system that will use it.")
    elif len(name) > 100:
        errors["name"] = _("The name is too long (at most %(num)d characters).", num=100)
    if scopes not in SCOPES:
        errors["scopes"] = _("Choose read, or read and write.")
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        errors["expires_in_days"] = _("Choose an expiry from the list.")
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, scopes=scopes, token_hash=hash_token(raw),
                     prefix=raw[:12], created_at=now,
                     expires_at=now + timedelta(days=expires_in_days) if expires_in_days
                     else None)
    db.session.add(token)
    db.session.flush()
    history.record(actor, "api_token", token.id, "token_created",
                   history.created({"name": name, "prefix": token.prefix, "scopes": scopes,
                                    "expires_at": token.expires_at}), now=now,
                   label=f"{person.name}: {name}", parent=("person", person.id))
    return token, raw


def revoke_token(token, actor, now):
    """Revoke a token (its owner or a coordinator); a revoked token never authenticates again."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    db.session.flush()
    history.record(actor, "api_token", token.id, "token_revoked",
                   {"revoked_at": [None, history.json_value(now)]}, now=now,
                   label=f"{token.person.name if token.person else ''}: {token.name}",
                   parent=("person", token.person_id))
    return token


def tokens_of(person):
    return db.session.scalars(select(ApiToken).where(ApiToken.person_id == person.id)
                              .order_by(ApiToken.id.desc())).all()


def all_tokens_query():
    """Every token, newest first, with its person (the coordinators' list pages through it)."""
    from sqlalchemy.orm import joinedload

    return select(ApiToken).options(joinedload(ApiToken.person)).order_by(ApiToken.id.desc())


def authenticate(header, now):
    """The usable token named by an Authorization header, or None.

    Unknown, revoked or expired tokens and inactive people never authenticate.
    """
    if not header:
        return None
    scheme, _, raw = header.strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or not token.is_usable(now):
        return None
    person = token.person
    if person is None or not getattr(person, "is_active", True):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return token
