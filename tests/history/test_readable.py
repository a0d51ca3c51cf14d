"""History pages read as people speak: names for the records an entry refers to, statuses and
labels in the reader's language, field names translated, and the way back to the record."""

import html
import re
from datetime import date

from tests import factories
from tests.conftest import NOW
from tests.documents import helpers
from tests.meetings.helpers import meeting_input
from wg.decisions import services as decisions
from wg.documents import services as documents
from wg.extensions import db
from wg.history import services as history
from wg.initiatives import services as initiatives
from wg.meetings import services as meetings


def _changes(page):
    """The page's change lines, as text: ["group: SWG1.1", ...]."""
    items = re.findall(r"<li><span class=\"text-body-secondary\">(.*?)</li>", page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", "<x>" + item)).split())
            for item in items]


def _world(app):
    with app.app_context():
        c = factories.coalition()
        g, chair = c["groups"], c["people"]["chair"]
        meeting = meetings.add_extra_meeting(g["SWG1.1"], chair,
                                             meeting_input(day=date(2026, 2, 3)), NOW)
        old = decisions.record_decision(g["SWG1.1"], chair, decisions.DecisionInput(
            text="Adopt the watch list", decided_on=date(2026, 2, 3)), NOW)
        new = decisions.record_decision(g["SWG1.1"], chair, decisions.DecisionInput(
            text="Replace the watch list", decided_on=date(2026, 2, 3), meeting_id=meeting.id,
            supersedes_id=old.id), NOW)
        mexico = factories.participant("MEX")
        initiative = initiatives.create_initiative(c["people"]["coordinator"],
                                                   initiatives.InitiativeInput(
            title="Regional coalitions against transit routes", group_id=g["WG1"].id,
            subgroup_ids=[g["SWG1.1"].id], lead_ids=[mexico.id], start_date=date(2024, 9, 24),
            status="active"), NOW)
        document = documents.upload_document("decision", new, chair, helpers.PDF, "text.pdf",
                                             "Decision text", "", NOW)
        documents.set_label(document, new, chair, "AMBER", NOW)
        documents.set_label(document, new, chair, "inherit", NOW)
        db.session.commit()
        return {"old": old.reference, "new": new.id, "meeting": meeting.title,
                "initiative": initiative.id, "document": document.id}


def test_ids_become_names_and_values_read_as_labels(app, login):
    w = _world(app)
    web = login("coordinator@example.org")
    page = web.get(f"/history/decision/{w['new']}").get_data(as_text=True)
    lines = _changes(page)
    assert "group: SWG1.1" in lines
    assert f"supersedes: {w['old']}" in lines
    assert f"meeting: {w['meeting']} (3 Feb 2026)" in lines
    assert "status: Open" in lines and "sensitivity (TLP): TLP:GREEN" in lines
    assert not any(re.fullmatch(r"(group|meeting|supersedes): \d+", line) for line in lines)
    # The way back to the decision, named by its reference.
    assert f'href="/decisions/{w["new"]}"' in page

    lines = _changes(web.get(f"/history/initiative/{w['initiative']}").get_data(as_text=True))
    assert "leads: Mexico" in lines and "sub-groups: SWG1.1" in lines
    assert "group: WG1" in lines and "status: Active" in lines

    lines = _changes(web.get(f"/history/document/{w['document']}").get_data(as_text=True))
    assert "sensitivity (TLP): TLP:AMBER → inherits the parent's label" in lines
    assert f"size: {len(helpers.PDF)} bytes" in lines and "file type: application/pdf" in lines


def test_field_names_and_values_in_the_readers_language(app, login):
    w = _world(app)
    web = login("coordinator@example.org")
    web.post("/language", {"language": "fr", "next": "/"})
    lines = _changes(web.get(f"/history/decision/{w['new']}").get_data(as_text=True))
    assert "statut: En vigueur" in lines, [line for line in lines if "stat" in line]
    assert not any(line.startswith("sensitivity") for line in lines)


def test_a_participants_history_leads_back_to_its_pledge_page(app, login):
    with app.app_context():
        factories.coalition()
        ghana = factories.participant("GHA")
        db.session.commit()
        ghana_id = ghana.id
    web = login("member@example.org")
    page = web.get(f"/history/participant/{ghana_id}").get_data(as_text=True)
    assert 'href="/participants/GHA/pledge"' in page and 'href="/participants/GHA"' in page


def test_long_labels_end_with_an_ellipsis(ctx):
    entry = history.record(None, "decision", 1, "created", {}, now=NOW, label="x" * 400)
    assert len(entry.object_label) == 300 and entry.object_label.endswith("…")
