"""Pages: who gets 200, 403 or a redirect to the login, and the forms' answers to bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import make_series, meeting_input
from wg.db_types import utcnow
from wg.extensions import db
from wg.groups.models import Role
from wg.meetings import services
from wg.meetings.models import Meeting, MeetingSeries, MeetingStatus

ROLES = ["coordinator", "lead", "chair", "member", "other_member", "outsider", None]


@pytest.fixture()
def world(ctx):
    data = factories.coalition()
    group, chair = data["groups"]["SWG1.1"], data["people"]["chair"]
    now = utcnow()
    series = make_series(group, chair, now, first_date=(now - timedelta(days=70)).date())
    rows = db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .order_by(Meeting.start_at)).all()
    past = [m for m in rows if m.start_at < now][-1]
    upcoming = [m for m in rows if m.start_at > now][0]
    services.save_minutes(past, chair, "Minutes text", now)
    db.session.commit()
    data.update(series=series, past=past, upcoming=upcoming, group=group)
    return data


def _as(role, world, login, client):
    if role is None:
        return client
    return login(world["people"][role]).client


# (url builder, expected per role: coordinator, lead, chair, member, other_member, outsider)
READ = [200, 200, 200, 200, 403, 403]
EDIT = [403, 403, 200, 403, 403, 403]
PAGES = {
    "group list": (lambda w: f"/groups/{w['group'].slug}/meetings", READ),
    "past list": (lambda w: f"/groups/{w['group'].slug}/meetings?past=1", READ),
    "series": (lambda w: f"/series/{w['series'].id}", READ),
    "meeting": (lambda w: f"/meetings/{w['upcoming'].id}", READ),
    "past meeting": (lambda w: f"/meetings/{w['past'].id}", READ),
    "print": (lambda w: f"/meetings/{w['past'].id}/print", READ),
    "ics": (lambda w: f"/meetings/{w['upcoming'].id}.ics", READ),
    "new series": (lambda w: f"/groups/{w['group'].slug}/series/new", EDIT),
    "edit series": (lambda w: f"/series/{w['series'].id}/edit", EDIT),
    "extra": (lambda w: f"/groups/{w['group'].slug}/meetings/new", EDIT),
    "edit meeting": (lambda w: f"/meetings/{w['upcoming'].id}/edit", EDIT),
    "cancel": (lambda w: f"/meetings/{w['upcoming'].id}/cancel", EDIT),
    "agenda": (lambda w: f"/meetings/{w['upcoming'].id}/agenda", EDIT),
    "attendance": (lambda w: f"/meetings/{w['past'].id}/attendance", EDIT),
    "minutes": (lambda w: f"/meetings/{w['past'].id}/minutes", EDIT),
    "month calendar": (lambda w: "/meetings/calendar", [200, 200, 403, 403, 403, 403]),
    "calendar settings": (lambda w: "/calendar", [200] * 6),
    "home": (lambda w: "/", [200] * 6),
    "group page": (lambda w: f"/groups/{w['group'].slug}", [200, 200, 200, 200, 403, 403]),
    "participant page": (lambda w: "/participants/GHA", [200] * 6),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_sweep(world, login, client, page, role):
    url, expected = PAGES[page]
    response = _as(role, world, login, client).get(url(world))
    if role is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected[ROLES.index(role)], (page, role)


def test_draft_minutes_hidden_from_members_until_published(world, login):
    web = login(world["people"]["member"])
    page = web.get(f"/meetings/{world['past'].id}").get_data(as_text=True)
    assert "Minutes text" not in page
    services.publish_minutes(world["past"], world["people"]["chair"], utcnow())
    db.session.commit()
    page = web.get(f"/meetings/{world['past'].id}").get_data(as_text=True)
    assert "Minutes text" in page


def _series_form(**fields):
    data = {"title": "Monthly meeting", "rule_kind": "weekday", "week": "2", "weekday": "1",
            "month_day": "15", "start_time": "14:00", "timezone": "Europe/Vienna",
            "duration_minutes": "90", "place": "Online", "video_url": "",
            "first_date": f"{utcnow().year + 1}-01-01", "last_date": "", "submit": "Save series"}
    data.update(fields)
    return data


@pytest.mark.parametrize("fields, message", [
    ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
    ({"start_time": "02:30", "week": "-1", "weekday": "6"}, "does not exist in Europe/Vienna"),
    ({"first_date": "2026-05-01", "last_date": "2026-04-01"}, "last date is before"),
    ({"first_date": "2026-03-15", "last_date": "2026-03-31", "week": "1"}, "No meeting falls"),
    ({"first_date": "9999-01-01"}, "Choose a date between"),
    ({"duration_minutes": "abc"}, "Not a valid integer"),
    ({"rule_kind": "yearly"}, "Not a valid choice"),
])
def test_bad_series_input_shows_message_keeps_values_saves_nothing(world, login, fields,
                                                                    message):
    web = login(world["people"]["chair"])
    url = f"/groups/{world['group'].slug}/series/new"
    before = db.session.scalar(select(func.count()).select_from(Meeting))
    response = web.post(url, _series_form(**fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Monthly meeting"' in page  # the typed values stay in the form
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == before
    assert db.session.scalar(select(func.count()).select_from(MeetingSeries)) == 1


def test_preview_shows_time_summary_without_saving(world, login):
    web = login(world["people"]["chair"])
    url = f"/groups/{world['group'].slug}/series/new"
    response = web.post(url, _series_form(submit="", preview="Show"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "members would meet outside 07:00–22:00" in page
    assert db.session.scalar(select(func.count()).select_from(MeetingSeries)) == 1


def test_chair_creates_series_and_edits_it(world, login):
    web = login(world["people"]["chair"])
    response = web.post(f"/groups/{world['group'].slug}/series/new",
                        _series_form(title="Second series", rule_kind="monthday",
                                     month_day="31"))
    assert response.status_code == 302
    series = db.session.scalar(select(MeetingSeries).where(MeetingSeries.title == "Second series"))
    assert series.month_day == 31
    response = web.post(f"/series/{series.id}/edit",
                        _series_form(title="Second series", rule_kind="monthday",
                                     month_day="31", start_time="15:00"))
    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "future meetings updated" in page


def test_chair_of_another_group_gets_403_on_post(world, login):
    other_group = world["groups"]["SWG3.2"]
    other_chair = factories.person("Other Chair", participant_code="ITA")
    factories.membership(other_chair, other_group, factories.Role.chair)
    db.session.commit()
    web = login(other_chair)
    meeting = world["upcoming"]
    token = web.token("/profile")
    for url in [f"/meetings/{meeting.id}/cancel", f"/meetings/{meeting.id}/edit",
                f"/meetings/{meeting.id}/agenda", f"/series/{world['series'].id}/edit"]:
        response = web.client.post(url, data={"csrf_token": token, "reason": "x", "title": "x"})
        assert response.status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.scheduled


def test_cancel_reset_rsvp_and_minutes_flow(world, login):
    chair_web = login(world["people"]["chair"])
    upcoming, past = world["upcoming"], world["past"]
    response = chair_web.post(f"/meetings/{upcoming.id}/cancel", {"reason": ""})
    assert response.status_code == 422
    response = chair_web.post(f"/meetings/{upcoming.id}/minutes",
                              {"m-minutes": "<script>alert(1)</script>", "m-submit": "Save"},
                              form_page=f"/meetings/{upcoming.id}/minutes")
    assert response.status_code == 422
    assert "HTML tags" in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)
    response = chair_web.post(f"/meetings/{upcoming.id}/cancel", {"reason": "Holiday"})
    assert response.status_code == 302
    # The agenda can be reordered with plain forms.
    for title in ["One", "Two"]:
        chair_web.post(f"/meetings/{past.id}/agenda", {"title": title})
    items = past.agenda_items
    db.session.expire_all()
    items = db.session.get(Meeting, past.id).agenda_items
    assert [i.title for i in items] == ["One", "Two"]
    chair_web.post(f"/meetings/{past.id}/agenda/{items[1].id}/move", {"direction": "up"},
                   form_page=f"/meetings/{past.id}/agenda")
    db.session.expire_all()
    assert [i.title for i in db.session.get(Meeting, past.id).agenda_items] == ["Two", "One"]


def test_calendar_token_reset_by_owner(world, login):
    member = world["people"]["member"]
    old = member.calendar_token
    web = login(member)
    assert web.get(f"/calendar/{old}.ics").status_code == 200
    response = web.post("/calendar/reset", {"next": "profile"}, form_page="/profile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")
    db.session.expire_all()
    assert db.session.get(type(member), member.id).calendar_token != old
    assert web.get(f"/calendar/{old}.ics").status_code == 404
    # Without a CSRF token the reset is refused.
    assert web.client.post("/calendar/reset").status_code == 400


def test_feed_needs_no_session_and_unknown_token_is_404(world, client):
    member = world["people"]["member"]
    response = client.get(f"/calendar/{member.calendar_token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in response.data
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    etag = response.headers["ETag"].strip('"')
    again = client.get(f"/calendar/{member.calendar_token}.ics",
                       headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304
    services.cancel_meeting(world["upcoming"], world["people"]["chair"], "Holiday", utcnow())
    db.session.commit()
    changed = client.get(f"/calendar/{member.calendar_token}.ics",
                         headers={"If-None-Match": f'"{etag}"'})
    assert changed.status_code == 200 and b"STATUS:CANCELLED" in changed.data


def test_month_calendar_lists_meetings(world, login):
    web = login(world["people"]["coordinator"])
    month = world["upcoming"].start_at.strftime("%Y-%m")
    page = web.get(f"/meetings/calendar?month={month}").get_data(as_text=True)
    assert f"/meetings/{world['upcoming'].id}" in page
    for month in ["garbage", "9999-12", "2026-13", "0-1"]:
        assert web.get(f"/meetings/calendar?month={month}").status_code == 200


def test_group_list_is_paginated(world, login):
    web = login(world["people"]["member"])
    page = web.get(f"/groups/{world['group'].slug}/meetings").get_data(as_text=True)
    assert "page=2" in page
    assert web.get(f"/groups/{world['group'].slug}/meetings?page=2").status_code == 200


def test_attendance_post_records_and_shows_on_group_and_participant_pages(world, login):
    chair_web = login(world["people"]["chair"])
    member = world["people"]["member"]
    past = world["past"]
    response = chair_web.post(f"/meetings/{past.id}/attendance", {"person": [str(member.id)]})
    assert response.status_code == 302
    page = chair_web.get(f"/groups/{world['group'].slug}").get_data(as_text=True)
    assert "Attendance over time" in page
    page = chair_web.get("/participants/GHA").get_data(as_text=True)
    assert "100%" in page
    bad = chair_web.post(f"/meetings/{past.id}/attendance",
                         {"person": [str(world['people']['outsider'].id)]},
                         form_page=f"/meetings/{past.id}/attendance")
    assert bad.status_code == 422


def test_attendance_form_starts_from_yes_answers(world, login):
    member = world["people"]["member"]
    past = world["past"]
    rsvp = services.Rsvp(meeting_id=past.id, person_id=member.id,
                         answer=services.RsvpAnswer.yes, answered_at=utcnow())
    db.session.add(rsvp)
    db.session.commit()
    page = login(world["people"]["chair"]).get(f"/meetings/{past.id}/attendance")
    html = page.get_data(as_text=True)
    assert f'value="{member.id}" id="person-{member.id}" checked' in html


def _count_queries(fn):
    from sqlalchemy import event

    count = [0]

    def before(*args, **kwargs):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count[0]


def test_query_counts_do_not_grow_with_data(world, login):
    from flask import g

    from wg.auth.models import Person
    from wg.groups.models import Group

    web = login(world["people"]["chair"])
    member_id, chair_id = world["people"]["member"].id, world["people"]["chair"].id
    group_id, past_id, upcoming_id = world["group"].id, world["past"].id, world["upcoming"].id
    urls = [f"/groups/{world['group'].slug}/meetings", f"/meetings/{past_id}",
            f"/series/{world['series'].id}",
            f"/calendar/{world['people']['member'].calendar_token}.ics", "/"]

    def counts():
        result = []
        for url in urls:
            # Each request starts as in production: an empty identity map, no cached user.
            db.session.remove()
            g.pop("_login_user", None)
            result.append(_count_queries(lambda u=url: web.get(u)))
        db.session.remove()
        return result

    def get(model, key):
        return db.session.get(model, key)

    services.record_attendance(get(Meeting, past_id), get(Person, chair_id), [member_id], [],
                               utcnow())
    services.set_rsvp(get(Meeting, upcoming_id), get(Person, member_id), "yes", utcnow())
    db.session.commit()
    before = counts()
    # More members, more meetings and attendance: the pages must not issue more statements.
    group = get(Group, group_id)
    extra = [factories.person(f"Extra {i}", participant_code=code)
             for i, code in enumerate(["FRA", "JPN", "BRA", "KEN", "AUS", "CAN"])]
    for person in extra:
        factories.membership(person, group)
        services.set_rsvp(get(Meeting, upcoming_id), person, "maybe", utcnow())
    services.add_extra_meeting(group, get(Person, chair_id),
                               meeting_input(day=utcnow().date() + timedelta(days=3)), utcnow())
    services.record_attendance(get(Meeting, past_id), get(Person, chair_id),
                               [p.id for p in extra] + [member_id], [], utcnow())
    db.session.commit()
    assert counts() == before
    assert max(before) <= 15  # the benchmark budget (issue 6): at most 15 statements a page


def test_calendar_page_offers_webcal_and_reminder_choice(world, login, app):
    world["app_base"] = app.config["BASE_URL"]
    member = world["people"]["member"]
    web = login(member)
    page = web.get("/calendar").get_data(as_text=True)
    host = world["app_base"].split("://", 1)[1]
    assert f'href="webcal://{host}/calendar/{member.calendar_token}.ics"' in page
    response = web.post("/calendar", {"alarm_minutes": "60"})
    assert response.status_code == 302
    assert services.alarm_minutes(member) == 60
    response = web.post("/calendar", {"alarm_minutes": "7"})
    assert response.status_code == 422


def _version(html, name="version"):
    import re

    match = re.search(rf'name="{name}"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{name}"', html)
    assert match, f"no {name} field"
    return match.group(1)


def _two_chairs(world, app, login):
    """Two browsers, each with its own session. The tests run inside one app context, where
    Flask-Login (the user) and Flask-WTF (the CSRF token) cache on `g`; each request here
    starts without those caches."""
    from flask import g

    from tests.conftest import CSRFClient

    def fresh():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    class Browser(CSRFClient):
        def token(self, path="/login"):
            fresh()
            return super().token(path)

        def get(self, *args, **kwargs):
            fresh()
            return super().get(*args, **kwargs)

        def post(self, path, data=None, form_page=None, **kwargs):
            data = dict(data or {})
            data.setdefault("csrf_token", self.token(form_page or path))
            fresh()
            return self.client.post(path, data=data, **kwargs)

    co = factories.person("Co Chair", "cochair@example.org", "GHA")
    factories.membership(co, world["group"], Role.chair)
    db.session.commit()
    browsers = []
    for person in (world["people"]["chair"], co):
        web = Browser(app.test_client())
        assert web.post("/login", {"email": person.email,
                                   "password": "correct-horse-battery"}).status_code == 302
        browsers.append(web)
    return browsers


def _meeting_form(meeting, version, **changes):
    data = services.meeting_input(meeting)
    form = {"title": data.title, "day": data.day.isoformat(),
            "start_time": data.start_time.strftime("%H:%M"), "timezone": data.timezone,
            "duration_minutes": str(data.duration_minutes), "place": data.place,
            "video_url": data.video_url, "version": version, "submit": "Save meeting"}
    form.update(changes)
    return form


def test_two_chairs_editing_a_meeting_the_second_gets_409_and_keeps_the_first(
        world, app, login):
    a, b = _two_chairs(world, app, login)
    meeting = world["upcoming"]
    url = f"/meetings/{meeting.id}/edit"
    seen_a = _version(a.get(url).get_data(as_text=True))
    seen_b = _version(b.get(url).get_data(as_text=True))
    assert a.post(url, _meeting_form(meeting, seen_a, title="A's new title"),
                  form_page=url).status_code == 302
    response = b.post(url, _meeting_form(meeting, seen_b, place="B's new place"), form_page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not saved: this was changed by someone else" in html
    assert "Cha Chair" in html and "title" in html
    assert 'value="B&#39;s new place"' in html or "value=\"B's new place\"" in html
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert saved.title == "A's new title" and saved.place != "B's new place"
    # The re-rendered form carries the current version: saving again is deliberate and works.
    again = _version(html)
    assert b.post(url, _meeting_form(saved, again, place="B's new place"),
                  form_page=url).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert (saved.title, saved.place) == ("A's new title", "B's new place")


def test_two_chairs_editing_minutes_the_second_gets_409_and_keeps_the_first(world, app, login):
    a, b = _two_chairs(world, app, login)
    past = world["past"]
    url = f"/meetings/{past.id}/minutes"
    seen_a = _version(a.get(url).get_data(as_text=True), "m-version")
    seen_b = _version(b.get(url).get_data(as_text=True), "m-version")
    assert a.post(url, {"m-minutes": "A's paragraph.", "m-version": seen_a,
                        "m-submit": "Save minutes"}, form_page=url).status_code == 302
    response = b.post(url, {"m-minutes": "B's paragraph.", "m-version": seen_b,
                            "m-submit": "Save minutes"}, form_page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "minutes" in html and "B&#39;s paragraph." in html
    db.session.expire_all()
    assert db.session.get(Meeting, past.id).minutes_md == "A's paragraph."


def test_stale_agenda_buttons_and_series_edit_answer_409(world, app, login):
    a, b = _two_chairs(world, app, login)
    past = world["past"]
    item = services.add_agenda_item(past, world["people"]["chair"],
                                    services.AgendaInput(title="Item"), utcnow())
    db.session.commit()
    agenda = f"/meetings/{past.id}/agenda"
    assert a.post(f"{agenda}/{item.id}/done", {"done": "1", "version": "1"},
                  form_page=agenda).status_code == 302
    response = b.post(f"{agenda}/{item.id}/delete", {"version": "1"}, form_page=agenda)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(type(item), item.id) is not None
    series = world["series"]
    url = f"/series/{series.id}/edit"
    html = b.get(url).get_data(as_text=True)
    assert _version(html) == str(series.version)
    assert "History</a>" in b.get(f"/series/{series.id}").get_data(as_text=True)
    assert "History</a>" in b.get(f"/meetings/{past.id}").get_data(as_text=True)


def test_a_past_meeting_is_shown_awaiting_attendance(world, login):
    html = login(world["people"]["member"]).get(
        f"/meetings/{world['past'].id}").get_data(as_text=True)
    assert "Awaiting attendance/minutes" in html


@pytest.mark.parametrize("version", ["abc", "-1", "99999999999999", "1e3", "", " 2 "])
def test_meeting_edit_never_500s_on_a_bad_version(world, login, version):
    web = login(world["people"]["chair"])
    meeting = world["upcoming"]
    url = f"/meetings/{meeting.id}/edit"
    response = web.post(url, _meeting_form(meeting, version), form_page=url)
    assert response.status_code in (302, 400, 409, 422)  # 400: the shared input check


def test_stale_cancel_restore_and_attendance_answer_409(world, app, login):
    a, b = _two_chairs(world, app, login)
    upcoming, past = world["upcoming"], world["past"]
    cancel = f"/meetings/{upcoming.id}/cancel"
    seen_b = _version(b.get(cancel).get_data(as_text=True))
    assert a.post(cancel, {"reason": "Holiday", "version": seen_b},
                  form_page=cancel).status_code == 302
    response = b.post(cancel, {"reason": "B's reason", "version": seen_b}, form_page=cancel)
    assert response.status_code == 409 and "B&#39;s reason" in response.get_data(as_text=True)
    detail = f"/meetings/{upcoming.id}"
    assert b.post(f"{detail}/restore", {"version": seen_b}, form_page=detail).status_code == 409
    db.session.expire_all()
    current = str(db.session.get(Meeting, upcoming.id).version)
    assert b.post(f"{detail}/restore", {"version": current}, form_page=detail).status_code == 302
    attendance = f"/meetings/{past.id}/attendance"
    seen = _version(b.get(attendance).get_data(as_text=True))
    member = world["people"]["member"]
    assert a.post(attendance, {"person": [str(member.id)], "version": seen},
                  form_page=attendance).status_code == 302
    response = b.post(attendance, {"person": [], "version": seen}, form_page=attendance)
    assert response.status_code == 409
    db.session.expire_all()
    people, _ = services.attendance_of(db.session.get(Meeting, past.id))
    assert people == {member.id}


def test_two_chairs_editing_an_agenda_item_the_second_gets_409(world, app, login):
    a, b = _two_chairs(world, app, login)
    past = world["past"]
    item = services.add_agenda_item(past, world["people"]["chair"],
                                    services.AgendaInput(title="Item"), utcnow())
    db.session.commit()
    url = f"/meetings/{past.id}/agenda/{item.id}/edit"
    seen = _version(a.get(url).get_data(as_text=True))
    assert _version(b.get(url).get_data(as_text=True)) == seen
    assert a.post(url, {"title": "A's title", "version": seen}, form_page=url).status_code == 302
    response = b.post(url, {"title": "B's title", "version": seen}, form_page=url)
    assert response.status_code == 409 and "B&#39;s title" in response.get_data(as_text=True)
    assert b.post(url, {"title": "", "version": "x"}, form_page=url).status_code == 422
    db.session.expire_all()
    assert db.session.get(type(item), item.id).title == "A's title"
    assert a.get(f"/meetings/{past.id}/agenda/999999/edit").status_code == 404
