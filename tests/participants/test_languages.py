"""Participants, groups, actions and rollups in the reader's language: names, order, numbers."""

from datetime import date

from tests import factories
from wg.extensions import db


def _positions(page, names):
    return [page.index(n) for n in names]


def _speak(person_email, language):
    from wg.auth.models import Person

    person = db.session.query(Person).filter_by(email=person_email).one()
    person.language = language
    db.session.commit()


def test_directory_sorts_by_collation_not_by_bytes(app, login):
    with app.app_context():
        factories.coalition()
        for code in ("ZMB", "ALB", "ALA", "AFG"):
            factories.participant(code)
        db.session.commit()
    page = login("member@example.org").get("/participants").get_data(as_text=True)
    # A byte order puts "Åland Islands" after "Zambia"; the Unicode collation puts it with the A's.
    order = _positions(page, ["Afghanistan", "Åland Islands", "Albania", "Zambia"])
    assert order == sorted(order)


def test_directory_in_french_uses_and_sorts_french_names(app, login):
    with app.app_context():
        factories.coalition()
        for code in ("DEU", "ESP"):
            factories.participant(code)
        db.session.commit()
        _speak("member@example.org", "fr")
    web = login("member@example.org")
    page = web.get("/participants?kind=country").get_data(as_text=True)
    order = _positions(page, ["Allemagne", "Espagne", "États-Unis", "Ghana", "Italie", "Mexique"])
    assert order == sorted(order)
    assert "Germany" not in page
    found = web.get("/participants?q=allem").get_data(as_text=True)
    assert "Allemagne" in found and "Espagne" not in found
    detail = web.get("/participants/DEU").get_data(as_text=True)
    assert "<h1 class=\"h3\">Allemagne</h1>" in detail


def test_members_and_action_pages_follow_the_reader(app, login):
    with app.app_context():
        w = factories.coalition()
        group = w["groups"]["SWG1.1"]
        for code, name in (("DEU", "Dieter"), ("ESP", "Elena"), ("USA", "Uma")):
            factories.membership(factories.person(name, participant_code=code), group)
        a = factories.action(group, "Map precursor brokers", participants=[
            factories.participant("USA"), factories.participant("DEU")],
            due_date=date(2030, 1, 1))
        db.session.commit()
        aid = a.id
        _speak("member@example.org", "fr")
    web = login("member@example.org")
    members = web.get("/groups/swg1-1/members").get_data(as_text=True).split("<tbody>", 1)[1]
    # Table rows follow the French names: Allemagne, Espagne, États-Unis, Ghana, Mexique.
    order = _positions(members, ["Dieter", "Elena", "Uma", "Mem Member", "Cha Chair"])
    assert order == sorted(order)
    detail = web.get(f"/actions/{aid}").get_data(as_text=True)
    assert detail.index("Allemagne") < detail.index("États-Unis")
    assert "0\u00a0%" in detail  # French writes a no-break space before the percent sign


def test_rollup_csv_headers_readable_by_default_codes_on_request(app, login):
    with app.app_context():
        w = factories.coalition()
        factories.action(w["groups"]["SWG1.1"], participants=[factories.participant("GHA")])
        db.session.commit()
    web = login("coordinator@example.org")
    readable = web.get("/rollups/export.csv?excel=0").get_data(as_text=True).splitlines()[0]
    assert readable.startswith("Scope,Actions,Open,In progress,Blocked,Done,Percent complete")
    codes = web.get("/rollups/export.csv?headers=codes&excel=0").get_data(as_text=True).splitlines()[0]
    assert codes.startswith("scope,total,open,in_progress")
    parts = web.get("/rollups/participants.csv?excel=0").get_data(as_text=True).splitlines()
    assert parts[0].startswith("Code,Name,") and parts[1].startswith("GHA,Ghana,")
    page = web.get("/rollups/groups/swg1-1").get_data(as_text=True)
    assert '<desc id="swg1-1-trend-d">Percent complete (blue line, left axis)' in page
