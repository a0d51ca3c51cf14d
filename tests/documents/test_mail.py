"""The pre-read and reminder mails list the meeting's documents (and its agenda items'), with
links to their pages, and a real SMTP server receives them."""

from datetime import date, timedelta

from sqlalchemy import select

from tests import factories
from tests.conftest import NOW
from tests.documents import helpers
from tests.meetings.helpers import meeting_input
from tests.notify.test_services import settings
from wg.documents import services as documents
from wg.extensions import db
from wg.meetings import services as meetings
from wg.notify import reminders
from wg.notify import services as notify
from wg.notify.models import OutboxMessage

BASE = "https://tracker.example.org"


def test_pre_read_and_reminder_link_the_documents(ctx, smtp_server):
    c = factories.coalition()
    chair, member = c["people"]["chair"], c["people"]["member"]
    meeting = meetings.add_extra_meeting(c["groups"]["SWG1.1"], chair,
                                         meeting_input(day=date(2026, 3, 10)), NOW)
    item = meetings.add_agenda_item(meeting, chair, meetings.AgendaInput("Seizure statistics"),
                                    NOW)
    paper = documents.upload_document("meeting", meeting, chair, helpers.PDF, "paper.pdf",
                                      "Background paper", "", NOW)
    meetings.publish_agenda(meeting, chair, NOW)
    item_doc = documents.upload_document("agenda_item", item, chair, b"Figures\n",
                                         "figures.txt", "Statistik — Zahlen", "", NOW)
    removed = documents.upload_document("meeting", meeting, chair, helpers.PNG, "old.png",
                                        "Withdrawn slide", "", NOW)
    documents.remove_document(removed, meeting, chair, NOW)
    db.session.commit()

    start = meeting.start_at
    for at in (start - timedelta(days=7, minutes=-1), start - timedelta(hours=47)):
        reminders.queue_meeting_reminders(at, BASE)
        reminders.queue_pre_reads(at, BASE)
        db.session.commit()
    mails = {m.kind: m for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == member.email))}
    assert {"meeting-reminder", "pre-read"} <= set(mails)
    for kind in ("meeting-reminder", "pre-read"):
        mail = mails[kind]
        assert f"Background paper: {BASE}/documents/{paper.id}" in mail.body_text
        assert f'href="{BASE}/documents/{paper.id}"' in mail.body_html
        assert "Withdrawn slide" not in mail.body_text
        assert f"Statistik — Zahlen: {BASE}/documents/{item_doc.id}" in mail.body_text
    counts = notify.deliver_outbox(now=start, settings=settings(smtp_server.port))
    assert counts["sent"] >= 2
    bodies = [part.get_payload(decode=True).decode("utf-8") for m in smtp_server.messages
              if member.email in m["To"] for part in m.walk()
              if part.get_content_type() == "text/plain"]
    assert any(f"{BASE}/documents/{paper.id}" in body for body in bodies)
