from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests import factories
from wg.auth import services as auth
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Role


def _new(**overrides):
    fields = dict(name="Ana Ruiz", email="Ana.Ruiz@Example.org", participant=factories.participant("MEX"),
                  timezone="America/Mexico_City", language="es")
    fields.update(overrides)
    return fields


def test_create_person_normalizes_email_and_hashes_password(ctx, now):
    person = auth.create_person(**_new(), password="long enough password", now=now)
    assert person.email == "ana.ruiz@example.org"
    assert person.password_hash and "long enough" not in person.password_hash
    assert auth.authenticate("ANA.RUIZ@example.org", "long enough password", now) is person


def test_email_is_unique_regardless_of_case(ctx, now):
    auth.create_person(**_new(), now=now)
    with pytest.raises(ValidationError) as exc:
        auth.create_person(**_new(name="Other", email="ana.ruiz@EXAMPLE.ORG"), now=now)
    assert "already" in exc.value.errors["email"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"participant": None}, "participant"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"language": "xx"}, "language"),
    ],
)
def test_bad_person_fields_are_named(ctx, now, overrides, field):
    with pytest.raises(ValidationError) as exc:
        auth.create_person(**_new(**overrides), now=now)
    assert field in exc.value.errors
    db.session.rollback()


def test_short_password_refused(ctx, now):
    with pytest.raises(ValidationError) as exc:
        auth.create_person(**_new(), password="short", now=now)
    assert "password" in exc.value.errors


def test_inactive_people_do_not_authenticate(ctx, now):
    person = factories.person(email="gone@example.org")
    assert auth.authenticate("gone@example.org", factories.PASSWORD, now) is person
    auth.set_active(person, False)
    assert auth.authenticate("gone@example.org", factories.PASSWORD, now) is None
    assert auth.authenticate("gone@example.org", "wrong password!", now) is None
    assert auth.authenticate("nobody@example.org", factories.PASSWORD, now) is None


def test_password_token_single_use(ctx):
    person = factories.person(password=None)
    token = auth.make_password_token(person)
    assert auth.person_for_password_token(token) is person
    auth.set_password(person, "a brand new password")
    with pytest.raises(ValidationError, match="already been used"):
        auth.person_for_password_token(token)


def test_password_token_tampered_and_expired(ctx, app):
    person = factories.person()
    token = auth.make_password_token(person)
    with pytest.raises(ValidationError, match="not valid"):
        auth.person_for_password_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wg.set-password")
    app.config["PASSWORD_TOKEN_MAX_AGE"] = -1
    try:
        with pytest.raises(ValidationError, match="expired"):
            auth.person_for_password_token(old.dumps({"p": person.id, "h": person.password_hash[-16:]}))
    finally:
        app.config["PASSWORD_TOKEN_MAX_AGE"] = 48 * 3600


def test_reset_request_queues_one_message_for_known_addresses_only(ctx, now):
    from wg.notify.models import OutboxMessage

    person = factories.person(email="known@example.org")
    assert auth.request_password_reset("unknown@example.org", now=now, base_url="http://x") is None
    message = auth.request_password_reset("KNOWN@example.org", now=now, base_url="http://x")
    assert message.recipient == "known@example.org"
    assert "/set-password/" not in message.body_text  # the secret link is never stored
    from wg.notify.mail import delivered_body

    body = delivered_body(message)
    assert "http://x/set-password/" in body
    token = body.split("/set-password/")[1].split()[0]
    assert auth.person_for_password_token(token) is person
    again = auth.request_password_reset("known@example.org", now=now, base_url="http://x")
    assert again is message  # same key, same row
    auth.request_password_reset("known@example.org", now=now + timedelta(seconds=1), base_url="http://x")
    assert db.session.query(OutboxMessage).count() == 2


def test_grant_and_revoke(ctx):
    c = factories.coalition()
    person = c["people"]["outsider"]
    group = c["groups"]["SWG2.1"]
    membership, created = auth.grant_role(person, group, Role.chair)
    assert created and membership.role is Role.chair
    assert auth.grant_role(person, group, Role.chair)[1] is False
    with pytest.raises(ValidationError, match="Leads lead a working group"):
        auth.grant_role(person, group, Role.lead)
    assert auth.revoke_role(person, group, Role.chair) is True
    assert auth.revoke_role(person, group, Role.chair) is False


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/groups/wg1", "/groups/wg1"),
        ("/admin/people?q=a", "/admin/people?q=a"),
        ("//evil.example.com/x", None),
        ("https://evil.example.com/", None),
        ("/\\evil.example.com", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_safe_next_url(target, expected):
    assert auth.safe_next_url(target) == expected
