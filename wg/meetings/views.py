import hashlib
from collections import OrderedDict
from datetime import date, timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import bp, ical, recurrence
from wg.meetings import services as meetings
from wg.meetings.forms import (
    AgendaItemForm,
    AlarmForm,
    CancelForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    SeriesForm,
)
from wg.meetings.models import AgendaItem, Decision, RsvpAnswer


def _invalid(exc, form=None):
    db.session.rollback()
    rest = exc.apply_to(form) if form is not None else list(exc.errors.values())
    for message in rest:
        flash(message, "danger")


def _series_summary(group, form, now):
    """The next occurrence's meaning for members, or None while the form is incomplete."""
    data = form.to_input()
    try:
        dates = meetings.check_series(data, now)
    except ValidationError:
        return None
    upcoming = [d for d in dates if d >= now.date()] or dates
    start_at = recurrence.local_to_utc(upcoming[0], data.start_time, data.timezone)
    return dict(start_at=start_at, zone=data.timezone,
                summary=meetings.time_summary(group, start_at, data.duration_minutes),
                dates=upcoming[:6])


def _meeting_summary(group, form):
    data = form.to_input()
    try:
        start_at = meetings.check_meeting(data)
    except ValidationError:
        return None
    return dict(start_at=start_at, zone=data.timezone, dates=[],
                summary=meetings.time_summary(group, start_at, data.duration_minutes))


# ------------------------------------------------------------------ lists


@bp.route("/groups/<slug>/meetings")
def group_list(slug):
    group = permissions.group_for_meetings(current_user, slug)
    past = request.args.get("past") == "1"
    page = request.args.get("page", 1, type=int)
    now = utcnow()
    pagination = meetings.group_meetings(group, now, past=past, page=max(page, 1))
    series = db.session.scalars(
        db.select(meetings.MeetingSeries).where(meetings.MeetingSeries.group_id == group.id)
        .order_by(meetings.MeetingSeries.id)).all()
    return render_template("meetings/group_list.html", group=group, page=pagination, past=past,
                           series_list=series, now=now, describe=meetings.describe_series,
                           attendance=meetings.attendance_over_time(group))


@bp.route("/meetings/calendar")
def month():
    permissions.require_meeting_calendar(current_user)
    today = utcnow().date()
    try:
        year, mon = (int(x) for x in request.args.get("month", "").split("-"))
        first = date(year, mon, 1)
        if not meetings.FIRST_YEAR <= year <= meetings.LAST_YEAR:
            raise ValueError(year)
    except (TypeError, ValueError):
        first = today.replace(day=1)
    group_ids = permissions.visible_group_ids(current_user)
    rows = meetings.month_meetings(group_ids, first.year, first.month)
    zone = current_user.timezone
    by_day = {}
    for m in rows:
        local = m.start_at.astimezone(recurrence.zone(zone) if _zone_ok(zone) else None)
        if (local.year, local.month) == (first.year, first.month):
            by_day.setdefault(local.day, []).append((m, local))
    weeks = _month_grid(first)
    return render_template("meetings/month.html", first=first, weeks=weeks, by_day=by_day,
                           prev=recurrence.add_months(first, -1),
                           next=recurrence.add_months(first, 1), today=today, count=len(
                               [1 for v in by_day.values() for _ in v]))


def _zone_ok(name):
    try:
        recurrence.zone(name)
        return True
    except ValueError:
        return False


def _month_grid(first):
    start = first - timedelta(days=first.weekday())
    weeks, day = [], start
    last = recurrence.add_months(first, 1)
    while day < last:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


# ------------------------------------------------------------------ series


