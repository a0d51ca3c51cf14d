"""RFC 5545 calendars built with the icalendar package.

Each meeting keeps one UID for life; SEQUENCE is the meeting's own counter, raised on every
change; cancelled meetings stay in the feed with STATUS:CANCELLED so calendar programs drop
them; start times carry their anchor zone (TZID, with RRULE-based VTIMEZONE components, see
`vtimezone`). `build_calendar` is the one producer of .ics for the feed, the single-meeting
download and every mail attachment. Its words (description lines, the calendar's name) are in
the current language: callers wrap it in `wg.i18n.language(code)` for the feed's owner or a
mail's recipient.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _

from wg.meetings.models import MeetingStatus
from wg.meetings.recurrence import zone
from wg.sensitivity import DEFAULT, Sensitivity

PRODID = "-//Coalition working-group tracker//meetings//EN"


def _event(meeting, url, alarm_minutes, now):
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now)
    event.add("sequence", meeting.sequence)
    local_start = meeting.start_at.astimezone(zone(meeting.timezone))
    event.add("dtstart", local_start)
    event.add("dtend", local_start + timedelta(minutes=meeting.duration_minutes))
    label = meeting.sensitivity or DEFAULT
    # The label: a SUMMARY prefix unless it is the default (GREEN), always in the description,
    # and CLASS for calendar programs that share calendars (CONFIDENTIAL from AMBER up).
    prefix = "" if label is DEFAULT else f"[{label.tlp}] "
    event.add("summary", f"{prefix}{meeting.group.code}: {meeting.title}")
    event.add("class", "CONFIDENTIAL" if label.confidential
              else "PUBLIC" if label is Sensitivity.clear else "PRIVATE")
    description = [f"{meeting.group.code} · {meeting.group.title}", label.tlp]
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
        from wg.notify.render import cancel_reason

        description.append(_("Cancelled: %(reason)s", reason=cancel_reason(meeting)))
    else:
        event.add("status", "CONFIRMED")
    if meeting.video_url:
        description.append(_("Video link: %(url)s", url=meeting.video_url))
        event.add("conference", meeting.video_url, parameters={"VALUE": "URI"})
    description.append(_("Meeting page: %(url)s", url=url))
    event.add("description", "\n".join(description))
    location = meeting.place or meeting.video_url
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("last-modified", meeting.updated_at)
    if alarm_minutes and meeting.status is not MeetingStatus.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{meeting.group.code}: {meeting.title}")
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


# VTIMEZONE components
#
# Each VTIMEZONE is written as tzurl.org and vzic publish them: the zone's current yearly rule
# as one STANDARD and one DAYLIGHT sub-component with an open-ended RRULE, earlier rules as
# RRULEs with UNTIL, and one-off changes as sub-components with a single DTSTART. No RDATE
# lists: vobject (dateutil's tzical underneath, which many clients build on) keeps only the
# first date of an RDATE list, and so read summer meetings an hour off. The readers then agree
# on every instant, and a TZID keeps the anchor zone visible in calendar programs (which UTC
# times with X-WR-TIMEZONE would lose). Transitions come from the zoneinfo database itself.

_DAY = timedelta(days=1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Transition:
    at: datetime  # UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def onset(self):
        """The local wall time at which the change happens, in the offset before it."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self):
        return (self.offset_from, self.offset_to, self.name, self.is_dst, self.onset.month,
                self.onset.weekday(), self.onset.time())

    def day_rules(self):
        """The yearly rules this change fits: "last <weekday>" or "<weekday> on or after d"."""
        day = self.onset.day
        days_in_month = calendar.monthrange(self.onset.year, self.onset.month)[1]
        rules = {d for d in range(max(1, day - 6), day + 1) if d + 6 <= 31}
        if day + 7 > days_in_month:
            rules.add(-1)
        return rules


def _state(tz, instant):
    local = instant.astimezone(tz)
    return local.utcoffset(), local.tzname() or "", bool(local.dst())


def _transitions(tz, first, last):
    """Every change of offset or name between two UTC instants, found to the second.

    Steps a day at a time (no zone changes twice within a day) and bisects each change.
    """
    found, instant, state = [], first, _state(tz, first)
    while instant < last:
        step = min(instant + _DAY, last)
        new = _state(tz, step)
        if new != state:
            low, high = instant, step  # state(low) is the old one, state(high) differs
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _state(tz, middle) == state:
                    low = middle
                else:
                    high = middle
            new = _state(tz, high)
            found.append(_Transition(high, state[0], new[0], new[1], new[2]))
            state, step = new, high  # go on from the change, in case another follows soon
        instant = step
    return found, _state(tz, first)


