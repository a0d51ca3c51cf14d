"""Accounts: creating people, passwords, set-password links and roles."""

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from wg import i18n
from wg.auth.models import Person, RememberToken
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups import counts
from wg.groups.models import Group, Membership, Role
from wg.history import services as history
from wg.participants.models import Participant

log = logging.getLogger(__name__)

# The six official UN languages, each named in its own script; the coalition's mail goes out in
# the person's language. None means the person never chose: pages follow their browser.
LANGUAGES = list(i18n.LANGUAGES.items())
LANGUAGE_CODES = set(i18n.LANGUAGES) | {None}
MIN_PASSWORD_LENGTH = 10
NAME_MAX = 200
EMAIL_MAX = 254
_TIMEZONES = None


def all_timezones():
    """Every IANA zone name known to tzdata, sorted (computed once)."""
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = sorted(
            z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
        ) + ["UTC"]
    return _TIMEZONES


def is_valid_timezone(name):
    return bool(name) and name in set(all_timezones())


def normalize_email(email):
    """Lower-case and trim; e-mail addresses are unique regardless of case."""
    return (email or "").strip().lower()


def check_email(email):
    """Return the normalized address or raise ValidationError for the `email` field."""
    email = normalize_email(email)
    if not email:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    if len(email) > EMAIL_MAX:
        raise ValidationError({"email": _("An e-mail address has at most %(num)d characters.",
                                                 num=EMAIL_MAX)})
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError({"email": _("This is not a valid e-mail address (%(reason)s).",
                                                 reason=str(exc))}) from None
    return email


def find_person_by_email(email):
    return db.session.scalar(select(Person).where(Person.email == normalize_email(email)))


def find_participant(code):
    code = (code or "").strip().upper()
    if not code:
        return None
    return db.session.scalar(select(Participant).where(func.upper(Participant.code) == code))


