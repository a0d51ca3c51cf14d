"""Meeting services called directly with a fixed `now`."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import make_series, meeting_input, series_input
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import Meeting, MeetingSeries, MeetingStatus, RsvpAnswer


@pytest.fixture()
def world(ctx):
    return factories.coalition()


def _meetings(series):
    return db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .order_by(Meeting.start_at)).all()


def test_series_materializes_at_least_twelve_months_ahead(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    series = make_series(group, chair, now)
    rows = _meetings(series)
    assert rows[0].occurrence_date == date(2026, 1, 13)
    assert series.materialized_until >= (now + timedelta(days=365)).date()
    assert len([m for m in rows if m.start_at > now]) >= 12
    assert rows[-1].occurrence_date == date(2027, 3, 9)
    assert all(m.uid and m.sequence == 0 for m in rows)
    # Extending again adds nothing; a later `now` adds the next month.
    assert services.extend_series(series, now) == 0
    assert services.extend_all_series(now + timedelta(days=40)) >= 1


@pytest.mark.parametrize("fields, field", [
    (dict(timezone="Mars/Olympus"), "timezone"),
    (dict(start_time=time(2, 30), week=-1, weekday=6), "start_time"),  # last Sunday: DST gap
    (dict(first_date=date(2026, 5, 1), last_date=date(2026, 4, 1)), "last_date"),
    (dict(first_date=date(2026, 3, 15), last_date=date(2026, 3, 31), week=1), "last_date"),
    (dict(duration_minutes=5), "duration_minutes"),
    (dict(video_url="javascript:alert(1)"), "video_url"),
    (dict(rule_kind="monthday", month_day=40), "month_day"),
])
def test_bad_series_input_is_refused_and_nothing_saved(world, now, fields, field):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    with pytest.raises(ValidationError) as exc:
        make_series(group, chair, now, **fields)
    assert field in exc.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MeetingSeries)) == 0
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_series_edit_moves_future_unedited_meetings_and_says_so(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    series = make_series(group, chair, now)
    rows = _meetings(series)
    past = [m for m in rows if m.start_at <= now]
    future = [m for m in rows if m.start_at > now]
    past_starts = [m.start_at for m in past]
    services.reschedule_meeting(future[1], chair, meeting_input(
        title="Moved", day=future[1].occurrence_date, start_time=time(16, 0)), now)
    moved_start = future[1].start_at
    change = services.update_series(series, chair, series_input(start_time=time(15, 0)), now)
    assert change.kept == 1 and change.changed == len(future) - 1
    assert "edited by hand kept" in change.message()
    assert [m.start_at for m in past] == past_starts
    assert future[1].start_at == moved_start
    vienna = future[0].start_at.astimezone(services.recurrence.zone("Europe/Vienna"))
    assert vienna.hour == 15 and future[0].sequence == 1


def test_series_rule_change_cancels_dates_that_left_and_adds_new_ones(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    series = make_series(group, chair, now)
    change = services.update_series(series, chair, series_input(week=3), now)
    assert change.cancelled > 0 and change.added > 0
    rows = _meetings(series)
    live = [m for m in rows if m.start_at > now and m.status is MeetingStatus.scheduled]
    assert all(15 <= m.occurrence_date.day <= 21 for m in live)


def test_cancel_needs_a_reason_and_raises_sequence(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = _meetings(make_series(group, chair, now))[5]
    with pytest.raises(ValidationError):
        services.cancel_meeting(meeting, chair, "  ", now)
    services.cancel_meeting(meeting, chair, "Clashes with the CND session", now)
    assert meeting.status is MeetingStatus.cancelled and meeting.sequence == 1
    services.restore_meeting(meeting, chair, now)
    assert meeting.status is MeetingStatus.scheduled and meeting.sequence == 2


def test_extra_meeting_and_dst_gap(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = services.add_extra_meeting(group, chair, meeting_input(), now)
    assert meeting.is_extra and meeting.start_at == datetime(2026, 4, 20, 13, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as exc:
        services.add_extra_meeting(group, chair, meeting_input(
            day=date(2026, 3, 29), start_time=time(2, 15)), now)
    assert "start_time" in exc.value.errors


def test_agenda_order_move_publish_and_carry_over(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    rows = _meetings(make_series(group, chair, now))
    last, nxt = rows[1], rows[2]  # 10 Feb (past) and 10 Mar (the next)
    a = services.add_agenda_item(last, chair, services.AgendaInput(title="Precursor list"), now)
    b = services.add_agenda_item(last, chair, services.AgendaInput(title="Dark web report"), now)
    services.add_agenda_item(last, chair, services.AgendaInput(title="AOB"), now)
    services.move_agenda_item(b, chair, -1, now)
    assert [i.title for i in last.agenda_items] == ["Dark web report", "Precursor list", "AOB"]
    services.set_item_done(b, chair, True, now)
    offered = services.backlog(nxt, now)
    assert [i.title for i in offered["items"]] == ["Precursor list", "AOB"]
    assert offered["actions"] == []
    services.carry_over(nxt, chair, [a.id], now)
    assert [i.title for i in nxt.agenda_items] == ["Precursor list"]
    assert [i.title for i in services.backlog(nxt, now)["items"]] == ["AOB"]
    with pytest.raises(ValidationError):
        services.publish_agenda(rows[3], chair, now)
    services.publish_agenda(nxt, chair, now)
    assert nxt.agenda_published_at == now


def test_rsvp_and_attendance(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    member = world["people"]["member"]
    rows = _meetings(make_series(group, chair, now))
    upcoming, past = rows[3], rows[1]
    services.set_rsvp(upcoming, member, "maybe", now)
    services.set_rsvp(upcoming, member, "yes", now)
    assert services.rsvp_counts(upcoming)[RsvpAnswer.yes] == 1
    with pytest.raises(ValidationError):
        services.set_rsvp(past, member, "yes", now)
    with pytest.raises(ValidationError):
        services.set_rsvp(upcoming, member, "perhaps", now)
    with pytest.raises(ValidationError):
        services.record_attendance(upcoming, chair, [member.id], [], now)
    outsider = world["people"]["outsider"]
    with pytest.raises(ValidationError):
        services.record_attendance(past, chair, [outsider.id], [], now)
    unodc = factories.participant("UNODC", name="UNODC")
    assert services.record_attendance(past, chair, [member.id], [unodc.id], now) == (1, 2)
    assert past.status is MeetingStatus.held
    over_time = services.attendance_over_time(group)
    assert [(r["people"], r["participants"]) for r in over_time] == [(1, 2)]
    # The counts are kept under the group's attendance stamp: recorded again at the same
    # instant with one more person, they follow at once.
    services.record_attendance(past, chair, [member.id, chair.id], [unodc.id], now,
                               expected_version=past.version)
    over_time = services.attendance_over_time(group)
    assert [(r["people"], r["participants"]) for r in over_time] == [(2, 3)]
    gha = member.participant
    rates = services.participant_attendance(gha)
    assert [(r["group"].code, r["held"], r["attended"], r["rate"]) for r in rates] == [
        ("SWG1.1", 1, 1, 100)]


def test_minutes_are_sanitized_and_html_refused(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = _meetings(make_series(group, chair, now))[1]
    for bad in ["Hello <script>alert(1)</script>", '<img src=x onerror="alert(1)">',
                "<b>bold</b>"]:
        with pytest.raises(ValidationError) as exc:
            services.save_minutes(meeting, chair, bad, now)
        assert "minutes" in exc.value.errors
    assert meeting.minutes_md == ""
    services.save_minutes(meeting, chair, "**Agreed** [link](javascript:alert(1)) and "
                          "`<script>`\n\n- one\n- two", now)
    assert "<strong>Agreed</strong>" in meeting.minutes_html
    assert "javascript:" not in meeting.minutes_html
    assert "<script>" not in meeting.minutes_html and "&lt;script&gt;" in meeting.minutes_html
    assert meeting.minutes_published_at is None
    services.publish_minutes(meeting, chair, now)
    assert meeting.minutes_published_at == now
    services.add_decision(meeting, chair, "Adopt the precursor watch list", now)
    assert [d.text for d in meeting.decisions] == ["Adopt the precursor watch list"]
    with pytest.raises(ValidationError):
        services.add_decision(meeting, chair, "<script>x</script>", now)


def test_time_summary_counts_members_outside_day(world, now):
    group = world["groups"]["SWG1.1"]
    # chair in Mexico (UTC), member in Ghana: give them real zones.
    world["people"]["chair"].timezone = "America/Mexico_City"
    world["people"]["member"].timezone = "Africa/Accra"
    aus = factories.person("Ada Aussie", participant_code="AUS", timezone="Australia/Sydney")
    factories.membership(aus, group)
    start = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)  # 14:00 Vienna
    summary = services.time_summary(group, start, 90)
    assert summary.members == 3
    by_code = {r.participant.code: r for r in summary.rows}
    assert by_code["AUS"].outside == 1 and by_code["AUS"].earliest.hour == 22
    assert by_code["MEX"].outside == 0 and by_code["MEX"].earliest.hour == 6 or \
        by_code["MEX"].outside == 1
    assert summary.outside == sum(r.outside for r in summary.rows)


def test_fairness_counts_night_meetings_per_country(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    aus = factories.person("Ada Aussie", participant_code="AUS", timezone="Australia/Sydney")
    factories.membership(aus, group)
    world["people"]["member"].timezone = "Africa/Accra"
    series = make_series(group, chair, now)
    result = services.series_fairness(series, now)
    past = {r["participant"].code: (r["past"], r["past_total"]) for r in result}
    coming = {r["participant"].code: (r["coming"], r["coming_total"]) for r in result}
    # 14:00 Vienna in January-February is 00:00 in Sydney: both at night; never in Ghana.
    assert past["AUS"] == (2, 2)
    assert past["GHA"] == (0, 2)
    # From April to October Sydney is UTC+10 and Vienna UTC+2: 22:00 in Sydney, still night.
    assert coming["AUS"][0] == coming["AUS"][1] >= 12
    assert result[0]["participant"].code == "AUS"


def test_calendar_token_reset_and_alarm(world):
    member = world["people"]["member"]
    old = member.calendar_token
    assert services.person_for_calendar_token(old) is member
    services.reset_calendar_token(member)
    assert services.person_for_calendar_token(old) is None
    assert services.person_for_calendar_token(member.calendar_token) is member
    assert services.alarm_minutes(member) == services.DEFAULT_ALARM_MINUTES
    services.set_alarm_minutes(member, 60)
    assert services.alarm_minutes(member) == 60
    with pytest.raises(ValidationError):
        services.set_alarm_minutes(member, 7)


def test_open_actions_are_offered_and_carried_over(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    nxt = _meetings(make_series(group, chair, now))[2]
    action = factories.action(group, title="Draft the precursor alert", owner=chair, actor=chair)
    assert action in services.backlog(nxt, now)["actions"]
    added = services.carry_over(nxt, chair, [], now, action_ids=[action.id, action.id + 999])
    assert [(i.title, i.presenter) for i in added] == [
        ("Action: Draft the precursor alert", chair.name)]


def test_rsvp_people_groups_answers(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    member = world["people"]["member"]
    upcoming = _meetings(make_series(group, chair, now))[3]
    services.set_rsvp(upcoming, member, "yes", now)
    services.set_rsvp(upcoming, chair, "maybe", now)
    people = services.rsvp_people(upcoming)
    assert people[RsvpAnswer.yes] == [member] and people[RsvpAnswer.maybe] == [chair]
    assert people[RsvpAnswer.no] == []


def test_members_are_told_of_cancellation_and_agenda_once_per_change(world, now, app):
    from wg.notify.models import OutboxMessage

    base = app.config["BASE_URL"]
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    member = world["people"]["member"]
    member.timezone = "Africa/Accra"
    meeting = _meetings(make_series(group, chair, now))[4]
    services.add_agenda_item(meeting, chair, services.AgendaInput(title="Precursors"), now)
    assert services.publish_agenda(meeting, chair, now) == 1
    later = now + timedelta(hours=1)
    assert services.publish_agenda(meeting, chair, later) == 1  # published again: a new notice
    services.cancel_meeting(meeting, chair, "No quorum", later)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 3
    assert {m.recipient for m in messages} == {member.email}
    cancelled = messages[-1]
    assert cancelled.kind == "meeting-cancelled"
    assert cancelled.key == f"meeting-cancelled:meeting:{meeting.id}:{meeting.sequence}:{member.id}"
    assert cancelled.subject == "Cancelled: SWG1.1 meeting on 12 May"
    assert "No quorum" in cancelled.body_text
    assert f"{base}/meetings/{meeting.id}" in cancelled.body_text
    assert "METHOD:CANCEL" in cancelled.extras and "METHOD:REQUEST" in messages[0].extras
    assert "1. Precursors" in messages[0].body_text
    # A meeting already over is not announced.
    past = _meetings(meeting.series)[0]
    services.cancel_meeting(past, chair, "Never mind", later)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


