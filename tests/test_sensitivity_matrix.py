"""Sensitivity labels (TLP 2.0): who sees a labelled item (view and lists), as a matrix over
labels x roles x objects, and what leaves by e-mail, calendar feed, webhook and CSV."""

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests import factories
from tests.notify.test_services import settings as smtp_settings
from wg import permissions
from wg.actions.models import ActionItem
from wg.decisions.models import Decision
from wg.extensions import db
from wg.groups.models import Role
from wg.meetings import services as meetings
from wg.meetings.models import Meeting
from wg.notify import services as notify
from wg.notify.reminders import queue_meeting_reminders
from wg.sensitivity import Sensitivity
from wg.webhooks import services as webhooks
from wg.webhooks.models import WebhookDelivery

# Near the real date: the calendar feed keeps the last half year only.
NOW = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
ROLES = ("same_participant", "other_participant", "chair", "coordinator", "anonymous")
OBJECTS = ("action", "meeting", "decision")


def expected(label, role):
    """The rule (wg.permissions): AMBER+STRICT for the owning participant's people and
    coordinators; every other label for whoever may see the object; nobody anonymous."""
    if role == "anonymous":
        return False
    if label is Sensitivity.amber_strict:
        return role in ("same_participant", "coordinator")
    return True


@pytest.fixture()
def world(ctx):
    c = factories.coalition()
    group = c["groups"]["SWG1.1"]
    owner = factories.participant("BRA")
    same = factories.person("Bea Brazil", "bea@example.org", "BRA")
    factories.membership(same, group, Role.member)
    people = {"same_participant": same, "other_participant": c["people"]["member"],
              "chair": c["people"]["chair"], "coordinator": c["people"]["coordinator"]}
    db.session.commit()
    return {"group": group, "owner": owner, "people": people, "c": c}


def _objects(world, label):
    group, owner = world["group"], world["owner"]
    chair = world["people"]["chair"]
    action = factories.action(group, title=f"Action {label.value}", actor=chair, now=NOW)
    meeting = Meeting(uid=f"m-{label.value}", group_id=group.id, title=f"Meeting {label.value}",
                      start_at=NOW - timedelta(days=3), timezone="Europe/Vienna",
                      created_at=NOW, updated_at=NOW)
    decision = Decision(group_id=group.id, year=2026, number=list(Sensitivity).index(label) + 1,
                        text=f"Decision {label.value}", text_html="", decided_on=date(2026, 3, 1))
    db.session.add_all([meeting, decision])
    for item in (action, meeting, decision):
        item.sensitivity = label
        item.sensitivity_participant_id = owner.id if label is Sensitivity.amber_strict else None
    db.session.flush()
    return {"action": action, "meeting": meeting, "decision": decision}


VIEW = {"action": permissions.can_view_action, "meeting": permissions.can_view_meeting,
        "decision": permissions.can_view_decision}
MODEL = {"action": ActionItem, "meeting": Meeting, "decision": Decision}


def test_matrix_of_view_and_list_over_labels_roles_and_objects(world):
    from flask_login import AnonymousUserMixin

    made = {label: _objects(world, label) for label in Sensitivity}
    db.session.commit()
    people = dict(world["people"], anonymous=AnonymousUserMixin())
    failures = []
    for label, objects in made.items():
        for role in ROLES:
            person = people[role]
            permissions.forget_roles(person)
            for kind in OBJECTS:
                item = objects[kind]
                want = expected(label, role)
                if VIEW[kind](person, item) != want:
                    failures.append(("view", label.value, role, kind))
                model = MODEL[kind]
                listed = db.session.scalar(select(model.id).where(
                    model.id == item.id, permissions.sensitivity_clause(person, model)))
                # The list clause narrows by label only (group rules are separate); anonymous
                # visitors never reach a list.
                if role != "anonymous" and (listed is not None) != want:
                    failures.append(("list", label.value, role, kind))
    assert failures == []


def test_amber_strict_pages_and_lists_over_http(world, login, app):
    objects = _objects(world, Sensitivity.amber_strict)
    db.session.commit()
    ids = {k: o.id for k, o in objects.items()}
    pages = {"action": f"/actions/{ids['action']}", "meeting": f"/meetings/{ids['meeting']}",
             "decision": f"/decisions/{ids['decision']}"}
    lists = {"action": "/actions/?group=swg1-1", "meeting": "/groups/swg1-1/meetings?past=1",
             "decision": "/decisions/"}
    for role in ("same_participant", "other_participant", "chair", "coordinator"):
        email = world["people"][role].email
        if True:
            from flask import g

            from tests.conftest import CSRFClient

            for key in list(g):  # the ctx fixture's app context (and g) outlives each request
                g.pop(key)
            web = CSRFClient(app.test_client())
            assert web.post("/login", {"email": email,
                                       "password": "correct-horse-battery"}).status_code == 302
            want = expected(Sensitivity.amber_strict, role)
            for kind in OBJECTS:
                status = web.get(pages[kind]).status_code
                assert status == (200 if want else 403), (role, kind, status)
                html = web.get(lists[kind]).get_data(as_text=True)
                shown = (f"{kind.title()} AMBER_STRICT" in html if kind != "decision"
                         else f'data-decision="{ids["decision"]}"' in html)
                assert shown == want, (role, kind)
                if want:
                    assert "TLP:AMBER+STRICT" in html
            if role == "coordinator":
                page = web.get(pages["meeting"]).get_data(as_text=True)
                assert "You see this as a coordinator" in page


