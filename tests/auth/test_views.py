import re
from html import unescape

from tests import factories
from wg import create_app
from wg.auth import services as auth
from wg.auth.views import GENERIC_LOGIN_ERROR
from wg.config import TestConfig
from wg.extensions import db


def _person(app, **fields):
    with app.app_context():
        person = factories.person(**fields)
        db.session.commit()
        return person.email


def test_login_page_has_labelled_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>\s*Email', page)
    assert re.search(r'<label[^>]*for="password"[^>]*>\s*Password', page)


def test_login_logout_and_next(app, web):
    email = _person(app)
    response = web.post("/login?next=/structure", {"email": email.upper(), "password": factories.PASSWORD},
                        form_page="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/structure"
    assert web.get("/").status_code == 200
    response = web.post("/logout", {}, form_page="/")
    assert response.status_code == 302
    assert web.get("/").status_code == 302


def test_open_redirect_refused(app, web):
    email = _person(app)
    response = web.post("/login?next=//evil.example.com/", {"email": email, "password": factories.PASSWORD},
                        form_page="/login")
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_message(app, web):
    email = _person(app)
    wrong = web.post("/login", {"email": email, "password": "not the password"}).get_data(as_text=True)
    unknown = web.post("/login", {"email": "nobody@example.org", "password": "x"}).get_data(as_text=True)
    assert GENERIC_LOGIN_ERROR in wrong and GENERIC_LOGIN_ERROR in unknown
    assert 'value="nobody@example.org"' in unknown  # what was typed is kept


def test_deactivated_person_cannot_log_in_and_loses_session(app, web, login):
    email = _person(app)
    login(email)
    with app.app_context():
        person = auth.find_person_by_email(email)
        auth.set_active(person, False)
        db.session.commit()
    assert web.get("/").status_code == 302  # the session no longer counts
    page = web.post("/login", {"email": email, "password": factories.PASSWORD}).get_data(as_text=True)
    assert GENERIC_LOGIN_ERROR in page


def test_form_without_csrf_token_is_refused(app, client):
    email = _person(app)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_failed_logins_are_throttled(database_url):
    config = TestConfig(database_url)
    config.RATELIMIT_ENABLED = True
    config.WTF_CSRF_ENABLED = False
    config.LOGIN_RATE_LIMIT = "3 per minute"
    app = create_app(config)
    client = app.test_client()
    codes = [client.post("/login", data={"email": f"x{i}@example.org", "password": "nope"}).status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Too many attempts" in client.post("/login", data={"email": "a@b.org"}).get_data(as_text=True)


def test_set_password_link_flow(app, web):
    with app.app_context():
        person = factories.person(email="new@example.org", password=None)
        db.session.commit()
        token = auth.make_password_token(person)
    path = f"/set-password/{token}"
    bad = web.post(path, {"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "at least 10" in bad.lower() or "between 10" in bad.lower()
    response = web.post(path, {"password": "a good long password", "confirm": "a good long password"})
    assert response.status_code == 302
    assert web.get("/").status_code == 200
    used = web.get(path)
    assert used.status_code == 400 and "already been used" in used.get_data(as_text=True)
    tampered = web.get(path[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)


def test_forgot_password_says_the_same_for_unknown_addresses(app, web):
    from wg.notify.models import OutboxMessage

    email = _person(app)
    r1 = web.post("/forgot-password", {"email": "nobody@example.org"}, follow_redirects=True)
    r2 = web.post("/forgot-password", {"email": email}, follow_redirects=True)
    assert "If this address belongs to an account" in r1.get_data(as_text=True)
    assert "If this address belongs to an account" in r2.get_data(as_text=True)
    with app.app_context():
        assert [m.recipient for m in db.session.query(OutboxMessage)] == [email]


def test_profile_settings_and_password_change(app, login):
    email = _person(app)
    web = login(email)
    page = web.post("/profile", {"prefs-timezone": "Nowhere/City", "prefs-language": "fr",
                                 "prefs-submit": "1"}, form_page="/profile").get_data(as_text=True)
    assert "Choose a time zone from the list" in page
    response = web.post("/profile", {"prefs-timezone": "Asia/Kolkata", "prefs-language": "fr",
                                     "prefs-submit": "1"}, form_page="/profile")
    assert response.status_code == 302
    page = web.post("/profile", {"pw-current_password": "wrong", "pw-password": "another long password",
                                 "pw-confirm": "another long password", "pw-submit": "1"},
                    form_page="/profile").get_data(as_text=True)
    assert "Ce n'est pas votre mot de passe actuel" in unescape(page)  # the person chose French
    response = web.post("/profile", {"pw-current_password": factories.PASSWORD,
                                     "pw-password": "another long password",
                                     "pw-confirm": "another long password", "pw-submit": "1"},
                        form_page="/profile")
    assert response.status_code == 302
    with app.app_context():
        person = auth.find_person_by_email(email)
        assert (person.timezone, person.language) == ("Asia/Kolkata", "fr")
        assert auth.authenticate(email, "another long password", now=person.created_at)


def test_healthz(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_healthz_reports_a_dead_database(tmp_path):
    app = create_app(TestConfig(f"sqlite:///{tmp_path}/missing-dir/x/db.sqlite3"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_footer_names_the_zone_by_offset_and_city_in_the_persons_language(app, login):
    email = _person(app, timezone="Asia/Kolkata", language="en")
    web = login(email)
    page = web.get("/").get_data(as_text=True)
    assert "Times shown in (\u2066UTC+05:30\u2069) Kolkata" in unescape(page)  # offset isolated
    assert "Asia/Kolkata" not in page.split("<footer", 1)[-1]
    with app.app_context():
        auth.find_person_by_email(email).language = "fr"
        db.session.commit()
    page = unescape(web.get("/").get_data(as_text=True))
    assert re.search("Heures affichées en \\(\u2066UTC\\+05:30\u2069\\) (Calcutta|Kolkata)", page)
