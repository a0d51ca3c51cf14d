"""What a meeting time means for the people of a group: local ranges, off-hours, night.

Pure functions over (instant, zones); the callers load the zones.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import time, timedelta

from wg.meetings.recurrence import zone

DAY_START = time(7, 0)
DAY_END = time(22, 0)


def _minutes(t):
    return t.hour * 60 + t.minute


def outside_day(start_local, end_local):
    """True when any part of the meeting lies outside 07:00-22:00 local time."""
    if start_local.date() != end_local.date() and _minutes(end_local.time()) > 0:
        return True
    start, end = _minutes(start_local.time()), _minutes(end_local.time())
    if end == 0 and start_local.date() != end_local.date():
        end = 24 * 60
    return start < _minutes(DAY_START) or end > _minutes(DAY_END)


def at_night(start_local):
    """A meeting falls at night for someone when it starts between 22:00 and 07:00 local."""
    t = start_local.time()
    return t >= DAY_END or t < DAY_START


@dataclass
class CountryTime:
    participant: object
    members: int
    earliest: object  # local start datetime, earliest wall-clock among its members' zones
    latest: object
    outside: int  # members for whom the meeting is outside 07:00-22:00


@dataclass
class TimeSummary:
    members: int = 0
    outside: int = 0
    rows: list = field(default_factory=list)  # CountryTime per participant


def time_summary(start_at, duration_minutes, people):
    """For people given as (participant, zone name) pairs: each participant's local range.

    Zones are converted once per distinct zone, so a group of any size costs little.
    """
    local_by_zone = {}
    by_participant = defaultdict(Counter)
    participants = {}
    for participant, zone_name in people:
        participants[participant.id] = participant
        by_participant[participant.id][zone_name] += 1
    summary = TimeSummary()
    end_at = start_at + timedelta(minutes=duration_minutes)
    for pid, zones in by_participant.items():
        locals_, outside, members = [], 0, 0
        for zone_name, count in zones.items():
            if zone_name not in local_by_zone:
                try:
                    tz = zone(zone_name)
                except ValueError:
                    tz = zone("UTC")
                s, e = start_at.astimezone(tz), end_at.astimezone(tz)
                local_by_zone[zone_name] = (s, outside_day(s, e))
            s, off = local_by_zone[zone_name]
            locals_.append(s)
            members += count
            outside += count if off else 0
        key = lambda d: (d.utcoffset(), d.tzname())  # noqa: E731
        summary.rows.append(CountryTime(participants[pid], members, min(locals_, key=key),
                                        max(locals_, key=key), outside))
        summary.members += members
        summary.outside += outside
    summary.rows.sort(key=lambda r: (-r.outside, r.earliest.utcoffset(), r.participant.name))
    return summary


def fairness(meetings, people):
    """Per participant: how many of the meetings started at night (22:00-07:00) for it.

    A meeting counts as at night for a country when it is at night in the zone where most of
    that country's members in the group live (ties: the first zone in name order).
    Returns rows (participant, zone name, night count, meetings) sorted by most nights first.
    """
    zones = defaultdict(Counter)
    participants = {}
    for participant, zone_name in people:
        participants[participant.id] = participant
        zones[participant.id][zone_name] += 1
    starts = [m.start_at for m in meetings]
    night_by_zone = {}
    rows = []
    for pid, counter in zones.items():
        zone_name = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if zone_name not in night_by_zone:
            try:
                tz = zone(zone_name)
            except ValueError:
                tz = zone("UTC")
            night_by_zone[zone_name] = sum(1 for s in starts if at_night(s.astimezone(tz)))
        rows.append((participants[pid], zone_name, night_by_zone[zone_name], len(starts)))
    rows.sort(key=lambda r: (-r[2], r[0].name))
    return rows