def test_red_meeting_leaves_the_feed_and_its_mail_is_generic(world, smtp_server, client):
    group, chair = world["group"], world["people"]["chair"]
    member = world["people"]["other_participant"]
    data = meetings.MeetingInput(title="Secret route review", day=NOW.date() + timedelta(days=3),
                                 start_time=time(14, 0), timezone="Europe/Vienna",
                                 duration_minutes=60, place="Vienna", video_url="")
    meeting = meetings.add_extra_meeting(group, chair, data, NOW)
    db.session.commit()
    feed = client.get(f"/calendar/{member.calendar_token}.ics")
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["SWG1.1: Secret route review"]
    assert str(events[0]["CLASS"]) == "PRIVATE"
    meetings.set_meeting_labels(meeting, chair, "RED", "GREEN", NOW,
                                expected_version=meeting.version)
    db.session.commit()
    # The feed: the RED meeting is gone entirely, and the ETag changed with it.
    again = client.get(f"/calendar/{member.calendar_token}.ics",
                       headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 200
    assert Calendar.from_ical(again.data).walk("VEVENT") == []
    assert b"Secret route" not in again.data
    # The next notice (a reminder) is the generic sentence and a link, no title, no .ics.
    notify.deliver_outbox(now=NOW, settings=smtp_settings(smtp_server.port))
    smtp_server.messages.clear()
    later = meeting.start_at - timedelta(hours=20)
    queue_meeting_reminders(later, "https://t.example.org")
    db.session.commit()
    notify.deliver_outbox(now=later, settings=smtp_settings(smtp_server.port))
    mails = [m for m in smtp_server.messages if m["To"] == member.email]
    assert mails, "the member gets the reminder"
    for mail in mails:
        raw = mail.as_string()
        assert "Secret route" not in raw and "Vienna" not in mail["Subject"]
        assert mail["Subject"] == "A RED item changed; sign in to see it"
        parts = {p.get_content_type(): p.get_payload(decode=True).decode()
                 for p in mail.walk() if not p.is_multipart()}
        assert "text/calendar" not in parts
        assert "A RED item changed; sign in to see it." in parts["text/plain"]
        assert f"https://t.example.org/meetings/{meeting.id}" in parts["text/plain"]
    # History says what changed.
    from wg.history.models import HistoryEntry

    entry = db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.object_type == "meeting", HistoryEntry.verb == "sensitivity_changed"))
    assert json.loads(entry.changes) == {"sensitivity": ["GREEN", "RED"]}


def test_amber_meeting_mail_and_ics_carry_the_label(world):
    group, chair = world["group"], world["people"]["chair"]
    data = meetings.MeetingInput(title="Amber review", day=NOW.date() + timedelta(days=3),
                                 start_time=time(14, 0), timezone="Europe/Vienna",
                                 duration_minutes=60, place="Vienna", video_url="")
    meeting = meetings.add_extra_meeting(group, chair, data, NOW)
    meetings.set_meeting_labels(meeting, chair, "AMBER", "AMBER", NOW)
    meetings.reschedule_meeting(meeting, chair, data.__class__(**dict(
        data.__dict__, start_time=time(15, 0))), NOW)
    db.session.commit()
    from wg.notify.models import OutboxMessage

    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "meeting-changed"))
    assert message.subject.startswith("[TLP:AMBER] ")
    assert message.body_text.startswith("TLP:AMBER\n")
    assert "TLP:AMBER" in message.body_html
    ics = json.loads(message.extras)["attachments"][0]["content"]
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "[TLP:AMBER] SWG1.1: Amber review"
    assert str(event["CLASS"]) == "CONFIDENTIAL"