def hash_password(password):
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def check_password_rules(password, field="password"):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError({field: _("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)})
    if len(password) > 200:
        raise ValidationError({field: _("Use at most %(num)d characters.", num=200)})


def validate_person_fields(name, email, participant, timezone, language, person=None):
    language = language or None
    """Check a person's editable fields together; raise one ValidationError naming each."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("A name has at most %(num)d characters.", num=NAME_MAX)
    try:
        email = check_email(email)
        other = find_person_by_email(email)
        if other is not None and other is not person:
            errors["email"] = _("Someone already has this e-mail address.")
    except ValidationError as exc:
        errors.update(exc.errors)
    if participant is None:
        errors["participant"] = _("Choose a known country or organization.")
    if not is_valid_timezone(timezone):
        errors["timezone"] = _("Choose a time zone from the list (for example Europe/Vienna).")
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose one of the offered languages.")
    if errors:
        raise ValidationError(errors)
    return name, email, language


# The fields a person's history records (replay contract: see wg/history).
PERSON_FIELDS = ("name", "email", "participant_id", "timezone", "language", "is_coordinator",
                 "is_active_account")


def _record_person(actor, person, verb, changes, now, reason=None):
    history.record(actor, "person", person.id, verb, changes, now=now or utcnow(),
                   label=person.name, reason=reason, version=person.version)


def _change_person(actor, person, verb, values, now, expected_version=None, reason=None):
    """Set `values` on the person after a version check; bump the version and write history
    when anything changed. Returns whether anything did."""
    history.check_version("person", person, expected_version)
    before = history.snapshot(person, PERSON_FIELDS)
    for field, value in values.items():
        setattr(person, field, value)
    db.session.flush()
    changes = history.diff(before, history.snapshot(person, PERSON_FIELDS))
    if not changes:
        return False
    person.version = (person.version or 1) + 1
    db.session.flush()
    if "name" in changes:
        from wg import stamps

        stamps.bump("people")  # lists that show names keep them under this token
    _record_person(actor, person, verb, changes, now, reason)
    return True


def create_person(
    *, name, email, participant, timezone=None, language=None, is_coordinator=False,
    password=None, now, actor=None,
):
    """Create an account. Without a password the person sets one from an e-mailed link.

    Without a time zone, a person of a country with a single zone gets that zone; others get
    UTC until they choose (their profile then offers their browser's zone)."""
    if not timezone:
        from wg.meetings.timezones import single_zone

        timezone = single_zone(participant) or "UTC"
    name, email, language = validate_person_fields(name, email, participant, timezone, language)
    if password is not None:
        check_password_rules(password)
    person = Person(
        name=name,
        email=email,
        participant=participant,
        timezone=timezone,
        language=language,
        is_coordinator=is_coordinator,
        password_hash=hash_password(password) if password else None,
        created_at=now,
        version=1,
    )
    db.session.add(person)
    db.session.flush()
    counts.apply_change(None, counts.state_of(person.id))
    _record_person(actor, person, "created",
                   history.created(history.snapshot(person, PERSON_FIELDS)), now)
    return person


def update_person(person, *, name, email, participant, timezone, language, is_coordinator=None,
                  actor=None, now=None, expected_version=None):
    """A coordinator edits a person's details (and, when given, the coordinator flag).

    Version-checked against the form's version (history.StaleEdit); a coordinator cannot
    take away their own coordinator role.
    """
    name, email, language = validate_person_fields(name, email, participant, timezone, language,
                                                   person)
    if (is_coordinator is not None and actor is not None and actor.id == person.id
            and person.is_coordinator and not is_coordinator):
        raise ValidationError({"is_coordinator": _("You cannot remove your own coordinator role.")})
    values = dict(name=name, email=email, participant_id=participant.id, timezone=timezone,
                  language=language)
    if is_coordinator is not None:
        values["is_coordinator"] = bool(is_coordinator)
    before = counts.state_of(person.id)
    _change_person(actor, person, "updated", values, now, expected_version)
    counts.apply_change(before, counts.state_of(person.id))
    db.session.expire(person, ["participant"])
    return person


def update_preferences(person, *, timezone, language, actor=None, now=None,
                       expected_version=None):
    """A person's own settings: time zone and language."""
    errors = {}
    if not is_valid_timezone(timezone):
        errors["timezone"] = _("Choose a time zone from the list (for example Europe/Vienna).")
    language = language or None
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose one of the offered languages.")
    if errors:
        raise ValidationError(errors)
    _change_person(actor if actor is not None else person, person, "preferences_changed",
                   dict(timezone=timezone, language=language), now, expected_version)


def zone_unchosen(person):
    """True while a person is on the default zone (UTC) and nobody ever chose one for them:
    only then may the browser's zone be offered or taken. Choosing UTC counts as a choice."""
    from wg.history.models import HistoryEntry

    if person is None or getattr(person, "id", None) is None or person.timezone != "UTC":
        return False
    chosen = db.session.scalar(select(HistoryEntry.id).where(
        HistoryEntry.object_type == "person", HistoryEntry.object_id == person.id,
        HistoryEntry.verb != "created", HistoryEntry.changes.contains('"timezone"')).limit(1))
    return chosen is None


def adopt_browser_zone(person, zone_name, now):
    """At log-in, a person whose zone nobody chose takes the zone their browser reports; a zone
    anyone chose (UTC included) is never replaced. Returns whether the zone changed (the change
    is in the person's history, as their own)."""
    if not zone_name or zone_name == "UTC" or not is_valid_timezone(zone_name):
        return False
    if not zone_unchosen(person):
        return False
    _change_person(person, person, "preferences_changed", dict(timezone=zone_name), now)
    return True


def set_password(person, password):
    check_password_rules(password)
    person.password_hash = hash_password(password)
    end_sessions(person)
    db.session.flush()


# Sessions: a login is valid while its generation is the person's current one.


def end_sessions(person):
    """Log the person out everywhere: every session and remember-me token stops working.

    (The caller logs the current browser in again when it should stay logged in.)
    """
    person.session_generation = (person.session_generation or 0) + 1
    db.session.execute(delete(RememberToken).where(RememberToken.person_id == person.id))
    db.session.flush()


def person_for_session_id(value):
    """The person a session's user id ("id:generation") names, if still current and active."""
    try:
        person_id, generation = (int(part) for part in str(value).split(":"))
    except (TypeError, ValueError):
        return None
    if not 0 < person_id <= 2**31 - 1:
        return None
    person = db.session.get(Person, person_id)
    if person is None or (person.session_generation or 0) != generation:
        return None
    return person


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_remember_token(person, now, days=30):
    """A new random remember-me token; only its SHA-256 is stored, with an expiry."""
    token = secrets.token_urlsafe(32)
    db.session.add(RememberToken(person_id=person.id, token_hash=_token_hash(token),
                                 generation=person.session_generation or 0, created_at=now,
                                 expires_at=now + timedelta(days=days)))
    db.session.flush()
    return token


def person_for_remember_token(token, now):
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    row = db.session.scalar(select(RememberToken).where(
        RememberToken.token_hash == _token_hash(token)))
    if row is None or row.expires_at <= now:
        return None
    person = db.session.get(Person, row.person_id)
    if person is None or not person.is_active_account or \
            (person.session_generation or 0) != row.generation:
        return None
    return person


def revoke_remember_token(token):
    if token and isinstance(token, str):
        db.session.execute(delete(RememberToken).where(
            RememberToken.token_hash == _token_hash(token)))
        db.session.flush()


def change_password(person, current, new):
    """Changing one's own password requires the current one."""
    if not person.password_hash or not check_password_hash(person.password_hash, current or ""):
        raise ValidationError({"current_password": _("This is not your current password.")})
    set_password(person, new)


_DUMMY_HASH = None


def authenticate(email, password, now):
    """The person for these credentials, or None; inactive people never authenticate.

    A wrong e-mail costs the same hashing work as a wrong password, so timing does not
    reveal which addresses exist.
    """
    global _DUMMY_HASH
    person = find_person_by_email(email)
    if person is None or not person.password_hash:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(person.password_hash, password or ""):
        return None
    if not person.is_active_account:
        return None
    person.last_login_at = now
    return person


def set_active(person, active, actor=None, now=None, expected_version=None):
    """Activate or deactivate an account (deactivated people cannot log in; their sessions
    end)."""
    before = counts.state_of(person.id)
    _change_person(actor, person, "activated" if active else "deactivated",
                   dict(is_active_account=bool(active)), now, expected_version)
    counts.apply_change(before, counts.state_of(person.id))
    end_sessions(person)
    db.session.flush()


# Set-password links: signed, expiring, and single use because the signature covers
# the current password hash, which changes as soon as the link is used.

_TOKEN_SALT = "wg.set-password"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def _hash_fingerprint(person):
    return (person.password_hash or "none")[-16:]


def make_password_token(person):
    return _serializer().dumps({"p": person.id, "h": _hash_fingerprint(person)})


def person_for_password_token(token):
    """The person a set-password link is for; ValidationError when tampered, used or expired."""
    max_age = current_app.config.get("PASSWORD_TOKEN_MAX_AGE", 48 * 3600)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(_("This link has expired. Ask for a new one below.")) from None
    except BadSignature:
        raise ValidationError(_("This link is not valid. Ask for a new one below.")) from None
    person = db.session.get(Person, data.get("p")) if isinstance(data, dict) else None
    if person is None or data.get("h") != _hash_fingerprint(person):
        raise ValidationError(_("This link has already been used. Ask for a new one below."))
    if not person.is_active_account:
        raise ValidationError(_("This account is deactivated. Contact the secretariat."))
    return person


# Set-password links are secrets: the outbox stores the message with this placeholder and the
# signed link is made only when the e-mail is built for delivery (wg.notify.mail.build_email).
PASSWORD_LINK_PLACEHOLDER = "[link sent by e-mail, not shown]"


def password_link(person_id, base_url):
    """The signed set-password link for a queued welcome/reset message, made at delivery."""
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None or not person.is_active_account:
        return None
    return f"{base_url}/set-password/{make_password_token(person)}"


def send_password_link(person, *, now, base_url, welcome=False):
    """Queue the set-password (welcome) or reset message for the person (link not stored)."""
    import json

    from flask import render_template
    from flask_babel import gettext

    from wg.notify.services import enqueue

    kind = "welcome" if welcome else "password-reset"
    with i18n.language(person.language):
        body = render_template(f"notify/email/{kind}.txt", person=person,
                               link=PASSWORD_LINK_PLACEHOLDER)
        subject = (gettext("Welcome to the coalition tracker") if welcome
                   else gettext("Reset your password"))
    fingerprint = hashlib.sha256(_hash_fingerprint(person).encode()).hexdigest()[:12]
    message = enqueue(
        key=f"{kind}:{person.id}:{fingerprint}:{now:%Y%m%d%H%M%S%f}",
        kind=kind,
        recipient=person.email,
        subject=subject,
        body_text=body,
        now=now,
    )
    message.extras = json.dumps({"headers": {}, "attachments": [],
                                 "password_link": {"person": person.id, "base_url": base_url}})
    db.session.flush()
    return message


def request_password_reset(email, *, now, base_url):
    """Send a reset link if the address belongs to an active person; say nothing otherwise.

    Both answers do the same work (render, queue in a savepoint, flush), so the response time
    does not tell whether an address has an account: for an unknown or inactive address the
    savepoint is rolled back and nothing is kept.
    """
    person = find_person_by_email(email)
    real = person is not None and person.is_active_account
    target = person if person is not None else Person(
        id=0, name="", email=normalize_email(email), password_hash=None)
    savepoint = db.session.begin_nested()
    message = send_password_link(target, now=now, base_url=base_url)
    if real:
        savepoint.commit()
        return message
    savepoint.rollback()
    log.info("password reset asked for an unknown or inactive address")
    return None


# Roles


def find_group(code):
    code = (code or "").strip()
    return db.session.scalar(select(Group).where(func.upper(Group.code) == code.upper()))


def parse_role(value):
    try:
        return Role((value or "").strip().lower())
    except ValueError:
        raise ValidationError(
            {"role": _("Unknown role %(value)s: use member, chair or lead.", value=repr(value))}
        ) from None


def _record_role(actor, membership, person, group, role, verb, now):
    values = {"person_id": person.id, "group_id": group.id, "role": role.value}
    changes = history.created(values) if verb == "granted" else history.deleted(values)
    history.record(actor, "membership", membership.id, verb, changes, now=now or utcnow(),
                   label=f"{person.name}: {role.value} of {group.code}",
                   parent=("person", person.id), group_id=group.id)


def grant_role(person, group, role, actor=None, now=None):
    """Give a role in a group; leads lead working groups only; retired groups take no one.
    Granting twice is harmless."""
    if not group.is_active:
        raise ValidationError({"group": _("%(code)s is retired: it takes no new members or roles. "
                                          "Restore it first if it is active again.",
                                          code=group.code)})
    if role is Role.lead and group.parent_id is not None:
        raise ValidationError(
            {"role": _("Leads lead a working group (line of effort); %(code)s is a sub-group.",
                        code=group.code)}
        )
    existing = db.session.scalar(
        select(Membership).where(
            Membership.person_id == person.id,
            Membership.group_id == group.id,
            Membership.role == role,
        )
    )
    if existing:
        return existing, False
    before = counts.state_of(person.id)
    membership = Membership(person=person, group=group, role=role)
    db.session.add(membership)
    end_sessions(person)
    db.session.flush()
    counts.apply_change(before, counts.state_of(person.id))
    _record_role(actor, membership, person, group, role, "granted", now)
    return membership, True


def revoke_role(person, group, role, actor=None, now=None):
    """Take a role away; returns whether there was one to take."""
    existing = db.session.scalar(
        select(Membership).where(
            Membership.person_id == person.id,
            Membership.group_id == group.id,
            Membership.role == role,
        )
    )
    if existing is None:
        return False
    _record_role(actor, existing, person, group, role, "revoked", now)
    before = counts.state_of(person.id)
    db.session.delete(existing)
    end_sessions(person)
    db.session.flush()
    counts.apply_change(before, counts.state_of(person.id))
    return True


def safe_next_url(target):
    """Only same-site relative paths may be redirect targets (no open redirects).

    Browsers drop tabs/newlines and treat a backslash like a slash, so "/\t/evil.example" and
    "/\\evil.example" lead off-site: anything with control characters, whitespace, a scheme, a
    host or a leading "//" is refused.
    """
    if not target or not isinstance(target, str):
        return None
    if re.search(r"[\x00-\x20\x7f\\]", target) or not target.startswith("/"):
        return None
    if target.startswith("//") or target.startswith("/\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
