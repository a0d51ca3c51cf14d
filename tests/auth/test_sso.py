"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock):
matched by verified e-mail only, nobody created unless allowed, inactive people refused, state
checked, `next` kept local; password login can be turned off. End to end in Chromium too."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select

from tests import factories
from wg.auth.models import Person
from wg.extensions import db
from wg.history.models import HistoryEntry

USERS = [
    User(sub="chair", claims={"email": "Chair@Example.org", "email_verified": True,
                              "name": "Cha Chair"}),
    User(sub="unverified", claims={"email": "member@example.org", "email_verified": False}),
    User(sub="no-flag", claims={"email": "member@example.org"}),
    User(sub="stranger", claims={"email": "stranger@example.org", "email_verified": True,
                                 "name": "Stella Stranger"}),
    User(sub="outsider", claims={"email": "outsider@example.org", "email_verified": True}),
]
SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_PROVIDER_NAME",
            "OIDC_CREATE_PEOPLE", "OIDC_NEW_PEOPLE_PARTICIPANT", "PASSWORD_LOGIN")


@pytest.fixture()
def provider(app):
    """The provider running on loopback, and the app configured for it (restored after)."""
    saved = {k: app.config.get(k) for k in SETTINGS}
    with run_server_in_thread(user_claims=USERS, require_nonce=True) as server:
        issuer = f"http://localhost:{server.server_port}"
        app.config.update(OIDC_ISSUER=issuer, OIDC_CLIENT_ID="wg-tracker",
                          OIDC_CLIENT_SECRET="wg-secret", OIDC_PROVIDER_NAME="Coalition ID")
        try:
            yield issuer
        finally:
            app.config.update(saved)


@pytest.fixture()
def people(app):
    with app.app_context():
        c = factories.coalition()
        from wg.auth import services as auth

        auth.set_active(c["people"]["outsider"], False)
        db.session.commit()
        db.session.remove()


def _sign_in(client, issuer, sub, next_path=None):
    """Our app → the provider (a real HTTP POST choosing `sub`) → back to our callback."""
    start = client.get("/login/sso", query_string={"next": next_path} if next_path else None)
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(issuer) and query["nonce"] and query["state"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def test_verified_address_signs_in_and_next_stays_local(app, client, provider, people):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Coalition ID" in page and 'name="password"' in page
    done = _sign_in(client, provider, "chair", next_path="/profile")
    assert done.status_code == 302 and done.headers["Location"] == "/profile"
    assert "Cha Chair" in client.get("/profile").get_data(as_text=True)
    # An off-site `next` is dropped: home instead (another browser).
    done = _sign_in(app.test_client(), provider, "chair", next_path="//evil.example/x")
    assert done.status_code == 302 and done.headers["Location"] == "/"


def _csrf(client, path):
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("sub, message", [
    ("unverified", "has not verified the address member@example.org"),
    ("no-flag", "has not verified the address member@example.org"),
    ("stranger", "There is no account for stranger@example.org"),
    ("outsider", "This account is deactivated"),
])
def test_refusals(app, client, provider, people, sub, message):
    refused = _sign_in(client, provider, sub)
    assert refused.status_code == 403
    assert message in refused.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # still logged out
    with app.app_context():
        assert db.session.scalar(select(Person).where(
            Person.email == "stranger@example.org")) is None


def test_people_are_created_only_when_the_coordinator_allows_it(app, client, provider, people):
    app.config.update(OIDC_CREATE_PEOPLE=True, OIDC_NEW_PEOPLE_PARTICIPANT="UNODC")
    done = _sign_in(client, provider, "stranger")
    assert done.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "stranger@example.org"))
        assert person.name == "Stella Stranger" and person.participant.code == "UNODC"
        assert person.password_hash is None and not person.is_coordinator
        assert db.session.scalar(select(HistoryEntry.verb).where(
            HistoryEntry.object_type == "person", HistoryEntry.object_id == person.id)) \
            == "created"


def test_a_forged_or_replayed_callback_is_refused(app, client, provider, people):
    start = client.get("/login/sso")
    answer = requests.post(start.headers["Location"], data={"sub": "chair"},
                           allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(back.path, query_string={"code": query["code"][0], "state": "forged"})
    assert forged.status_code == 400
    # Another browser (no state in its session) cannot use the code either.
    other = app.test_client()
    assert other.get(f"{back.path}?{back.query}").status_code == 400
    assert client.get("/profile").status_code == 302


def test_password_login_can_be_turned_off(app, client, provider, people):
    app.config["PASSWORD_LOGIN"] = False
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Coalition ID" in page and 'name="password"' not in page
    token = _csrf(client, "/forgot-password")  # the login page has no form now
    refused = client.post("/login", data={"csrf_token": token, "email": "chair@example.org",
                                          "password": "correct-horse-battery"})
    assert refused.status_code == 403
    assert client.get("/profile").status_code == 302
    assert _sign_in(client, provider, "chair").status_code == 302


def test_without_configuration_there_is_no_button(app, client, people):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404


@pytest.mark.slow
def test_sign_in_end_to_end_in_chromium(app, live_server, page, provider, people):
    page.goto(f"{live_server}/login?next=/profile")
    page.get_by_role("link", name="Sign in with Coalition ID").click()
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name="chair", exact=True).click()
    page.wait_for_url(f"{live_server}/profile")
    assert page.get_by_role("heading", name="Cha Chair").is_visible()


def test_the_browser_zone_is_adopted_only_when_nobody_chose_one(app, client, provider, people):
    # The zone rides in the session from /login/sso to the callback.
    _sign_in_with_zone(client, provider, "chair", "Asia/Tokyo")
    with app.app_context():
        chair = db.session.scalar(select(Person).where(Person.email == "chair@example.org"))
        assert chair.timezone == "Asia/Tokyo"
        chair_id = chair.id
    # Now it is chosen (by the browser, recorded as the person's own): another zone does not win.
    other = app.test_client()
    _sign_in_with_zone(other, provider, "chair", "Europe/Vienna")
    _sign_in_with_zone(app.test_client(), provider, "chair", "Not/AZone")
    with app.app_context():
        assert db.session.get(Person, chair_id).timezone == "Asia/Tokyo"
        verbs = db.session.scalars(select(HistoryEntry.verb).where(
            HistoryEntry.object_type == "person", HistoryEntry.object_id == chair_id)).all()
        assert verbs.count("preferences_changed") == 1


def _sign_in_with_zone(client, issuer, sub, zone):
    start = client.get("/login/sso", query_string={"zone": zone})
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["state"]
    answer = requests.post(start.headers["Location"], data={"sub": sub}, allow_redirects=False,
                           timeout=10)
    back = urlsplit(answer.headers["Location"])
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    return done


@pytest.mark.slow
def test_chromium_sends_its_zone_through_single_sign_on(app, live_server, browser, provider,
                                                        people):
    context = browser.new_context(timezone_id="America/Bogota")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server}/login")
    link = page.get_by_role("link", name="Sign in with Coalition ID")
    assert "zone=America%2FBogota" in link.get_attribute("href")
    link.click()
    page.get_by_role("button", name="chair", exact=True).click()
    page.wait_for_url(f"{live_server}/")
    context.close()
    with app.app_context():
        chair = db.session.scalar(select(Person).where(Person.email == "chair@example.org"))
        assert chair.timezone == "America/Bogota"
