from sqlalchemy import select

from tests import factories
from wg.auth import services as auth
from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.notify.models import OutboxMessage
from wg.participants.models import Participant


def _coordinator(app, login):
    with app.app_context():
        c = factories.coalition()
        ids = {k: v.id for k, v in c["people"].items()}
        email = c["people"]["coordinator"].email
    return login(email), ids


def test_create_person_keeps_typed_values_on_error(app, login):
    web, _ = _coordinator(app, login)
    page = web.post("/admin/people/new", {"name": "Ana Ruiz", "email": "member@EXAMPLE.org",
                                          "participant": "MEX", "timezone": "Europe/Vienna",
                                          "language": "es"}).get_data(as_text=True)
    assert "Someone already has this e-mail address" in page
    assert 'value="Ana Ruiz"' in page and 'value="member@EXAMPLE.org"' in page
    page = web.post("/admin/people/new", {"name": "", "email": "x@example.org", "participant": "ZZZ",
                                          "timezone": "Bad/Zone", "language": "en"}).get_data(as_text=True)
    assert "This field is required" in page or "Enter the person" in page
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.email == "x@example.org")) is None


def test_create_person_sends_set_password_link(app, login):
    web, _ = _coordinator(app, login)
    response = web.post("/admin/people/new", {"name": "Ana Ruiz", "email": "Ana@Example.org",
                                              "participant": "MEX", "timezone": "America/Mexico_City",
                                              "language": "es", "send_link": "y"},
                        form_page="/admin/people/new")
    assert response.status_code == 302
    with app.app_context():
        person = auth.find_person_by_email("ana@example.org")
        assert person.password_hash is None and person.participant.code == "MEX"
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "welcome"))
        assert message.recipient == "ana@example.org" and "[link sent by e-mail, not shown]" in message.body_text


def test_grant_and_revoke_roles_on_the_pages(app, login):
    web, ids = _coordinator(app, login)
    response = web.post(f"/admin/people/{ids['outsider']}/roles",
                        {"role-group": "SWG2.2", "role-role": "chair"},
                        form_page=f"/admin/people/{ids['outsider']}")
    assert response.status_code == 302
    page = web.post("/admin/roles", {"email": "nobody@example.org", "role-group": "WG2",
                                     "role-role": "lead"}).get_data(as_text=True)
    assert "No one has this e-mail address" in page and 'value="nobody@example.org"' in page
    page = web.post("/admin/roles", {"email": "outsider@example.org", "role-group": "SWG2.2",
                                     "role-role": "lead"}, follow_redirects=True).get_data(as_text=True)
    assert "Leads lead a working group" in page
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.person_id == ids["outsider"]))
        assert membership.role is Role.chair and membership.group.code == "SWG2.2"
        membership_id = membership.id
    assert web.post(f"/admin/memberships/{membership_id}/revoke", {},
                    form_page="/admin/roles").status_code == 302
    with app.app_context():
        assert db.session.get(Membership, membership_id) is None


def test_deactivate_and_not_oneself(app, login):
    web, ids = _coordinator(app, login)
    web.post(f"/admin/people/{ids['member']}/active", {"active": "0"}, form_page="/admin/people")
    page = web.post(f"/admin/people/{ids['coordinator']}/active", {"active": "0"},
                    form_page="/admin/people", follow_redirects=True).get_data(as_text=True)
    assert "cannot deactivate your own account" in page
    with app.app_context():
        assert db.session.get(Person, ids["member"]).is_active_account is False
        assert db.session.get(Person, ids["coordinator"]).is_active_account is True