@bp.route("/groups/<slug>/series/new", methods=["GET", "POST"])
def series_new(slug):
    group = permissions.group_for_scheduling(current_user, slug)
    form = SeriesForm()
    now = utcnow()
    if request.method == "GET":
        form.first_date.data = now.date()
        form.timezone.data = "Europe/Vienna"
        from datetime import time

        form.start_time.data = time(14, 0)
    status = 200
    if form.validate_on_submit() and form.submit.data:
        try:
            series = meetings.create_series(group, current_user, form.to_input(), now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            count = db.session.scalar(db.select(db.func.count()).where(
                meetings.Meeting.series_id == series.id))
            flash(f"Series created with {count} meetings.", "success")
            return redirect(url_for("meetings.series_detail", series_id=series.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        _validate_quietly(group, form, now)
    return render_template("meetings/series_form.html", group=group, form=form, series=None,
                           preview=_series_summary(group, form, now)), status


def _validate_quietly(group, form, now):
    """On 'preview', show field messages without saving."""
    try:
        meetings.check_series(form.to_input(), now)
    except ValidationError as exc:
        exc.apply_to(form)


@bp.route("/series/<int:series_id>")
def series_detail(series_id):
    series = permissions.series_for_view(current_user, series_id)
    now = utcnow()
    upcoming = db.session.scalars(db.select(meetings.Meeting).where(
        meetings.Meeting.series_id == series.id, meetings.Meeting.start_at > now)
        .order_by(meetings.Meeting.start_at).limit(12)).all()
    return render_template("meetings/series_detail.html", series=series, group=series.group,
                           upcoming=upcoming, fairness=meetings.series_fairness(series, now),
                           rule=meetings.describe_series(series), now=now)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def series_edit(series_id):
    series = permissions.series_for_edit(current_user, series_id)
    group = series.group
    form = SeriesForm(obj=None)
    now = utcnow()
    if request.method == "GET":
        form.fill(meetings.series_input(series))
    status = 200
    if form.validate_on_submit() and form.submit.data:
        try:
            change = meetings.update_series(series, current_user, form.to_input(), now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash(change.message(), "success")
            return redirect(url_for("meetings.series_detail", series_id=series.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        _validate_quietly(group, form, now)
    return render_template("meetings/series_form.html", group=group, form=form, series=series,
                           preview=_series_summary(group, form, now)), status


# ------------------------------------------------------------------ one meeting


@bp.route("/groups/<slug>/meetings/new", methods=["GET", "POST"])
def extra_new(slug):
    group = permissions.group_for_scheduling(current_user, slug)
    form = MeetingForm()
    now = utcnow()
    if request.method == "GET":
        from datetime import time

        form.title.data = "Extra meeting"
        form.day.data = now.date() + timedelta(days=7)
        form.start_time.data = time(14, 0)
    status = 200
    if form.validate_on_submit() and form.submit.data:
        try:
            meeting = meetings.add_extra_meeting(group, current_user, form.to_input(), now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash("Extra meeting added.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    return render_template("meetings/meeting_form.html", group=group, form=form, meeting=None,
                           preview=_meeting_summary(group, form)), status


@bp.route("/meetings/<int:meeting_id>")
def detail(meeting_id):
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    now = utcnow()
    attendance = None
    if meeting.attendance_recorded_at:
        people, participants = meetings.attendees(meeting)
        attendance = dict(people=people, participants=participants)
    return render_template(
        "meetings/detail.html", meeting=meeting, group=meeting.group, now=now,
        my_rsvp=meetings.rsvp_of(meeting, current_user),
        counts=meetings.rsvp_counts(meeting), answers=list(RsvpAnswer),
        rsvp_people=meetings.rsvp_people(meeting)
        if permissions.can_edit_meeting(current_user, meeting) else None,
        attendance=attendance, actions=meetings.actions_from_meeting(meeting),
        feed_url=_feed_url(current_user),
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = MeetingForm()
    now = utcnow()
    if request.method == "GET":
        form.fill(meetings.meeting_input(meeting))
    status = 200
    if form.validate_on_submit() and form.submit.data:
        try:
            meetings.reschedule_meeting(meeting, current_user, form.to_input(), now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash("Meeting saved. Series changes will no longer move it.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    return render_template("meetings/meeting_form.html", group=meeting.group, form=form,
                           meeting=meeting, preview=_meeting_summary(meeting.group, form)), status


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = CancelForm()
    status = 200
    if form.validate_on_submit():
        try:
            now = utcnow()
            meetings.cancel_meeting(meeting, current_user, form.reason.data, now)
            sent = meetings.notify_members(meeting, "meeting-cancelled", current_user, now,
                                           current_app.config["BASE_URL"])
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash(f"Meeting cancelled. Members and their calendars see the reason; {sent} "
                  "e-mail(s) queued.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/cancel.html", meeting=meeting, group=meeting.group,
                           form=form), status


@bp.route("/meetings/<int:meeting_id>/restore", methods=["POST"])
def restore(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    meetings.restore_meeting(meeting, current_user, utcnow())
    db.session.commit()
    flash("Meeting restored.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/rsvp", methods=["POST"])
def rsvp(meeting_id):
    meeting = permissions.meeting_for_rsvp(current_user, meeting_id)
    try:
        meetings.set_rsvp(meeting, current_user, request.form.get("answer"), utcnow())
    except ValidationError as exc:
        _invalid(exc)
    else:
        db.session.commit()
        flash("Your answer is saved.", "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


# ------------------------------------------------------------------ agenda


def _agenda_input(form):
    return meetings.AgendaInput(title=form.title.data or "", presenter=form.presenter.data or "",
                                minutes_allotted=form.minutes_allotted.data,
                                link=(form.link.data or "").strip(), notes=form.notes.data or "")


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
def agenda(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = AgendaItemForm()
    now = utcnow()
    status = 200
    if form.validate_on_submit():
        try:
            meetings.add_agenda_item(meeting, current_user, _agenda_input(form), now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash("Item added.", "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/agenda.html", meeting=meeting, group=meeting.group,
                           form=form, backlog=meetings.backlog(meeting, now), now=now), status


def _item(meeting, item_id):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
def agenda_move(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    item = _item(meeting, item_id)
    meetings.move_agenda_item(item, current_user, -1 if request.form.get("direction") == "up"
                              else 1)
    db.session.commit()
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item.id}")


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
def agenda_delete(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    meetings.delete_agenda_item(_item(meeting, item_id), current_user)
    db.session.commit()
    flash("Item removed.", "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/done", methods=["POST"])
def agenda_done(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    meetings.set_item_done(_item(meeting, item_id), current_user,
                           request.form.get("done") == "1")
    db.session.commit()
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item_id}")


@bp.route("/meetings/<int:meeting_id>/agenda/publish", methods=["POST"])
def agenda_publish(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    now = utcnow()
    try:
        meetings.publish_agenda(meeting, current_user, now)
        sent = meetings.notify_members(meeting, "agenda-published", current_user, now,
                                       current_app.config["BASE_URL"])
    except ValidationError as exc:
        _invalid(exc)
    else:
        db.session.commit()
        flash(f"Agenda published to the group's members; {sent} e-mail(s) queued.", "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/agenda/carry-over", methods=["POST"])
def carry_over(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    ids = [int(i) for i in request.form.getlist("item") if i.isdigit()]
    action_ids = [int(i) for i in request.form.getlist("action") if i.isdigit()]
    added = meetings.carry_over(meeting, current_user, ids, utcnow(), action_ids=action_ids)
    db.session.commit()
    flash(f"{len(added)} item{'s' if len(added) != 1 else ''} carried over.", "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


# ------------------------------------------------------------------ attendance and minutes


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
def attendance(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    roster = meetings.roster(meeting.group)
    people, participants = meetings.attendance_of(meeting)
    if meeting.attendance_recorded_at is None:
        # A first guess the chair corrects: those who said they would come.
        people = {p.id for p in meetings.rsvp_people(meeting)[RsvpAnswer.yes]}
    status = 200
    errors = []
    if request.method == "POST":  # CSRFProtect has checked the token already
        person_ids = [i for i in request.form.getlist("person") if i.isdigit()]
        participant_ids = [i for i in request.form.getlist("participant") if i.isdigit()]
        try:
            n_people, n_parts = meetings.record_attendance(
                meeting, current_user, person_ids, participant_ids, utcnow())
        except ValidationError as exc:
            db.session.rollback()
            errors = list(exc.errors.values())
            status = 422
            people = {int(i) for i in person_ids}
            participants = {int(i) for i in participant_ids}
        else:
            db.session.commit()
            flash(f"Attendance saved: {n_people} people, {n_parts} countries and organizations.",
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    by_participant = {}
    for person, part in roster:
        by_participant.setdefault(part, []).append(person)
    return render_template("meetings/attendance.html", meeting=meeting, group=meeting.group,
                           by_participant=by_participant, people=people,
                           participants=participants, errors=errors, now=utcnow()), status


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
def minutes(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = MinutesForm(prefix="m")
    decision_form = DecisionForm(prefix="d")
    now = utcnow()
    status = 200
    if request.method == "GET":
        form.minutes.data = meeting.minutes_md
    if (form.submit.data or form.publish.data) and form.validate_on_submit():
        try:
            meetings.save_minutes(meeting, current_user, form.minutes.data, now)
            if form.publish.data:
                meetings.publish_minutes(meeting, current_user, now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash("Minutes published." if form.publish.data else "Minutes saved.", "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    elif decision_form.submit.data and decision_form.validate_on_submit():
        try:
            meetings.add_decision(meeting, current_user, decision_form.decision.data, now)
        except ValidationError as exc:
            _invalid(exc, decision_form)
            status = 422
        else:
            db.session.commit()
            flash("Decision recorded.", "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/minutes.html", meeting=meeting, group=meeting.group,
                           form=form, decision_form=decision_form,
                           preview_html=meetings.render_markdown(form.minutes.data or "")
                           if status == 200 else meeting.minutes_html), status


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/delete", methods=["POST"])
def decision_delete(meeting_id, decision_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.meeting_id != meeting.id:
        abort(404)
    meetings.delete_decision(decision, current_user)
    db.session.commit()
    flash("Decision removed.", "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/print")
def print_view(meeting_id):
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    people, participants = meetings.attendees(meeting)
    return render_template("meetings/print.html", meeting=meeting, group=meeting.group,
                           people=people, participants=participants)


# ------------------------------------------------------------------ calendars


def _meeting_url(meeting):
    return current_app.config["BASE_URL"] + url_for("meetings.detail", meeting_id=meeting.id)


def _feed_url(person):
    return current_app.config["BASE_URL"] + url_for("meetings.feed", token=person.calendar_token)


def _ics(body, filename):
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/meetings/<int:meeting_id>.ics")
def ics(meeting_id):
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    body = ical.build_calendar(
        [meeting], name=f"{meeting.group.code} meeting", url_for_meeting=_meeting_url,
        alarm_minutes=meetings.alarm_minutes(current_user), now=utcnow())
    return _ics(body, f"{meeting.group.slug}-{meeting.start_at:%Y-%m-%d}.ics")


# Serialized feeds by (person, ETag): building a year of events with icalendar costs tens of
# milliseconds, and calendar programs poll often. Per process, bounded; the ETag changes with
# every change to the feed, so an entry is never stale.
_FEED_CACHE = OrderedDict()
_FEED_CACHE_SIZE = 256


def _cached_feed(key, build):
    body = _FEED_CACHE.get(key)
    if body is None:
        body = build()
        _FEED_CACHE[key] = body
        while len(_FEED_CACHE) > _FEED_CACHE_SIZE:
            _FEED_CACHE.popitem(last=False)
    else:
        _FEED_CACHE.move_to_end(key)
    return body


@bp.route("/calendar/<token>.ics")
def feed(token):
    person = meetings.person_for_calendar_token(token)
    if person is None:
        abort(404)
    now = utcnow()
    etag = hashlib.sha256(meetings.feed_fingerprint(person, now).encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    body = _cached_feed((person.id, token, etag), lambda: ical.build_calendar(
        meetings.feed_meetings(person, now), name=f"Coalition meetings · {person.name}",
        url_for_meeting=_meeting_url, alarm_minutes=meetings.alarm_minutes(person), now=now))
    response = _ics(body, "coalition-meetings.ics")
    response.headers["Content-Disposition"] = 'inline; filename="coalition-meetings.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(etag)
    return response


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_settings():
    form = AlarmForm()
    if request.method == "GET":
        form.alarm_minutes.data = meetings.alarm_minutes(current_user)
    status = 200
    if form.validate_on_submit():
        try:
            meetings.set_alarm_minutes(current_user, form.alarm_minutes.data)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash("Reminder saved; calendar programs pick it up at their next refresh.",
                  "success")
            return redirect(url_for("meetings.calendar_settings"))
    elif request.method == "POST":
        status = 422
    feed = _feed_url(current_user)
    return render_template("meetings/calendar_settings.html", form=form, feed_url=feed,
                           webcal_url="webcal://" + feed.split("://", 1)[1]), status


@bp.route("/calendar/reset", methods=["POST"])
def reset_token():
    # CSRFProtect checks the token; only the owner can reset their own feed address.
    meetings.reset_calendar_token(current_user)
    db.session.commit()
    flash("Your calendar address is new; the old one no longer works. Subscribe again with "
          "the new one.", "success")
    return redirect(request.form.get("next") == "profile" and url_for("auth.profile")
                    or url_for("meetings.calendar_settings"))


# ------------------------------------------------------------------ template helpers


@bp.app_template_global()
def upcoming_meetings_for(person):
    return meetings.upcoming_for(person, utcnow())


@bp.app_template_global()
def group_attendance(group):
    return meetings.attendance_over_time(group)


@bp.app_template_global()
def participant_attendance_for(participant, person):
    return meetings.participant_attendance(participant, permissions.visible_group_ids(person))


@bp.app_template_filter("meeting_time")
def meeting_time(meeting, zone_name, fmt="%a %d %b %Y, %H:%M"):
    """'Tue 10 Mar 2026, 08:00 CST' in the viewer's zone."""
    try:
        tz = recurrence.zone(zone_name)
    except ValueError:
        tz = recurrence.zone("UTC")
    local = meeting.start_at.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


@bp.app_template_filter("anchor_time")
def anchor_time(meeting):
    """'14:00 Vienna (CET)': the meeting's time where it is anchored."""
    local = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    city = meeting.timezone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{local:%H:%M} {city} ({local.tzname()})"


@bp.app_template_filter("local_day")
def local_day(meeting):
    """'Tuesday 10 November 2026': the meeting's date in its anchor zone."""
    return meeting.start_at.astimezone(recurrence.zone(meeting.timezone)).strftime("%A %d %B %Y")


@bp.app_template_filter("local_dt")
def local_dt(value, zone_name, fmt="%a %d %b, %H:%M"):
    try:
        tz = recurrence.zone(zone_name)
    except ValueError:
        tz = recurrence.zone("UTC")
    local = value.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


@bp.cli.command("extend")
def extend_command():
    """Materialize every series' meetings at least 12 months ahead."""
    added = meetings.extend_all_series(utcnow())
    db.session.commit()
    print(f"{added} meetings added.")

