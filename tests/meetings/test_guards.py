"""Guard rails for chairs (issue 12): warnings confirmed with a token, refusals that say why."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import make_series, meeting_input, series_input
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import AgendaItem, Meeting, MeetingSeries
from wg.meetings.services import guards


@pytest.fixture()
def world(ctx):
    return factories.coalition()


def _codes(warnings):
    return [w.code for w in warnings]


# ---------------------------------------------------------------- series: past start


def test_new_series_starting_in_the_past_warns_with_the_count_and_creates_only_future(world,
                                                                                      now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    data = series_input(first_date=date(2025, 1, 1))
    warnings = guards.series_warnings(group, data, now, "Europe/Vienna")
    assert _codes(warnings) == ["past_start"]
    # Second Tuesdays at 14:00 Vienna, January 2025 to February 2026; 10 March 2026 14:00 is
    # still ahead of `now` (12:00 UTC).
    assert "14 meetings of this series" in warnings[0].message
    assert "10 Mar 2026" in warnings[0].message

    series = services.create_series(group, chair, data, now)
    starts = db.session.scalars(select(Meeting.start_at).where(
        Meeting.series_id == series.id)).all()
    assert starts and min(starts) > now
    assert series.first_date == date(2026, 3, 10)
    # A later run of the materializer never fills the past in.
    assert services.extend_series(series, now + timedelta(days=40)) == 1
    assert db.session.scalar(select(func.count(Meeting.id)).where(
        Meeting.series_id == series.id, Meeting.start_at < now)) == 0


def test_series_wholly_in_the_past_is_refused(world, now):
    group = world["groups"]["SWG1.1"]
    data = series_input(first_date=date(2025, 1, 1), last_date=date(2025, 12, 31))
    with pytest.raises(ValidationError) as exc:
        guards.series_warnings(group, data, now, "UTC")
    assert "in the past" in exc.value.errors["first_date"]
    with pytest.raises(ValidationError):
        services.create_series(group, world["people"]["chair"], data, now)
    assert db.session.scalar(select(func.count(MeetingSeries.id))) == 0


def test_future_series_in_a_free_slot_has_no_warning(world, now):
    data = series_input(first_date=date(2026, 4, 1))
    assert guards.series_warnings(world["groups"]["SWG1.1"], data, now, "UTC") == []


# ---------------------------------------------------------------- clashes


def test_duplicate_series_in_an_occupied_slot_clashes_and_names_the_meetings(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    first = make_series(group, chair, now, first_date=date(2026, 4, 1))
    data = series_input(first_date=date(2026, 4, 1), title="Duplicate", start_time=time(15, 0))
    warnings = guards.series_warnings(group, data, now, "UTC")
    assert _codes(warnings) == ["clash"]
    assert warnings[0].message == "This time overlaps 12 other meetings of the group:"
    assert len(warnings[0].meetings) == guards.SHOWN_CLASHES
    assert warnings[0].more == 12 - guards.SHOWN_CLASHES
    assert all(m.series_id == first.id for m in warnings[0].meetings)
    # Editing the series itself does not clash with its own meetings.
    assert guards.series_warnings(group, data, now, "UTC", series=first) == []


def test_same_slot_in_another_group_is_not_a_clash(world, now):
    chair = world["people"]["chair"]
    make_series(world["groups"]["SWG1.1"], chair, now, first_date=date(2026, 4, 1))
    data = series_input(first_date=date(2026, 4, 1))
    assert guards.series_warnings(world["groups"]["SWG1.2"], data, now, "UTC") == []
    extra = meeting_input(day=date(2026, 4, 14), start_time=time(14, 0))
    assert guards.meeting_warnings(world["groups"]["SWG1.2"], extra, now, "UTC") == []


def test_one_off_meeting_overlapping_by_a_minute_clashes_back_to_back_does_not(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    make_series(group, chair, now, first_date=date(2026, 4, 1))  # 14:00-15:30 Vienna
    overlapping = meeting_input(day=date(2026, 4, 14), start_time=time(15, 29))
    warnings = guards.meeting_warnings(group, overlapping, now, "UTC")
    assert _codes(warnings) == ["clash"]
    assert warnings[0].meetings[0].start_at == datetime(2026, 4, 14, 12, 0, tzinfo=UTC)
    for start, minutes in [(time(15, 30), 60), (time(13, 0), 60)]:
        back_to_back = meeting_input(day=date(2026, 4, 14), start_time=start,
                                     duration_minutes=minutes)
        assert guards.meeting_warnings(group, back_to_back, now, "UTC") == []


def test_cancelled_meeting_does_not_clash_and_a_meeting_never_clashes_with_itself(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    data = meeting_input(day=date(2026, 4, 20))
    meeting = services.add_extra_meeting(group, chair, data, now)
    assert guards.meeting_warnings(group, data, now, "UTC", meeting=meeting) == []
    assert _codes(guards.meeting_warnings(group, data, now, "UTC")) == ["clash"]
    services.cancel_meeting(meeting, chair, "Moved", now)
    assert guards.meeting_warnings(group, data, now, "UTC") == []


def test_meeting_in_the_past_warns_only_when_new_or_moved(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    data = meeting_input(day=date(2026, 3, 2))
    warnings = guards.meeting_warnings(group, data, now, "Europe/Vienna")
    assert _codes(warnings) == ["past_start"]
    assert "is in the past" in warnings[0].message
    meeting = services.add_extra_meeting(group, chair, data, now)
    retitled = meeting_input(day=date(2026, 3, 2), title="Held on 2 March")
    assert guards.meeting_warnings(group, retitled, now, "UTC", meeting=meeting) == []


# ---------------------------------------------------------------- agenda over the slot


def test_agenda_longer_than_the_slot_warns_with_the_figures(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = services.add_extra_meeting(group, chair, meeting_input(duration_minutes=90), now)
    first = services.add_agenda_item(meeting, chair, services.AgendaInput(
        title="Seizures", minutes_allotted=60), now)
    fits = services.AgendaInput(title="Data", minutes_allotted=30)
    assert guards.agenda_warnings(meeting, fits) == []
    over = services.AgendaInput(title="Data", minutes_allotted=50)
    warnings = guards.agenda_warnings(meeting, over)
    assert _codes(warnings) == ["agenda_over"]
    assert warnings[0].message == ("The agenda adds up to 110 minutes, 20 more than the "
                                   "90-minute meeting.")
    # Editing an item counts its new time instead of its old one.
    assert guards.agenda_warnings(meeting, services.AgendaInput(
        title="Seizures", minutes_allotted=90), item=first) == []
    with pytest.raises(ValidationError):
        guards.agenda_warnings(meeting, services.AgendaInput(title="", minutes_allotted=10))


def test_token_changes_with_the_warnings(world, now):
    a = guards.GuardWarning("clash", "1", "x")
    b = guards.GuardWarning("clash", "1,2", "x")
    assert guards.token([a]) != guards.token([b])
    assert guards.confirmed([], None)
    assert guards.confirmed([a], guards.token([a]))
    assert not guards.confirmed([a, b], guards.token([a]))
    assert not guards.confirmed([a], "")


# ---------------------------------------------------------------- minutes before the end


def test_minutes_cannot_be_published_before_the_meeting_ends_drafts_can_be_saved(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    chair.timezone = "Asia/Tokyo"
    meeting = services.add_extra_meeting(group, chair, meeting_input(
        day=date(2026, 3, 20), start_time=time(15, 0), duration_minutes=60), now)
    services.save_minutes(meeting, chair, "Draft", now)
    assert meeting.minutes_md == "Draft"
    with pytest.raises(ValidationError) as exc:
        services.publish_minutes(meeting, chair, now)
    # It ends at 16:00 Vienna = 00:00 JST the next day, said in the reader's zone.
    assert "21 Mar 2026, 00:00 JST" in exc.value.errors["minutes"]
    assert meeting.minutes_published_at is None
    with pytest.raises(ValidationError):
        services.publish_minutes(meeting, chair, meeting.end_at - timedelta(seconds=1))
    services.publish_minutes(meeting, chair, meeting.end_at)
    assert meeting.minutes_published_at == meeting.end_at


# ---------------------------------------------------------------- text longer than a field


@pytest.mark.parametrize("field, limit", [("title", 200), ("place", 300), ("video_url", 500)])
def test_overlong_meeting_text_is_refused_with_the_limit_never_cut(world, now, field, limit):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    text = "https://x.org/" + "a" * 5000 if field == "video_url" else "a" * 5000
    with pytest.raises(ValidationError) as exc:
        services.add_extra_meeting(group, chair, meeting_input(**{field: text}), now)
    assert exc.value.errors[field] == (f"At most {limit} characters (you typed {len(text)}).")
    with pytest.raises(ValidationError):
        services.create_series(group, chair, series_input(first_date=date(2026, 4, 1),
                                                          **{field: text}), now)
    assert db.session.scalar(select(func.count(Meeting.id))) == 0
    ok = "a" * limit if field != "video_url" else "https://x.org/" + "a" * (limit - 14)
    meeting = services.add_extra_meeting(group, chair, meeting_input(**{field: ok}), now)
    assert getattr(meeting, field) == ok


def test_overlong_agenda_text_is_refused_with_the_limit(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = services.add_extra_meeting(group, chair, meeting_input(), now)
    for field, limit in [("title", 300), ("presenter", 200), ("notes", 5000)]:
        values = {"title": "Item", field: "é" * (limit + 1)}
        with pytest.raises(ValidationError) as exc:
            services.add_agenda_item(meeting, chair, services.AgendaInput(**values), now)
        assert exc.value.errors[field] == f"At most {limit} characters (you typed {limit + 1})."
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 0


# ---------------------------------------------------------------- minutes skeleton


def test_minutes_skeleton_follows_the_agenda_and_attendance():
    items = [SimpleNamespace(title="Precursor  seizures\n2025", presenter="UNODC",
                             minutes_allotted=20),
             SimpleNamespace(title="Any other business", presenter="", minutes_allotted=None)]
    assert services.minutes_skeleton(items, people=12, participants=1) == (
        "Present: 12 people, representing 1 country or organization.\n\n"
        "## 1. Precursor seizures 2025\n\n*Presenter: UNODC · 20 minutes*\n\n"
        "**Decisions:**\n\n- \n\n**Actions:**\n\n- \n\n"
        "## 2. Any other business\n\n"
        "**Decisions:**\n\n- \n\n**Actions:**\n\n-\n")
    assert services.minutes_skeleton([]) == ""


# ---------------------------------------------------------------- through the pages


@pytest.fixture()
def chair_web(world, login):
    return login(world["people"]["chair"])


def _series_form(**fields):
    data = {"title": "Monthly meeting", "rule_kind": "weekday", "week": "2", "weekday": "1",
            "month_day": "15", "start_time": "14:00", "timezone": "Europe/Vienna",
            "duration_minutes": "90", "place": "Online", "video_url": "",
            "first_date": "2020-01-01", "last_date": "", "submit": "Save series"}
    data.update(fields)
    return data


def _token(page):
    import re

    match = re.search(r'name="confirm" value="([0-9a-f]+)"', page)
    assert match, "no Save anyway button"
    return match.group(1)


def _series_count():
    return db.session.scalar(select(func.count(MeetingSeries.id)))


def test_series_form_warns_keeps_values_then_confirm_saves_exactly_once(world, chair_web):
    url = "/groups/swg1-1/series/new"
    first = chair_web.post(url, _series_form(title="Series typed in 2020"))
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "The first date is in the past" in page and "Save anyway" in page
    assert 'value="Series typed in 2020"' in page and 'value="2020-01-01"' in page
    assert _series_count() == 0

    confirm = _series_form(title="Series typed in 2020", confirm=_token(page))
    del confirm["submit"]
    saved = chair_web.post(url, confirm)
    assert saved.status_code == 302
    assert _series_count() == 1
    assert db.session.scalar(select(func.count(Meeting.id)).where(
        Meeting.start_at < utcnow())) == 0
    # The same confirmation again: the slot is now taken by the first copy, a new warning.
    again = chair_web.post(url, confirm)
    assert again.status_code == 200 and "overlaps" in again.get_data(as_text=True)
    assert _series_count() == 1


def test_stale_confirmation_does_not_skip_a_new_warning(world, chair_web):
    url = "/groups/swg1-1/series/new"
    page = chair_web.post(url, _series_form()).get_data(as_text=True)
    token = _token(page)
    # Meanwhile another meeting took the slot: the old token no longer confirms.
    january = date(utcnow().year + 1, 1, 1)
    second_tuesday = january + timedelta(days=(1 - january.weekday()) % 7 + 7)
    services.add_extra_meeting(world["groups"]["SWG1.1"], world["people"]["chair"],
                               meeting_input(day=second_tuesday, start_time=time(14, 0)),
                               utcnow())
    db.session.commit()
    response = chair_web.post(url, _series_form(confirm=token))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "overlaps" in page and "Extra meeting" in page
    assert _series_count() == 0


def test_extra_meeting_clash_lists_the_other_meeting_with_a_link(world, chair_web):
    chair = world["people"]["chair"]
    day = (utcnow() + timedelta(days=20)).date()
    other = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        title="Plenary briefing", day=day, start_time=time(9, 0)), utcnow())
    db.session.commit()
    form = {"title": "Side meeting", "day": day.isoformat(), "start_time": "09:30",
            "timezone": "Europe/Vienna", "duration_minutes": "60", "place": "Online",
            "video_url": "", "submit": "Save meeting"}
    first = chair_web.post("/groups/swg1-1/meetings/new", form)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert f'href="/meetings/{other.id}"' in page and "Plenary briefing" in page
    assert 'value="Side meeting"' in page
    preview = chair_web.post("/groups/swg1-1/meetings/new", dict(form, submit="",
                                                                  preview="Show"))
    assert preview.status_code == 200 and "Plenary briefing" in preview.get_data(as_text=True)
    saved = chair_web.post("/groups/swg1-1/meetings/new", dict(form, confirm=_token(page)))
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count(Meeting.id)).where(
        Meeting.title == "Side meeting")) == 1


def test_agenda_over_the_slot_warns_then_confirm_adds_once(world, chair_web):
    chair = world["people"]["chair"]
    meeting = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        day=(utcnow() + timedelta(days=20)).date(), duration_minutes=90), utcnow())
    services.add_agenda_item(meeting, chair, services.AgendaInput(
        title="Opening", minutes_allotted=80), utcnow())
    db.session.commit()
    url = f"/meetings/{meeting.id}/agenda"
    form = {"title": "Long debate", "presenter": "Chair", "minutes_allotted": "30"}
    first = chair_web.post(url, form)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "110 minutes, 20 more than the 90-minute meeting" in page
    assert 'value="Long debate"' in page
    confirm = dict(form, confirm=_token(page))
    assert chair_web.post(url, confirm).status_code == 302
    again = chair_web.post(url, confirm)
    assert again.status_code == 200 and "140 minutes" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AgendaItem.id)).where(
        AgendaItem.meeting_id == meeting.id)) == 2


def test_overlong_title_is_refused_with_the_limit_and_kept_whole(world, chair_web):
    title = "T" * 5000
    response = chair_web.post("/groups/swg1-1/meetings/new", {
        "title": title, "day": (utcnow() + timedelta(days=30)).date().isoformat(),
        "start_time": "10:00", "timezone": "Europe/Vienna", "duration_minutes": "60",
        "submit": "Save meeting"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most 200 characters (you typed 5000)." in page
    assert f'value="{title}"' in page
    assert "maxlength" not in page  # a browser would cut a pasted text to it, silently
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_minutes_page_skeleton_preview_and_refusal_before_the_end(world, chair_web):
    chair = world["people"]["chair"]
    meeting = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        day=(utcnow() + timedelta(days=10)).date()), utcnow())
    services.add_agenda_item(meeting, chair, services.AgendaInput(
        title="Early warning data", presenter="EMCDDA", minutes_allotted=25), utcnow())
    db.session.commit()
    url = f"/meetings/{meeting.id}/minutes"
    page = chair_web.get(url).get_data(as_text=True)
    assert "## 1. Early warning data" in page and "**Decisions:**" in page
    assert "Publishing opens when the meeting ends" in page
    assert 'name="m-publish"' not in page

    preview = chair_web.post(url, {"m-minutes": "# Agreed\n\n**Bold** text", "m-preview": "1",
                                   "m-version": str(meeting.version)})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<strong>Bold</strong>" in page and "Preview: not saved yet" in page
    assert 'tabindex="0"' in page and "# Agreed" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_md == ""

    publish = chair_web.post(url, {"m-minutes": "We met.", "m-publish": "1",
                                   "m-version": str(meeting.version)})
    assert publish.status_code == 422
    assert "Minutes can be published once the meeting has ended" in publish.get_data(
        as_text=True)
    db.session.expire_all()
    refused = db.session.get(Meeting, meeting.id)
    assert refused.minutes_md == "" and refused.minutes_published_at is None


def test_minutes_skeleton_of_a_held_meeting_says_who_attended(world, chair_web):
    chair, member = world["people"]["chair"], world["people"]["member"]
    now = utcnow()
    meeting = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        day=(now - timedelta(days=3)).date()), now)
    services.add_agenda_item(meeting, chair, services.AgendaInput(title="Data sharing"), now)
    services.record_attendance(meeting, chair, [chair.id, member.id], [], now)
    db.session.commit()
    page = chair_web.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "Present: 2 people, representing" in page and "## 1. Data sharing" in page
    assert 'name="m-publish"' in page


def test_editing_an_agenda_item_over_the_slot_asks_first(world, chair_web):
    chair = world["people"]["chair"]
    meeting = services.add_extra_meeting(world["groups"]["SWG1.1"], chair, meeting_input(
        day=(utcnow() + timedelta(days=20)).date(), duration_minutes=60), utcnow())
    item = services.add_agenda_item(meeting, chair, services.AgendaInput(
        title="Opening", minutes_allotted=30), utcnow())
    db.session.commit()
    url = f"/meetings/{meeting.id}/agenda/{item.id}/edit"
    form = {"title": "Opening", "minutes_allotted": "75", "version": str(item.version)}
    first = chair_web.post(url, form)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "75 minutes, 15 more than the 60-minute" in page
    assert 'value="75"' in page
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).minutes_allotted == 30
    assert chair_web.post(url, dict(form, confirm=_token(page))).status_code == 302
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).minutes_allotted == 75


def test_moving_a_series_onto_another_meeting_asks_first(world, chair_web):
    chair, group = world["people"]["chair"], world["groups"]["SWG1.1"]
    first_date = date(utcnow().year + 1, 1, 1)
    series = make_series(group, chair, utcnow(), first_date=first_date)
    other = make_series(group, chair, utcnow(), first_date=first_date, title="Other series",
                        start_time=time(9, 0))
    db.session.commit()
    form = _series_form(title="Monthly meeting", first_date=first_date.isoformat(),
                        start_time="09:30", version=str(series.version))
    response = chair_web.post(f"/series/{series.id}/edit", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Other series" in page
    assert "in the past" not in page
    saved = chair_web.post(f"/series/{series.id}/edit", dict(form, confirm=_token(page)))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(MeetingSeries, series.id).start_time == time(9, 30)
    assert db.session.get(MeetingSeries, other.id).start_time == time(9, 0)