def test_groups_add_rename_retire(app, login):
    web, _ = _coordinator(app, login)
    page = web.post("/admin/groups/new", {"code": "SWG9.9", "title": "Orphan", "parent": ""},
                    form_page="/admin/groups/new").get_data(as_text=True)
    assert "A sub-working group belongs to a working group" in page and 'value="Orphan"' in page
    response = web.post("/admin/groups/new", {"code": "swg1.3", "title": "Online markets",
                                              "parent": "WG1", "is_active": "y"},
                        form_page="/admin/groups/new")
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.code == "SWG1.3"))
        assert group.slug == "swg1-3" and group.parent.code == "WG1"
        gid = group.id
    web.post(f"/admin/groups/{gid}/edit", {"code": "SWG1.3", "title": "Online markets and post",
                                           "parent": "WG1"}, form_page="/admin/groups",
             follow_redirects=True)
    with app.app_context():
        group = db.session.get(Group, gid)
        assert group.title == "Online markets and post" and group.is_active is False
    assert "SWG1.3" not in web.get("/structure").get_data(as_text=True)


def test_participants_and_pledges(app, login):
    web, _ = _coordinator(app, login)
    page = web.post("/admin/participants/new", {"kind": "country", "code": "XYZ"},
                    form_page="/admin/participants/new").get_data(as_text=True)
    assert "not an ISO 3166 country code" in page
    page = web.post("/admin/participants/new", {"kind": "country", "code": "MEX"},
                    form_page="/admin/participants/new").get_data(as_text=True)
    assert "already a participant" in page
    web.post("/admin/participants/new", {"kind": "country", "code": "PE", "joined_date": "2025-01-15"},
             form_page="/admin/participants/new")
    web.post("/admin/participants/new", {"kind": "organization", "code": "OSCE",
                                         "name": "Organization for Security and Co-operation in Europe"},
             form_page="/admin/participants/new")
    with app.app_context():
        peru = db.session.scalar(select(Participant).where(Participant.code == "PER"))
        assert peru.name == "Peru" and peru.joined_date.isoformat() == "2025-01-15"
        assert db.session.scalar(select(Participant).where(Participant.code == "OSCE")) is not None
        pid = peru.id
    form_page = "/participants/PER/pledge"
    url = "/participants/PER/pledge/signature"
    page = web.post(url, {"signed_on": "not a date"}, form_page=form_page).get_data(as_text=True)
    assert "Enter the date it was signed" in page and 'value="not a date"' in page
    web.post(url, {"signed_on": "2025-03-01", "version": "0"}, form_page=form_page)
    with app.app_context():
        assert db.session.get(Participant, pid).pledge_signed_date.isoformat() == "2025-03-01"
    refused = web.post("/participants/PER/pledge/withdraw", {"withdraw-version": "1"},
                       form_page=form_page)
    # Refused beside the reason field, the form open (422), nothing removed.
    assert refused.status_code == 422
    assert "Say why the signature is removed." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, pid).pledge_signed_date is not None
    web.post("/participants/PER/pledge/withdraw", {"withdraw-version": "1",
                                                   "withdraw-reason": "Recorded by mistake"},
             form_page=form_page)
    with app.app_context():
        assert db.session.get(Participant, pid).pledge_signed_date is None


def test_new_person_without_a_chosen_zone_gets_their_countrys_only_zone(app, login):
    web, ids = _coordinator(app, login)
    page = web.get("/admin/people/new").get_data(as_text=True)
    assert '<option selected value="">' in page  # "the country's zone" is the default choice
    for name, email, code in (("Kofi Mensah", "kofi@example.org", "GHA"),
                              ("Jo Tremblay", "jo@example.org", "CAN")):
        response = web.post("/admin/people/new", {"name": name, "email": email, "participant": code,
                                                  "timezone": "", "language": ""},
                            form_page="/admin/people/new")
        assert response.status_code == 302
    with app.app_context():
        assert auth.find_person_by_email("kofi@example.org").timezone == "Africa/Accra"
        assert auth.find_person_by_email("jo@example.org").timezone == "UTC"  # six zones: no guess
    # Editing someone offers no "default": their zone stays theirs, their country's zones first.
    page = web.get(f"/admin/people/{ids['chair']}").get_data(as_text=True)
    assert "else UTC" not in page
    assert '<optgroup label="In Mexico">' in page
