"""In Chromium: a chair creates a series, a member sees it in their own zone and RSVPs, the
chair records attendance."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from tests.meetings.helpers import meeting_input
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import Attendance, Meeting, MeetingSeries, Rsvp, RsvpAnswer


def _login(browser, base, person):
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your upcoming meetings")).to_be_visible()
    return page


def test_chair_creates_series_member_rsvps_chair_records_attendance(ctx, live_server, browser):
    world = factories.coalition()
    chair, member = world["people"]["chair"], world["people"]["member"]
    member.timezone = "Asia/Tokyo"
    db.session.commit()
    first_date = (utcnow() - timedelta(days=70)).date()

    page = _login(browser, live_server, chair)
    page.goto(live_server + "/groups/swg1-1/meetings")
    page.get_by_role("link", name="New monthly series").click()
    page.get_by_label("Title", exact=True).fill("SWG1.1 monthly meeting")
    page.get_by_label("Which", exact=True).select_option("2")
    page.get_by_label("Weekday", exact=True).select_option("1")
    page.get_by_label("Start time (local, in the anchor zone)").fill("14:00")
    page.get_by_label("Anchor time zone").select_option("Europe/Vienna")
    page.get_by_label("First date").fill(first_date.isoformat())
    page.get_by_role("button", name="Show what this time means for members").click()
    expect(page.get_by_text("members would meet outside 07:00–22:00")).to_be_visible()
    page.get_by_role("button", name="Save series").click()
    # The first date is in the past: the chair confirms; past dates are not created.
    expect(page.get_by_text("The first date is in the past")).to_be_visible()
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Series created with")).to_be_visible()

    db.session.expire_all()
    series = db.session.scalar(select(MeetingSeries))
    meetings = db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                                  .order_by(Meeting.start_at)).all()
    now = utcnow()
    upcoming = next(m for m in meetings if m.start_at > now)
    assert all(m.start_at > now for m in meetings)
    # A meeting held last week, to record its attendance.
    past = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        title="Last week", day=(now - timedelta(days=7)).date()), now)
    db.session.commit()

    member_page = _login(browser, live_server, member)
    member_page.goto(live_server + "/groups/swg1-1/meetings")
    tokyo = upcoming.start_at.astimezone(ZoneInfo("Asia/Tokyo"))
    end = tokyo + timedelta(minutes=upcoming.duration_minutes)
    # en_GB: "Tue, 8 Dec 2026, 22:00 – 23:30 (your time)" (thin spaces around the dash)
    shown = re.compile(re.escape(f"{tokyo:%a}, {tokyo.day} {tokyo:%b %Y, %H:%M}") + r"\s?–\s?"
                       + re.escape(f"{end:%H:%M} (your time)"))
    expect(member_page.get_by_text(shown).first).to_be_visible()
    member_page.get_by_role("link", name="SWG1.1 monthly meeting").first.click()
    expect(member_page.get_by_text(shown)).to_be_visible()
    expect(member_page.get_by_text(re.compile(r"14:00\s?–\s?15:30 in Vienna")).first).to_be_visible()
    member_page.get_by_role("button", name="Yes", exact=True).click()
    expect(member_page.get_by_text("Your answer: Yes")).to_be_visible()

    page.goto(live_server + f"/meetings/{past.id}")
    page.get_by_role("link", name="Attendance").click()
    page.get_by_label(member.name).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved: 1 person")).to_be_visible()

    db.session.expire_all()
    assert db.session.scalar(select(Rsvp.answer).where(Rsvp.person_id == member.id)) \
        is RsvpAnswer.yes
    assert db.session.scalars(select(Attendance.person_id).where(
        Attendance.meeting_id == past.id)).all() == [member.id]


def test_two_chairs_in_two_browsers_the_second_save_is_refused_with_409(ctx, live_server,
                                                                        browser):
    from tests.meetings.helpers import make_series
    from wg.groups.models import Role
    from wg.meetings import services

    world = factories.coalition()
    chair = world["people"]["chair"]
    co = factories.person("Co Chair", "cochair@example.org", "GHA")
    factories.membership(co, world["groups"]["SWG1.1"], Role.chair)
    now = utcnow()
    series = make_series(world["groups"]["SWG1.1"], chair, now,
                         first_date=(now - timedelta(days=70)).date())
    rows = db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .order_by(Meeting.start_at)).all()
    upcoming = next(m for m in rows if m.start_at > now)
    past = [m for m in rows if m.start_at < now][-1]
    db.session.commit()
    a, b = _login(browser, live_server, chair), _login(browser, live_server, co)

    def race(url, field, a_value, b_value, button):
        statuses = {}
        for page in (a, b):
            page.goto(live_server + url)
        a.get_by_label(field, exact=True).fill(a_value)
        a.get_by_role("button", name=button).click()
        b.on("response", lambda r: statuses.setdefault(r.url, r.status))
        b.get_by_label(field, exact=True).fill(b_value)
        b.get_by_role("button", name=button).click()
        expect(b.get_by_text("Not saved: this was changed by someone else.")).to_be_visible()
        expect(b.get_by_label(field, exact=True)).to_have_value(b_value)
        assert statuses[live_server + url] == 409
        expect(b.locator("#stale-edit")).to_contain_text("Cha Chair")

    race(f"/meetings/{upcoming.id}/edit", "Title", "A's title", "B's title", "Save meeting")
    race(f"/meetings/{past.id}/minutes", "Minutes (Markdown)", "A's paragraph.",
         "B's paragraph.", "Save minutes")
    race(f"/series/{series.id}/edit", "Place", "Room A", "Room B", "Save series")
    db.session.expire_all()
    assert db.session.get(Meeting, upcoming.id).title == "A's title"
    assert db.session.get(Meeting, past.id).minutes_md == "A's paragraph."
    assert db.session.get(MeetingSeries, series.id).place == "Room A"
    assert services.display_status(db.session.get(Meeting, past.id), utcnow()) == "awaiting"
