"""People, roles, groups, participants and pledges: history, version checks, guard rails."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import CSRFClient, empty_tables
from wg.auth import services as auth
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups import services as groups
from wg.groups.models import Group, Role
from wg.history import services as history
from wg.participants import services as participants
from wg.participants.models import Participant
from wg.pledge import services as pledge

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _browser(app, email):
    web = CSRFClient(app.test_client())
    response = web.post("/login", {"email": email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    return web


def _version(html, name="version"):
    match = re.search(rf'name="{name}"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{name}"', html)
    assert match, "no version field"
    return match.group(1)


@pytest.fixture()
def two_coordinators(app):
    with app.app_context():
        c = factories.coalition()
        factories.person("Second Coordinator", "coord2@example.org", "CAN", is_coordinator=True)
        db.session.commit()
        ids = {role: p.id for role, p in c["people"].items()}
        ids["groups"] = {code: g.id for code, g in c["groups"].items()}
    return ids, _browser(app, "coordinator@example.org"), _browser(app, "coord2@example.org")


def _person_form(html_version, **fields):
    data = {"name": "Mem Member", "email": "member@example.org", "participant": "GHA",
            "timezone": "Africa/Accra", "language": "en", "version": html_version}
    data.update(fields)
    return data


# --- services ------------------------------------------------------------------------------


def test_person_changes_roles_and_activation_leave_history(ctx):
    c = factories.coalition()
    coord, member, group = c["people"]["coordinator"], c["people"]["member"], c["groups"]["SWG2.1"]
    auth.update_person(member, name="Mem B. Member", email=member.email,
                       participant=member.participant, timezone="Africa/Accra", language="fr",
                       is_coordinator=True, actor=coord, now=NOW)
    auth.grant_role(member, group, Role.chair, actor=coord, now=NOW)
    auth.revoke_role(member, group, Role.chair, actor=coord, now=NOW)
    auth.set_active(member, False, actor=coord, now=NOW)
    db.session.commit()
    entries = history.entries_for("person", member.id)
    assert [e.verb for e in entries] == ["updated", "granted", "revoked", "deactivated"]
    changes = history.changes_of(entries[0])
    assert changes["name"] == ["Mem Member", "Mem B. Member"]
    assert changes["is_coordinator"] == [False, True] and changes["language"] == ["en", "fr"]
    assert history.changes_of(entries[1]) == {"person_id": [None, member.id],
                                              "group_id": [None, group.id],
                                              "role": [None, "chair"]}
    assert entries[1].group_id == group.id and entries[1].actor_label == "Cora Coordinator"
    assert history.changes_of(entries[3]) == {"is_active_account": [True, False]}
    assert member.version == 3  # the edit and the deactivation; roles are their own records


def test_a_coordinator_cannot_drop_their_own_coordinator_flag(ctx):
    coord = factories.coalition()["people"]["coordinator"]
    with pytest.raises(ValidationError) as info:
        auth.update_person(coord, name=coord.name, email=coord.email,
                           participant=coord.participant, timezone="UTC", language="en",
                           is_coordinator=False, actor=coord, now=NOW)
    assert "is_coordinator" in info.value.errors


def test_stale_person_edit_is_refused_and_names_the_change(ctx):
    c = factories.coalition()
    coord, member = c["people"]["coordinator"], c["people"]["member"]
    auth.update_person(member, name="First", email=member.email, participant=member.participant,
                       timezone="UTC", language="en", actor=coord, now=NOW, expected_version=1)
    with pytest.raises(history.StaleEdit) as info:
        auth.update_person(member, name="Second", email=member.email,
                           participant=member.participant, timezone="UTC", language="en",
                           actor=coord, now=NOW, expected_version=1)
    assert "Cora Coordinator updated (name)" in info.value.describe()
    assert member.name == "First"


def test_retired_group_takes_no_roles(ctx):
    c = factories.coalition()
    group, coord = c["groups"]["SWG3.3"], c["people"]["coordinator"]
    groups.update_group(group, code=group.code, title=group.title, parent=group.parent,
                        description="", is_active=False, actor=coord, now=NOW)
    with pytest.raises(ValidationError, match="retired"):
        auth.grant_role(c["people"]["member"], group, Role.member, actor=coord, now=NOW)
    assert [e.verb for e in history.entries_for("group", group.id)] == ["retired"]


def test_participant_history_shows_the_pledge_record(ctx):
    """The signature has its own record (wg.pledge); its entries are filed under the
    participant, so the participant's History shows them."""
    coord = factories.coalition()["people"]["coordinator"]
    peru = participants.create_participant(kind="country", code="PER", actor=coord, now=NOW)
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW)
    pledge.sign(peru, coord, signed_on=date(2025, 3, 2), now=NOW,
                reason="The instrument is dated 2 March")
    db.session.commit()
    entries = history.entries_for("participant", peru.id)
    assert [e.verb for e in entries] == ["created", "signed", "signature_corrected"]
    assert history.changes_of(entries[2]) == {"signed_on": ["2025-03-01", "2025-03-02"]}
    assert entries[2].reason == "The instrument is dated 2 March"
    assert peru.pledge_signed_date == date(2025, 3, 2) and peru.version == 1


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["rename", "zone", "coord", "active", "grant",
                                                 "revoke", "retire", "group", "pledge",
                                                 "unpledge", "core"]),
                                st.integers(0, 3)), max_size=12))
