"""Documents' own TLP labels: who sees a labelled document (page, download, panel, search)
over labels x roles, inheriting the parent's label, and what leaves by e-mail."""

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import select

from tests import factories
from tests import test_sensitivity_matrix as matrix
from tests.conftest import NOW, CSRFClient
from tests.documents import helpers
from tests.meetings.helpers import meeting_input
from wg import permissions
from wg.documents import services as documents
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.meetings import services as meetings
from wg.notify import reminders
from wg.notify.models import OutboxMessage
from wg.search import services as search
from wg.sensitivity import Sensitivity

ROLES, expected = matrix.ROLES, matrix.expected
world = matrix.world  # the fixture: a group, an owning participant and one person per role

WORDS = {label: f"codeword{n}" for n, label in enumerate(Sensitivity)}


def _labelled(world):
    """An action of the group (GREEN) with one document per label, uploaded by the owning
    participant's member, each with its own word in the file."""
    action = factories.action(world["group"], title="Shared action",
                              actor=world["people"]["chair"], now=NOW)
    made = {}
    for label in Sensitivity:
        made[label] = documents.upload_document(
            "action", action, world["people"]["same_participant"],
            f"Body {WORDS[label]}\n".encode(), "note.txt", f"Doc {label.value}", "", NOW,
            sensitivity=label.value)
    db.session.commit()
    return action, made


def test_matrix_of_document_labels_over_roles(world):
    from flask_login import AnonymousUserMixin

    action, made = _labelled(world)
    assert made[Sensitivity.amber_strict].sensitivity_participant_id == world["owner"].id
    people = dict(world["people"], anonymous=AnonymousUserMixin())
    failures = []
    for label, document in made.items():
        for role in ROLES:
            person = people[role]
            permissions.forget_roles(person)
            want = expected(label, role)
            sees = (permissions.can_see_document(person, document)
                    and permissions.can_view_document_parent(person, "action", action))
            if sees != want:
                failures.append(("view", label.value, role))
            if role != "anonymous":
                found = [d.url_id for d, *_ in search.search(person, WORDS[label]).hits]
                if (found == [document.id]) != want:
                    failures.append(("search", label.value, role, found))
    assert failures == []


def _web(app, person):
    for key in list(g):  # the ctx fixture's app context (and g) outlives each request
        g.pop(key)
    web = CSRFClient(app.test_client())
    assert web.post("/login", {"email": person.email,
                               "password": "correct-horse-battery"}).status_code == 302
    return web


def test_amber_strict_document_over_http_and_inherited_label_shown(world, app):
    action, made = _labelled(world)
    strict = made[Sensitivity.amber_strict]
    for role in ("same_participant", "other_participant", "chair", "coordinator"):
        web = _web(app, world["people"][role])
        want = expected(Sensitivity.amber_strict, role)
        assert web.get(f"/documents/{strict.id}").status_code == (200 if want else 403), role
        download = web.get(f"/documents/{strict.id}/versions/1/download")
        assert download.status_code == (200 if want else 403), role
        panel = web.get(f"/actions/{action.id}").get_data(as_text=True)
        assert ("Doc AMBER_STRICT" in panel) == want, role
        assert "Doc RED" in panel and "TLP:RED" in panel
    # A document without a label of its own shows what it inherits.
    plain = documents.upload_document("action", action, world["people"]["chair"], b"x\n",
                                      "x.txt", "Unlabelled paper", "", NOW)
    action.sensitivity = Sensitivity.amber
    db.session.commit()
    web = _web(app, world["people"]["chair"])
    panel = web.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "inherits TLP:AMBER" in panel
    page = web.get(f"/documents/{plain.id}").get_data(as_text=True)
    assert "it inherits TLP:AMBER from what it is attached to" in page
    assert "Inherits the label of what it is attached to (TLP:AMBER)" in page


def test_a_document_inherits_its_parents_amber_strict(world):
    group, owner = world["group"], world["owner"]
    action = factories.action(group, title="Strict action", actor=world["people"]["chair"],
                              now=NOW)
    action.sensitivity, action.sensitivity_participant_id = Sensitivity.amber_strict, owner.id
    document = documents.upload_document("action", action, world["people"]["chair"],
                                         b"inheritedword\n", "a.txt", "Child", "", NOW)
    db.session.commit()
    assert document.sensitivity is None
    assert documents.effective_label(document, action) is Sensitivity.amber_strict
    other, same = world["people"]["other_participant"], world["people"]["same_participant"]
    assert not permissions.can_view_document_parent(other, "action", action)
    assert [d.url_id for d, *_ in search.search(other, "inheritedword").hits] == []
    assert [d.url_id for d, *_ in search.search(same, "inheritedword").hits] == [document.id]


