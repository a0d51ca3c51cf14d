"""Issue 10 finding 1: revocable logins and remember-me tokens stored hashed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from wg.auth import services as auth
from wg.auth.models import Person, RememberToken
from wg.db_types import utcnow
from wg.extensions import db
from wg.groups.models import Role


@pytest.fixture()
def people(app):
    with app.app_context():
        w = f.coalition()
        return {k: p.id for k, p in w["people"].items()}


def _two_browsers(app, login_as):
    from tests.conftest import CSRFClient

    browsers = []
    for _ in range(2):
        web = CSRFClient(app.test_client())
        r = web.post("/login", {"email": login_as, "password": "correct-horse-battery"})
        assert r.status_code == 302
        browsers.append(web)
    return browsers


def _logged_in(web):
    return web.get("/profile").status_code == 200


def test_log_out_other_sessions_keeps_this_one(app, people):
    a, b = _two_browsers(app, "member@example.org")
    assert _logged_in(a) and _logged_in(b)
    r = a.post("/profile/logout-others", {}, form_page="/profile")
    assert r.status_code == 302
    assert _logged_in(a)
    assert not _logged_in(b)


@pytest.mark.parametrize("change", ["password", "deactivate", "grant", "revoke", "reset"])
def test_changes_to_a_person_end_their_sessions(app, people, change):
    (web,) = _two_browsers(app, "member@example.org")[:1]
    assert _logged_in(web)
    with app.app_context():
        person = db.session.get(Person, people["member"])
        group = auth.find_group("SWG1.2")
        if change == "password":
            auth.change_password(person, "correct-horse-battery", "another-long-password-1")
        elif change == "reset":
            auth.set_password(person, "another-long-password-1")
        elif change == "deactivate":
            auth.set_active(person, False)
        elif change == "grant":
            auth.grant_role(person, group, Role.member)
        else:
            auth.revoke_role(person, auth.find_group("SWG1.1"), Role.member)
        db.session.commit()
    assert not _logged_in(web)


def test_stale_generation_is_refused_by_the_loader(ctx, people):
    person = db.session.get(Person, people["member"])
    old = person.get_id()
    assert auth.person_for_session_id(old) is person
    auth.end_sessions(person)
    assert auth.person_for_session_id(old) is None
    assert auth.person_for_session_id(person.get_id()) is person
    assert auth.person_for_session_id(str(person.id)) is None
    assert auth.person_for_session_id("99999999999999999999:0") is None


def test_remember_me_token_is_hashed_expires_and_is_revoked_at_logout(app, people):
    from tests.conftest import CSRFClient

    web = CSRFClient(app.test_client())
    r = web.post("/login", {"email": "member@example.org", "password": "correct-horse-battery",
                            "remember": "y"})
    assert r.status_code == 302
    cookies = r.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("wg_remember=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    token = remember[0].split(";")[0].split("=", 1)[1]
    with app.app_context():
        row = db.session.scalar(select(RememberToken))
        assert row.token_hash != token and len(row.token_hash) == 64
        assert auth.person_for_remember_token(token, utcnow()).id == people["member"]
        assert auth.person_for_remember_token(token, utcnow() + timedelta(days=31)) is None

    # A new browser with only the remember cookie is logged in.
    other = CSRFClient(app.test_client())
    other.client.set_cookie("wg_remember", token)
    assert _logged_in(other)

    # Logging out revokes the token.
    web.post("/logout", {}, form_page="/logout")
    fresh = CSRFClient(app.test_client())
    fresh.client.set_cookie("wg_remember", token)
    assert not _logged_in(fresh)


def test_session_cookie_is_samesite_lax(app, people):
    from tests.conftest import CSRFClient

    web = CSRFClient(app.test_client())
    r = web.post("/login", {"email": "member@example.org", "password": "correct-horse-battery"})
    session_cookie = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert session_cookie and "SameSite=Lax" in session_cookie[0]


def test_password_change_on_the_page_keeps_this_browser_and_ends_the_other(app, people):
    a, b = _two_browsers(app, "member@example.org")
    r = a.post("/profile", {"pw-current_password": "correct-horse-battery",
                            "pw-password": "another-long-password-1",
                            "pw-confirm": "another-long-password-1", "pw-submit": "y"},
               form_page="/profile")
    assert r.status_code == 302
    assert _logged_in(a)
    assert not _logged_in(b)