def test_replaying_the_history_gives_the_current_fields(app, steps):
    """Random sequences of the administration services: each object's history replays to its
    current recorded fields (person, group, participant)."""
    with app.app_context():
        try:
            c = factories.coalition()
            coord, person = c["people"]["coordinator"], auth.create_person(
                name="Pat", email="pat@example.org", participant=factories.participant("GHA"),
                now=NOW, actor=None)
            group = groups.create_group(code="SWG3.9", title="Temporary",
                                        parent=c["groups"]["WG3"], actor=coord, now=NOW)
            peru = participants.create_participant(kind="country", code="PER", actor=coord,
                                                   now=NOW)
            for kind, n in steps:
                try:
                    if kind == "rename":
                        auth.update_person(person, name=f"Pat {n}", email=person.email,
                                           participant=person.participant,
                                           timezone=person.timezone, language=person.language,
                                           actor=coord, now=NOW)
                    elif kind == "zone":
                        auth.update_preferences(person, timezone=["UTC", "Africa/Accra",
                                                                  "Asia/Tokyo", "UTC"][n],
                                                language=["en", "fr", "es", "ar"][n], now=NOW)
                    elif kind == "coord":
                        auth.update_person(person, name=person.name, email=person.email,
                                           participant=person.participant,
                                           timezone=person.timezone, language=person.language,
                                           is_coordinator=bool(n % 2), actor=coord, now=NOW)
                    elif kind == "active":
                        auth.set_active(person, bool(n % 2), actor=coord, now=NOW)
                    elif kind == "grant" and group.is_active:
                        auth.grant_role(person, group, [Role.member, Role.chair][n % 2],
                                        actor=coord, now=NOW)
                    elif kind == "revoke":
                        auth.revoke_role(person, group, [Role.member, Role.chair][n % 2],
                                         actor=coord, now=NOW)
                    elif kind in ("retire", "group"):
                        groups.update_group(group, code=group.code, title=f"Temporary {n}"
                                            if kind == "group" else group.title,
                                            parent=group.parent, description=str(n),
                                            is_active=kind != "retire" or n % 2 == 0,
                                            actor=coord, now=NOW)
                    elif kind == "pledge":
                        pledge.sign(peru, coord, signed_on=date(2025, 1, 1 + n), now=NOW,
                                    reason="correction")
                    elif kind == "unpledge":
                        pledge.withdraw(peru, coord, now=NOW, reason="withdrawn")
                    elif kind == "core":
                        participants.update_participant(peru, is_core=bool(n % 2),
                                                        joined_date=date(2024, 1, 1 + n),
                                                        actor=coord, now=NOW)
                except ValidationError:
                    db.session.rollback()
                    return  # a refused step (e.g. granting in a retired group) changes nothing
                db.session.flush()
            db.session.commit()
            for object_type, obj, fields in (
                    ("person", person, auth.PERSON_FIELDS),
                    ("group", group, groups.GROUP_FIELDS),
                    ("participant", peru, participants.PARTICIPANT_FIELDS)):
                entries = history.entries_for(object_type, obj.id, include_children=False)
                assert history.replay(entries) == history.snapshot(obj, fields), object_type
                versions = [e.version for e in entries]
                assert versions == sorted(versions) and versions[-1] == obj.version
            signature = pledge.signature_of(peru)
            if signature is not None:
                entries = history.entries_for("pledge_signature", signature.id)
                assert history.replay(entries) == history.snapshot(
                    signature, pledge.SIGNATURE_FIELDS)
        finally:
            db.session.rollback()
            db.session.remove()
            empty_tables()  # each example starts from an empty database


# --- views ---------------------------------------------------------------------------------