def test_red_webhook_events_carry_no_content(world):
    group, chair = world["group"], world["people"]["chair"]
    webhooks.create_subscription(chair, "https://hooks.example.org/a",
                                 ["action.updated", "meeting.changed"], group, "", NOW)
    db.session.commit()
    action = factories.action(group, title="Quiet precursor swap", actor=chair, now=NOW)
    db.session.commit()
    from wg.actions import services as actions

    data = actions.ActionInput(title=action.title, due_date=action.due_date, weight=1,
                               sensitivity="RED")
    actions.update_action(action, chair, data, action.version, NOW)
    db.session.commit()
    (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
    body = json.loads(delivery.payload)
    assert body["type"] == "action.updated"
    assert body["data"] == {"id": action.id, "sensitivity": "TLP:RED", "redacted": True}
    assert "Quiet precursor" not in delivery.payload
    # A GREEN event says its label.
    green = factories.action(group, title="Open one", actor=chair, now=NOW)
    actions.update_action(green, chair, actions.ActionInput(
        title="Open one, renamed", due_date=green.due_date, weight=1), green.version, NOW)
    db.session.commit()
    payloads = [json.loads(d.payload)["data"] for d in db.session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id))]
    assert payloads[-1]["sensitivity"] == "TLP:GREEN"
    assert payloads[-1]["title"] == "Open one, renamed"


def test_csv_exports_have_the_sensitivity_column(world, login):
    objects = _objects(world, Sensitivity.amber)
    db.session.commit()
    web = login(world["people"]["chair"])
    rows = list(csv.reader(io.StringIO(web.get(
        "/actions/export.csv?headers=codes&group=swg1-1").get_data(as_text=True))))
    assert rows[0][-1] == "sensitivity"
    assert [r[-1] for r in rows[1:] if r[0] == str(objects["action"].id)] == ["TLP:AMBER"]
    text = web.get("/decisions/export.csv?excel=0").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "sensitivity" and rows[1][-1] == "TLP:AMBER"


def test_setting_amber_strict_records_the_setters_participant_and_a_bad_label_is_refused(world):
    from wg.actions import services as actions
    from wg.errors import ValidationError

    group, chair = world["group"], world["people"]["chair"]
    action = factories.action(group, title="Strict one", actor=chair, now=NOW)
    with pytest.raises(ValidationError) as exc:
        actions.update_action(action, chair, actions.ActionInput(
            title="Strict one", due_date=action.due_date, sensitivity="PURPLE"),
            action.version, NOW)
    assert "sensitivity" in exc.value.errors
    actions.update_action(action, chair, actions.ActionInput(
        title="Strict one", due_date=action.due_date, sensitivity="TLP:AMBER+STRICT"),
        action.version, NOW)
    db.session.commit()
    assert action.sensitivity is Sensitivity.amber_strict
    assert action.sensitivity_participant_id == chair.participant_id
    assert permissions.can_see_sensitivity(chair, action)
    assert not permissions.can_see_sensitivity(world["people"]["other_participant"], action)
    assert [permissions.may_leave_by(c, action) for c in permissions.CHANNELS] == [True] * 3


def test_labels_are_set_in_the_edit_forms_version_checked_with_history(world, login):
    from wg.history.models import HistoryEntry

    group, chair = world["group"], world["people"]["chair"]
    action = factories.action(group, title="Label me", actor=chair, now=NOW)
    meeting = _objects(world, Sensitivity.green)["meeting"]
    db.session.commit()
    web = login(chair)
    form = {"title": "Label me", "due_date": action.due_date.isoformat(), "weight": "1",
            "version": str(action.version), "owner_id": ""}
    # A label that does not exist: the form says so next to the field; nothing is saved.
    bad = web.post(f"/actions/{action.id}/edit", dict(form, sensitivity="PURPLE"))
    assert bad.status_code == 422
    assert "Choose one of the TLP labels offered." in bad.get_data(as_text=True)
    ok = web.post(f"/actions/{action.id}/edit", dict(form, sensitivity="RED"))
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).sensitivity is Sensitivity.red
    entry = db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.object_type == "action", HistoryEntry.verb == "updated"))
    assert json.loads(entry.changes) == {"sensitivity": ["GREEN", "RED"]}
    # The meeting's labels page: a stale version is refused (409), a current one saves once.
    page = f"/meetings/{meeting.id}/sensitivity"
    stale = web.post(page, {"sensitivity": "AMBER", "minutes_sensitivity": "RED",
                            "version": str(meeting.version - 1 or 99)})
    assert stale.status_code == 409
    for _ in range(2):
        db.session.expire_all()
        version = db.session.get(Meeting, meeting.id).version
        assert web.post(page, {"sensitivity": "AMBER", "minutes_sensitivity": "RED",
                               "version": str(version)}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert (saved.sensitivity, saved.minutes_sensitivity) == (Sensitivity.amber, Sensitivity.red)
    assert json.loads(db.session.scalar(select(HistoryEntry.changes).where(
        HistoryEntry.object_type == "meeting", HistoryEntry.verb == "sensitivity_changed"))) \
        == {"minutes_sensitivity": ["GREEN", "RED"], "sensitivity": ["GREEN", "AMBER"]}
    assert len(db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.object_type == "meeting",
        HistoryEntry.verb == "sensitivity_changed")).all()) == 1