def test_label_on_upload_new_version_and_edit_with_version_check(world, app):
    action = factories.action(world["group"], title="Labelled", actor=world["people"]["chair"],
                              now=NOW)
    db.session.commit()
    chair = world["people"]["chair"]
    web = _web(app, chair)
    page = f"/actions/{action.id}"
    import io

    response = web.post(f"/documents/new/action/{action.id}", {
        "file": (io.BytesIO(helpers.PDF), "a.pdf"), "title": "Red paper",
        "sensitivity": "RED"}, form_page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.scalar(select(documents.Document).where(
        documents.Document.title == "Red paper"))
    assert document.sensitivity is Sensitivity.red
    detail = f"/documents/{document.id}"
    assert "TLP:RED" in web.get(detail).get_data(as_text=True)
    # A bad value: the message beside the field, nothing saved.
    bad = web.post(f"/documents/{document.id}/label",
                   {"sensitivity": "PURPLE", "version": str(document.version)}, form_page=detail)
    assert bad.status_code == 422
    assert "Choose one of the TLP labels offered." in bad.get_data(as_text=True)
    # Someone of no participant may not set AMBER+STRICT (nobody would own it).
    nobody = SimpleNamespace(is_authenticated=True, participant_id=None, id=None)
    with pytest.raises(ValidationError) as refused:
        documents.set_label(document, action, nobody, "AMBER_STRICT", NOW)
    assert "belong to no participant" in refused.value.errors["sensitivity"]
    db.session.rollback()
    # Back to "inherits"; a stale version afterwards saves nothing.
    old_version = document.version
    ok = web.post(f"/documents/{document.id}/label",
                  {"sensitivity": "", "version": str(old_version)}, form_page=detail)
    assert ok.status_code == 302
    db.session.expire_all()
    assert document.sensitivity is None
    stale = web.post(f"/documents/{document.id}/label",
                     {"sensitivity": "CLEAR", "version": str(old_version)}, form_page=detail)
    assert stale.status_code == 409
    db.session.expire_all()
    assert document.sensitivity is None
    # A new version may change the label in the same step.
    response = web.post(f"/documents/{document.id}/versions", {
        "file": (io.BytesIO(b"v2\n"), "b.txt"), "sensitivity": "AMBER",
        "version": str(document.version)}, form_page=f"/documents/{document.id}/versions",
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert document.sensitivity is Sensitivity.amber and document.current_version == 2
    changes = [json.loads(e.changes).get("sensitivity") for e in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.object_type == "document")
        .order_by(HistoryEntry.id))]
    assert changes == [[None, "TLP:RED"], ["TLP:RED", None], [None, "TLP:AMBER"]]


@pytest.mark.parametrize("kind", ["pre-read", "meeting-reminder"])
def test_red_documents_are_never_named_in_mails_strict_ones_only_to_their_people(world, kind):
    group, chair = world["group"], world["people"]["chair"]
    meeting = meetings.add_extra_meeting(group, chair, meeting_input(day=date(2026, 3, 10)), NOW)
    plain = documents.upload_document("meeting", meeting, chair, helpers.PDF, "a.pdf",
                                      "Open background paper", "", NOW)
    red = documents.upload_document("meeting", meeting, chair, helpers.PDF, "b.pdf",
                                    "Informant list", "", NOW, sensitivity="RED")
    strict = documents.upload_document("meeting", meeting, world["people"]["same_participant"],
                                       helpers.PDF, "c.pdf", "Brazil only note", "", NOW,
                                       sensitivity="AMBER_STRICT")
    meetings.add_agenda_item(meeting, chair, meetings.AgendaInput("Routes"), NOW)
    meetings.publish_agenda(meeting, chair, NOW)
    db.session.commit()
    start = meeting.start_at
    for at in (start - timedelta(days=7, minutes=-1), start - timedelta(hours=47)):
        reminders.queue_meeting_reminders(at, "https://t.example.org")
        reminders.queue_pre_reads(at, "https://t.example.org")
        db.session.commit()
    mails = {(m.recipient, m.kind): m for m in db.session.scalars(select(OutboxMessage))}
    other = mails[(world["people"]["other_participant"].email, kind)]
    same = mails[(world["people"]["same_participant"].email, kind)]
    for mail in (other, same):
        for body in (mail.body_text, mail.body_html):
            assert "Open background paper" in body
            assert "Informant list" not in body and f"/documents/{red.id}" not in body
            assert "A TLP:RED document changed or was added; it is not named here." in body
        assert f"/documents/{plain.id}" in mail.body_text
    assert "Brazil only note" in same.body_text and f"/documents/{strict.id}" in same.body_html
    assert "Brazil only note" not in other.body_text + other.body_html