def test_two_coordinators_on_one_person_second_gets_409_and_keeps_typed_text(two_coordinators,
                                                                           app):
    ids, a, b = two_coordinators
    url = f"/admin/people/{ids['member']}"
    version_a, version_b = _version(a.get(url).get_data(as_text=True)), _version(
        b.get(url).get_data(as_text=True))
    assert a.post(url, _person_form(version_a, name="Name from A")).status_code == 302
    late = b.post(url, _person_form(version_b, timezone="Europe/Paris", name="Mem Member"))
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Cora Coordinator updated (name" in html and "Name from A" in html
    assert re.search(r'<option[^>]*selected[^>]*value="Europe/Paris"|'
                     r'<option[^>]*value="Europe/Paris"[^>]*selected', html)  # typed, kept
    with app.app_context():
        from wg.auth.models import Person

        person = db.session.get(Person, ids["member"])
        assert person.name == "Name from A" and person.timezone != "Europe/Paris"
    history_page = a.get(f"/history/person/{ids['member']}").get_data(as_text=True)
    assert "Name from A" in history_page


def test_stale_group_and_participant_forms_answer_409(two_coordinators, app):
    ids, a, b = two_coordinators
    gid = ids["groups"]["SWG3.3"]
    url = f"/admin/groups/{gid}/edit"
    form = {"code": "SWG3.3", "title": "Alternatives to incarceration", "parent": "WG3",
            "description": "", "is_active": "y"}
    va, vb = _version(a.get(url).get_data(as_text=True)), _version(
        b.get(url).get_data(as_text=True))
    assert a.post(url, dict(form, version=va)).status_code == 302
    late = b.post(url, dict(form, title="Another title", version=vb))
    assert late.status_code == 409 and "Another title" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Group, gid).title == "Alternatives to incarceration"
        pid = db.session.query(Participant).filter_by(code="GHA").one().id
    url = f"/admin/participants/{pid}/edit"
    va, vb = _version(a.get(url).get_data(as_text=True)), _version(
        b.get(url).get_data(as_text=True))
    assert a.post(url, {"kind": "country", "code": "GHA", "is_core": "y",
                        "joined_date": "2024-09-24", "version": va}).status_code == 302
    late = b.post(url, {"kind": "country", "code": "GHA", "joined_date": "2024-10-01",
                        "version": vb})
    assert late.status_code == 409 and "2024-10-01" in late.get_data(as_text=True)


def test_pledge_form_refuses_future_and_stale_dates(two_coordinators, app):
    ids, a, b = two_coordinators
    with app.app_context():
        pid = factories.participant("PER").id  # not signed yet
        db.session.commit()
    url = "/participants/PER/pledge/signature"
    future = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    page = a.post(url, {"signed_on": future, "version": 0}, form_page="/participants/PER/pledge")
    assert page.status_code == 422 and "cannot be signed in the future" in page.get_data(
        as_text=True)
    assert a.post(url, {"signed_on": "2025-02-01", "version": 0},
                  form_page="/participants/PER/pledge").status_code == 302
    late = b.post(url, {"signed_on": "2025-02-09", "version": 0},
                  form_page="/participants/PER/pledge")
    assert late.status_code == 409 and "signed the Pledge" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, pid).pledge_signed_date == date(2025, 2, 1)


def test_role_forms_offer_no_retired_group_and_the_grant_is_refused(two_coordinators, app):
    ids, a, _b = two_coordinators
    with app.app_context():
        group = db.session.get(Group, ids["groups"]["SWG3.3"])
        group.is_active = False
        db.session.commit()
    page = a.get(f"/admin/people/{ids['member']}").get_data(as_text=True)
    assert 'value="SWG3.3"' not in page and 'value="SWG3.2"' in page
    a.post(f"/admin/people/{ids['member']}/roles", {"role-group": "SWG3.3",
                                                     "role-role": "member"},
           form_page=f"/admin/people/{ids['member']}")
    with app.app_context():
        from wg.groups.models import Membership

        assert db.session.query(Membership).filter_by(
            person_id=ids["member"], group_id=ids["groups"]["SWG3.3"]).count() == 0


def test_profile_preferences_are_version_checked(app):
    with app.app_context():
        factories.coalition()
    a, b = _browser(app, "member@example.org"), _browser(app, "member@example.org")
    va, vb = (_version(web.get("/profile").get_data(as_text=True), "prefs-version")
              for web in (a, b))
    ok = a.post("/profile", {"prefs-timezone": "Africa/Accra", "prefs-language": "fr",
                             "prefs-version": va, "prefs-submit": "Save settings"})
    assert ok.status_code == 302
    late = b.post("/profile", {"prefs-timezone": "Asia/Tokyo", "prefs-language": "en",
                               "prefs-version": vb, "prefs-submit": "Save settings"})
    assert late.status_code == 409
    with app.app_context():
        from wg.auth.models import Person

        person = db.session.query(Person).filter_by(email="member@example.org").one()
        assert (person.timezone, person.language) == ("Africa/Accra", "fr")
        assert [e.verb for e in history.entries_for("person", person.id)] == [
            "preferences_changed"]