def _runs(transitions):
    """Group changes into runs of consecutive years that follow one yearly rule."""
    runs = []  # [kind, rules, [transitions]]
    open_runs = {}
    for t in transitions:
        run = open_runs.get(t.kind)
        if run is not None:
            rules = run[1] & t.day_rules()
            if rules and run[2][-1].onset.year == t.onset.year - 1:
                run[1] = rules
                run[2].append(t)
                continue
        run = [t.kind, t.day_rules(), [t]]
        runs.append(run)
        open_runs[t.kind] = run
    return runs


def _rrule(rules, onset):
    weekday = _WEEKDAYS[onset.weekday()]
    rule = {"FREQ": "YEARLY", "BYMONTH": onset.month}
    if -1 in rules:
        rule["BYDAY"] = f"-1{weekday}"
    elif nth := sorted(d for d in rules if d % 7 == 1):
        rule["BYDAY"] = f"{(nth[0] - 1) // 7 + 1}{weekday}"
    else:
        first = min(rules)
        rule["BYDAY"] = weekday
        rule["BYMONTHDAY"] = list(range(first, first + 7))
    return rule


def _observance(offset_from, offset_to, name, is_dst, onset):
    from icalendar import TimezoneDaylight, TimezoneStandard

    component = TimezoneDaylight() if is_dst else TimezoneStandard()
    component.add("tzname", name)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    component.add("dtstart", onset)
    return component


# Every file carries the same VTIMEZONE for a zone: vobject keeps the first VTIMEZONE it reads
# for a TZID for the rest of the process (a CalDAV server reads many files), so one that only
# covers some years would spoil the files read after it.
FIRST_YEAR = 2000
LAST_YEAR = 2040


@lru_cache(maxsize=1024)  # about 600 zones exist
def vtimezone(tzid):
    """The VTIMEZONE of a zone: right from FIRST_YEAR on, with RRULEs.

    Yearly rules still in force after LAST_YEAR have no end, so later events keep the current
    rule (as tzdata does); one-off changes after LAST_YEAR (Morocco's Ramadan) are left out.
    """
    from icalendar import Timezone

    tz = zone(tzid)
    first = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(LAST_YEAR + 2, 1, 1, tzinfo=UTC)  # a spare year shows which rules last
    transitions, (offset, name, is_dst) = _transitions(tz, first, end)
    component = Timezone()
    component.add("tzid", tzid)
    # The state at the start of the range, as an observance of its own.
    component.add_component(_observance(offset, offset, name, is_dst,
                                        (first + offset).replace(tzinfo=None)))
    for _kind, rules, changes in _runs(transitions):
        if len(changes) == 1 and changes[0].onset.year > LAST_YEAR:
            continue
        head = changes[0]
        observance = _observance(head.offset_from, head.offset_to, head.name, head.is_dst,
                                 head.onset)
        if len(changes) > 1:
            rrule = _rrule(rules, head.onset)
            if changes[-1].onset.year <= LAST_YEAR:
                # RFC 5545 wants UNTIL in UTC; dateutil's tzical (under vobject) compares it
                # with local times. A day after the last change fits both readings, and the
                # next change would be a year later.
                rrule["UNTIL"] = changes[-1].at + _DAY
            observance.add("rrule", rrule)
        component.add_component(observance)
    return component


def _vtimezones(meetings):
    for tzid in sorted({m.timezone for m in meetings}):
        if tzid != "UTC":
            yield vtimezone(tzid)


def build_calendar(meetings, *, name, url_for_meeting, alarm_minutes, now):
    """A VCALENDAR with one VEVENT per meeting and the VTIMEZONEs they use."""
    # icalendar (~3 MB) is imported by the feeds and notices that build calendars, not by every
    # worker and process that imports this module.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for component in _vtimezones(meetings):
        cal.add_component(component)
    for meeting in meetings:
        cal.add_component(_event(meeting, url_for_meeting(meeting), alarm_minutes, now))
    return cal.to_ical()
