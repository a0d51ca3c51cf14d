"""In Chromium: each guard rail a chair meets (issue 12) — the warning, the typed values kept,
"Save anyway" saving once — and the minutes skeleton and preview."""

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import meeting_input
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import AgendaItem, Meeting, MeetingSeries

pytestmark = pytest.mark.slow


@pytest.fixture()
def chair_page(ctx, live_server, page):
    world = factories.coalition()
    chair = world["people"]["chair"]
    db.session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(chair.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your upcoming meetings")).to_be_visible()
    return page, world


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_series_in_the_past_and_in_a_taken_slot(chair_page, live_server):
    page, world = chair_page
    page.goto(live_server + "/groups/swg1-1/series/new")
    page.get_by_label("Title", exact=True).fill("Series typed in 2020")
    page.get_by_label("First date").fill("2020-01-01")
    page.get_by_role("button", name="Save series").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The first date is in the past")
    expect(alert).to_contain_text("They will not be created")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Series typed in 2020")
    expect(page.get_by_label("First date")).to_have_value("2020-01-01")
    assert _count(MeetingSeries) == 0
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Series created with")).to_be_visible()
    assert _count(MeetingSeries) == 1
    assert _count(Meeting, Meeting.start_at < utcnow()) == 0

    # The same series again: its slot is taken; the warning links the meetings it overlaps.
    page.goto(live_server + "/groups/swg1-1/series/new")
    page.get_by_label("Title", exact=True).fill("Duplicate series")
    page.get_by_role("button", name="Save series").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This time overlaps")
    alert.get_by_role("link", name="Series typed in 2020").first.click()
    expect(page.get_by_role("heading", name="Series typed in 2020")).to_be_visible()
    assert _count(MeetingSeries) == 1


def test_extra_meeting_clash_then_save_anyway(chair_page, live_server):
    page, world = chair_page
    day = (utcnow() + timedelta(days=20)).date()
    services.add_extra_meeting(world["groups"]["SWG1.1"], world["people"]["chair"],
                               meeting_input(title="Plenary briefing", day=day,
                                             start_time=time(9, 0)), utcnow())
    db.session.commit()
    page.goto(live_server + "/groups/swg1-1/meetings/new")
    page.get_by_label("Title", exact=True).fill("Side meeting")
    page.get_by_label("Date (in the anchor zone)").fill(day.isoformat())
    page.get_by_label("Start time (local, in the anchor zone)").fill("09:30")
    page.get_by_role("button", name="Save meeting").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("link", name="Plenary briefing")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Side meeting")
    assert _count(Meeting, Meeting.title == "Side meeting") == 0
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Extra meeting added.")).to_be_visible()
    assert _count(Meeting, Meeting.title == "Side meeting") == 1


def test_agenda_over_the_slot_then_save_anyway(chair_page, live_server):
    page, world = chair_page
    chair = world["people"]["chair"]
    meeting = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        day=(utcnow() + timedelta(days=20)).date(), duration_minutes=90), utcnow())
    services.add_agenda_item(meeting, chair, services.AgendaInput(
        title="Opening and adoption of the agenda", minutes_allotted=80), utcnow())
    db.session.commit()
    page.goto(live_server + f"/meetings/{meeting.id}/agenda")
    page.get_by_label("Item", exact=True).fill("Precursor seizures")
    page.get_by_label("Minutes", exact=True).fill("30")
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "110 minutes, 20 more than the 90-minute meeting")
    expect(page.get_by_label("Item", exact=True)).to_have_value("Precursor seizures")
    assert _count(AgendaItem, AgendaItem.meeting_id == meeting.id) == 1
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Item added.")).to_be_visible()
    expect(page.locator("#agenda-total")).to_contain_text("110")
    assert _count(AgendaItem, AgendaItem.meeting_id == meeting.id) == 2


def test_overlong_title_is_refused_whole(chair_page, live_server):
    page, world = chair_page
    page.goto(live_server + "/groups/swg1-1/meetings/new")
    title = page.get_by_label("Title", exact=True)
    title.fill("T" * 5000)
    expect(title).to_have_value("T" * 5000)  # no maxlength: the browser does not cut it
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator("#title-error")).to_have_text("At most 200 characters (you typed 5000).")
    expect(page.locator("#error-summary a[href='#title']")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("T" * 5000)
    assert _count(Meeting) == 0


def test_minutes_skeleton_preview_and_publishing_after_the_end(chair_page, live_server):
    page, world = chair_page
    chair = world["people"]["chair"]
    now = utcnow()
    future = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        title="Next meeting", day=(now + timedelta(days=10)).date()), now)
    held = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        title="Held meeting", day=(now - timedelta(days=3)).date()), now)
    for meeting in (future, held):
        services.add_agenda_item(meeting, chair, services.AgendaInput(
            title="Early warning data", presenter="EMCDDA", minutes_allotted=25), now)
    db.session.commit()

    page.goto(live_server + f"/meetings/{future.id}/minutes")
    editor = page.get_by_label("Minutes (Markdown)")
    expect(editor).to_have_value(
        "## 1. Early warning data\n\n*Presenter: EMCDDA · 25 minutes*\n\n**Decisions:**\n\n- "
        "\n\n**Actions:**\n\n-\n")
    expect(page.get_by_role("button", name="Save and publish")).to_have_count(0)
    expect(page.get_by_text("Publishing opens when the meeting ends")).to_be_visible()

    page.goto(live_server + f"/meetings/{held.id}/minutes")
    editor = page.get_by_label("Minutes (Markdown)")
    editor.fill("## Early warning data\n\n**Agreed:** share the alerts monthly.")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview: not saved yet")
    expect(preview.locator("strong")).to_have_text("Agreed:")
    expect(preview).to_have_attribute("tabindex", "0")
    expect(page.get_by_label("Minutes (Markdown)")).to_have_value(
        "## Early warning data\n\n**Agreed:** share the alerts monthly.")
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).minutes_md == ""
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Minutes published.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).minutes_published_at is not None
