"""Coordinator, account, history and token pages in another language: names and dates from
CLDR, the language select in each language's own script, no page breaks in any language."""

from datetime import UTC, date, datetime
from html import unescape

import pytest

from tests import factories
from wg.api import tokens
from wg.extensions import db
from wg.pledge import services as pledge

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture()
def coalition_fr(app):
    """A coordinator who reads French, a Mexican participant with a pledge, a group, a token."""
    with app.app_context():
        coordinator = factories.person(name="Coco Ordinator", email="coord@example.org",
                                       participant_code="AUT", is_coordinator=True,
                                       language="fr", timezone="Europe/Paris")
        member = factories.person(name="Mem Ber", email="member@example.org")
        group = factories.group("SWG1.1")
        factories.membership(member, group)
        mexico = factories.participant("MEX")
        pledge.sign(mexico, coordinator, signed_on=date(2025, 5, 1), now=NOW)
        tokens.create_token(coordinator, coordinator, "Sync", "read", 30, NOW)
        db.session.commit()
        return {"austria": coordinator.participant.id, "coordinator": coordinator.id,
                "member": member.id, "group": group.id, "mexico": mexico.id}


def _pages(ids):
    return [
        "/admin/people", f"/admin/people/{ids['member']}", "/admin/people/new", "/admin/roles",
        "/admin/groups", f"/admin/groups/{ids['group']}/edit", "/admin/groups/new",
        "/admin/participants", f"/admin/participants/{ids['mexico']}/edit",
        "/admin/participants/new", "/pledge", "/pledge/implementation",
        "/participants/MEX/pledge", "/admin/audit",
        f"/history/participant/{ids['mexico']}", "/profile", "/profile/tokens", "/admin/tokens",
    ]


def test_coordinator_pages_speak_french(coalition_fr, login):
    web = login("coord@example.org")
    for path in _pages(coalition_fr):
        response = web.get(path)
        assert response.status_code == 200, path
        assert '<html lang="fr"' in response.get_data(as_text=True), path
    # Country names come from CLDR in the reader's language, dates from Babel.
    html = web.get("/pledge").get_data(as_text=True)
    assert "Mexique" in html and "1 mai 2025" in html and "Amériques" in html
    assert "Mexique" in web.get("/admin/people").get_data(as_text=True)


def test_pages_in_arabic_read_right_to_left(coalition_fr, login):
    web = login("coord@example.org")
    response = web.post("/profile",
                        {"prefs-timezone": "Europe/Paris", "prefs-language": "ar",
                         "prefs-version": "1", "prefs-submit": "1"})
    assert response.status_code == 302
    html = web.get("/pledge").get_data(as_text=True)
    assert 'dir="rtl"' in html and "المكسيك" in html
    for path in _pages(coalition_fr):
        assert web.get(path).status_code == 200, path


def test_profile_language_select_names_each_language_in_its_own_script(coalition_fr, login):
    html = login("coord@example.org").get("/profile").get_data(as_text=True)
    for code, name in [("en", "English"), ("fr", "Français"), ("es", "Español"),
                       ("ar", "العربية"), ("ru", "Русский"), ("zh", "中文")]:
        assert f'<option value="{code}"' in html and f">{name}</option>" in html


def test_audit_csv_headers_keep_machine_names_on_request(coalition_fr, login):
    web = login("coord@example.org")
    csv = web.get("/admin/audit.csv?headers=codes&excel=0").get_data(as_text=True)
    assert csv.splitlines()[0] == ("id,at_utc,actor,object_type,object_id,object,verb,field,old,"
                                   "new,reason")


def test_pledge_flash_names_the_country_and_date_in_the_readers_language(coalition_fr, login):
    web = login("coord@example.org")
    response = web.post("/pledge", {"participant": "AUT", "signed_on": "2025-05-01",
                                    "version": "0"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Autriche a signé l'Engagement de la Coalition le jeu. 1 mai 2025." in unescape(html)
