"""The attendance sheet: a first guess from the "yes" answers until attendance is recorded,
sorted by name, filterable, with its Save bar in reach on a phone."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from tests.browser import log_in
from tests.meetings.helpers import make_series
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import Attendance, Meeting, Rsvp, RsvpAnswer


@pytest.fixture()
def sheet(ctx):
    w = factories.coalition()
    group, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    now = utcnow()
    series = make_series(group, chair, now, first_date=(now - timedelta(days=40)).date())
    past = [m for m in db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                                          .order_by(Meeting.start_at)) if m.start_at < now][-1]
    yes = factories.person(name="Zoë Yes", participant_code="GHA")
    no = factories.person(name="Ángel No", participant_code="GHA")
    former = factories.person(name="Former Member", participant_code="GHA")
    for p in (yes, no):
        factories.membership(p, group)
    for p, answer in ((yes, RsvpAnswer.yes), (no, RsvpAnswer.no), (former, RsvpAnswer.yes)):
        db.session.add(Rsvp(meeting_id=past.id, person_id=p.id, answer=answer, answered_at=now))
    db.session.commit()
    return dict(w, meeting=past, yes=yes, no=no, former=former, chair=chair, now=now)


def test_first_guess_is_the_members_who_said_yes_until_recorded(sheet):
    m = sheet["meeting"]
    members = [p.id for p, _ in services.roster(m.group)]
    people, participants, from_rsvp = services.attendance_ticks(m, members)
    # The former member's "yes" cannot be saved (not in the group), so it is no guess.
    assert people == from_rsvp == {sheet["yes"].id}
    assert participants == set()
    services.record_attendance(m, sheet["chair"], [sheet["no"].id], [], sheet["now"],
                               expected_version=m.version)
    db.session.commit()
    people, _, from_rsvp = services.attendance_ticks(m, members)
    assert people == {sheet["no"].id} and from_rsvp == set()  # recorded attendance wins


def test_sheet_marks_the_guess_sorts_by_name_and_saves_once(sheet, login):
    m = sheet["meeting"]
    web = login("chair@example.org")
    html = web.get(f"/meetings/{m.id}/attendance").get_data(as_text=True)
    assert html.count("from RSVP") == 2  # the note above and Zoë's badge
    assert html.index("Ángel No") < html.index("Zoë Yes")  # collation: accents ignored
    assert 'data-filter="#att-list"' in html and "sticky-bottom" in html
    assert 'js/filter.js' in html
    form = {"version": str(m.version), "person": [str(sheet["yes"].id)]}
    first = web.post(f"/meetings/{m.id}/attendance", form)
    assert first.status_code == 302
    again = web.post(f"/meetings/{m.id}/attendance", form, form_page=f"/meetings/{m.id}/attendance")
    assert again.status_code == 409  # the version moved on: a repeated submit records nothing
    rows = db.session.scalars(select(Attendance.person_id).where(Attendance.meeting_id == m.id)).all()
    assert rows == [sheet["yes"].id]
    html = web.get(f"/meetings/{m.id}/attendance").get_data(as_text=True)
    assert "from RSVP" not in html


@pytest.mark.slow
def test_phone_filter_narrows_and_save_bar_stays_visible(sheet, live_server, browser):
    m = sheet["meeting"]
    group = m.group
    for i in range(80):  # a long sheet: the Save button would be far below on a phone
        factories.membership(factories.person(name=f"Delegate {i:02d}", participant_code="MEX"),
                             group)
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, "chair@example.org", factories.PASSWORD)
    page.goto(f"{live_server}/meetings/{m.id}/attendance")
    save = page.get_by_role("button", name="Save attendance")
    expect(save).to_be_in_viewport()
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    expect(save).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_text("from RSVP", exact=True)).to_be_visible()
    expect(page.locator('[data-count="person"]')).to_have_text("1")

    box = page.get_by_label("Find a person or a country")
    box.fill("zoe")  # accents ignored
    expect(page.get_by_label("Zoë Yes")).to_be_visible()
    expect(page.get_by_label("Delegate 05")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"^1 of \d+ shown$"))).to_be_visible()
    box.fill("mexico")  # a country's name shows all its people
    expect(page.get_by_label("Delegate 05")).to_be_visible()
    expect(page.get_by_label("Zoë Yes")).to_be_hidden()
    page.get_by_label("Delegate 05").check()
    expect(page.locator('[data-count="person"]')).to_have_text("2")
    save.click()
    expect(page.get_by_text("Attendance saved: 2 people")).to_be_visible()
    context.close()
