"""The meeting page reads its RSVP figures in one statement and its meeting, group and series in
another (issue 15): the same answers as the services that read them one by one, and at most ten
statements whatever the number of answers."""

from datetime import timedelta

from sqlalchemy import event, select

from tests import factories
from tests.meetings.helpers import make_series
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import services
from wg.meetings.models import Meeting, RsvpAnswer
from wg.meetings.views.schedule import rsvp_summary


def _upcoming(data):
    group, chair = data["groups"]["SWG1.1"], data["people"]["chair"]
    now = utcnow()
    series = make_series(group, chair, now, first_date=(now - timedelta(days=70)).date())
    return db.session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.start_at > now).order_by(Meeting.start_at)).first()


def test_rsvp_summary_is_rsvp_of_and_rsvp_counts(ctx):
    data = factories.coalition()
    meeting = _upcoming(data)
    people = data["people"]
    now = utcnow()
    others = [factories.person() for _ in range(4)]
    for person in others:
        factories.membership(person, data["groups"]["SWG1.1"])
    assert rsvp_summary(meeting, people["member"]) == (None, {a: 0 for a in RsvpAnswer})
    answers = ["yes", "yes", "no", "maybe"]
    for person, answer in zip(others, answers, strict=True):
        services.set_rsvp(meeting, person, answer, now)
    services.set_rsvp(meeting, people["member"], "maybe", now)
    db.session.flush()
    for person in [people["member"], people["chair"], *others]:
        mine, counts = rsvp_summary(meeting, person)
        assert mine == services.rsvp_of(meeting, person)
        assert counts == services.rsvp_counts(meeting)
    assert rsvp_summary(meeting, people["member"]) == (
        RsvpAnswer.maybe, {RsvpAnswer.yes: 2, RsvpAnswer.no: 1, RsvpAnswer.maybe: 2})
    assert rsvp_summary(meeting, people["chair"])[0] is None


def test_meeting_page_statements(app, login):
    with app.app_context():
        data = factories.coalition()
        meeting_id = _upcoming(data).id
        db.session.commit()
        email = data["people"]["member"].email
    web = login(email)
    box = {"n": 0}

    def count(*args):
        box["n"] += 1

    def statements():
        box["n"] = 0
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            body = web.get(f"/meetings/{meeting_id}").get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return box["n"], body

    before, body = statements()
    assert "SWG1.1" in body
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        for _ in range(6):
            person = factories.person()
            factories.membership(person, meeting.group)
            services.set_rsvp(meeting, person, "yes", utcnow())
        db.session.commit()
    after, body = statements()
    assert after == before and after <= 10
