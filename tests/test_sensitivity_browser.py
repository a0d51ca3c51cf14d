"""In Chromium: a chair marks a meeting TLP:RED on its Sensitivity page; the member's calendar
feed no longer has it and the next notice e-mail is the generic one. The labelled pages pass
axe (the badge's contrast) and are photographed at 1280 and 390 px."""

import os
from datetime import time, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from tests.notify.test_services import settings as smtp_settings
from tests.ux.test_axe import run_axe
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import services as meetings
from wg.notify import services as notify
from wg.notify.models import OutboxMessage
from wg.sensitivity import Sensitivity

pytestmark = pytest.mark.slow
SHOTS = os.environ.get("TLP_SCREENSHOTS")  # a folder: also save the screenshots there


def _shoot(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        png = page.screenshot(full_page=True)
        assert png
        if SHOTS:
            with open(os.path.join(SHOTS, f"{name}-{width}.png"), "wb") as f:
                f.write(png)
        bad = [v for v in run_axe(page) if v[0] == "color-contrast"]
        assert bad == [], (name, width, bad)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_chair_marks_a_meeting_red_and_it_leaves_the_feed_and_the_mail(
        ctx, live_server, page, smtp_server):
    world = factories.coalition()
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    member = world["people"]["member"]
    now = utcnow()
    data = meetings.MeetingInput(title="Precursor route review",
                                 day=(now + timedelta(days=4)).date(), start_time=time(14, 0),
                                 timezone="Europe/Vienna", duration_minutes=60, place="Vienna",
                                 video_url="")
    meeting = meetings.add_extra_meeting(group, chair, data, now)
    factories.action(group, title="Map the ports", actor=chair, now=now)
    amber = factories.action(group, title="Share seizure data", actor=chair, now=now)
    amber.sensitivity = Sensitivity.amber
    db.session.commit()
    feed_url = f"{live_server}/calendar/{member.calendar_token}.ics"
    assert b"Precursor route review" in page.request.get(feed_url).body()

    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(chair.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/meetings/{meeting.id}")
    expect(page.locator("h1 .tlp-badge")).to_have_text("TLP:GREEN")
    page.get_by_role("link", name="Sensitivity").click()
    page.get_by_label("Meeting (TLP)").select_option("RED")
    page.get_by_role("button", name="Save labels").click()
    expect(page.get_by_text("Labels saved.")).to_be_visible()
    expect(page.locator("h1 .tlp-badge")).to_have_text("TLP:RED")
    _shoot(page, "meeting-red")
    page.goto(f"{live_server}/actions/?group=swg1-1")
    expect(page.locator("table .tlp-amber")).to_have_text("TLP:AMBER")
    _shoot(page, "actions-list")

    # The feed: the meeting is gone.
    body = page.request.get(feed_url).body()
    assert b"Precursor route review" not in body
    assert Calendar.from_ical(body).walk("VEVENT") == []
    # The next notice: the chair moves the meeting; the member's mail is the generic one.
    db.session.expire_all()
    meeting = db.session.get(type(meeting), meeting.id)
    meetings.reschedule_meeting(meeting, chair, meetings.MeetingInput(
        **dict(data.__dict__, start_time=time(15, 0))), utcnow())
    db.session.commit()
    notify.deliver_outbox(now=utcnow(), settings=smtp_settings(smtp_server.port))
    (mail,) = [m for m in smtp_server.messages if m["To"] == member.email
               and m["X-WG-Key"].startswith("meeting-changed:")]
    assert mail["Subject"] == "A RED item changed; sign in to see it"
    assert "Precursor route review" not in mail.as_string()
    assert db.session.scalar(select(OutboxMessage.subject).where(
        OutboxMessage.kind == "meeting-changed", OutboxMessage.recipient == member.email)) \
        == "A RED item changed; sign in to see it"
