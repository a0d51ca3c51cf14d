"""What a meeting time means for the people of a group: local ranges, off-hours, night.

Pure functions over (instant, zones); the callers load the zones, one (participant, zone) pair
per person, so every figure counts people.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import lru_cache
from importlib import resources

from wg.meetings.recurrence import zone

DAY_START = time(7, 0)
DAY_END = time(22, 0)


# The zone of the capital of each country (ISO alpha-2) that spans several zones in tzdata's
# zone.tab; a country with one zone there has that zone. Used to break ties when as many of a
# country's members live in one zone as in another.
CAPITAL_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney",  # Canberra
    "BR": "America/Sao_Paulo",  # Brasília
    "CA": "America/Toronto",  # Ottawa
    "CD": "Africa/Kinshasa", "CL": "America/Santiago", "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia", "DE": "Europe/Berlin", "EC": "America/Guayaquil", "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei", "GL": "America/Nuuk", "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",  # Astana
    "MH": "Pacific/Majuro", "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland", "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby", "PT": "Europe/Lisbon", "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv", "US": "America/New_York",  # Washington
    "UZ": "Asia/Tashkent",
}
# International organizations by the zone of their seat (as the demo data places their people).
SEAT_ZONES = {
    "UNODC": "Europe/Vienna", "INCB": "Europe/Vienna", "WHO": "Europe/Zurich",
    "PAHO": "America/New_York", "INTERPOL": "Europe/Paris", "WCO": "Europe/Brussels",
    "UPU": "Europe/Zurich", "ICAO": "America/Toronto", "IMO": "Europe/London",
    "EUDA": "Europe/Lisbon", "EUROPOL": "Europe/Amsterdam", "CICAD": "America/New_York",
    "AU": "Africa/Addis_Ababa", "ASEAN": "Asia/Jakarta", "COLOMBO": "Asia/Colombo",
}


@lru_cache(maxsize=1)
def _single_zones():
    """Country alpha-2 -> its zone, for countries with exactly one zone in zone.tab."""
    zones = defaultdict(list)
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            zones[parts[0]].append(parts[2])
    return {code: names[0] for code, names in zones.items() if len(names) == 1}


def home_zone(participant):
    """The zone of a country's capital or an organization's seat (None when unknown)."""
    if participant.alpha2:
        code = participant.alpha2.upper()
        return CAPITAL_ZONES.get(code) or _single_zones().get(code)
    return SEAT_ZONES.get(participant.code)


def representative_zone(participant, zone_counts):
    """The zone where most of a participant's members live; ties go to the capital's (or
    seat's) zone when it is among them, else to the first in name order."""
    most = max(zone_counts.values())
    tied = sorted(z for z, n in zone_counts.items() if n == most)
    home = home_zone(participant)
    return home if home in tied else tied[0]


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

    A meeting counts as at night for a country when it is at night in its representative zone:
    where most of that country's members in the group live (see `representative_zone`).
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
        zone_name = representative_zone(participants[pid], counter)
        if zone_name not in night_by_zone:
            try:
                tz = zone(zone_name)
            except ValueError:
                tz = zone("UTC")
            night_by_zone[zone_name] = sum(1 for s in starts if at_night(s.astimezone(tz)))
        rows.append((participants[pid], zone_name, night_by_zone[zone_name], len(starts)))
    rows.sort(key=lambda r: (-r[2], r[0].name))
    return rows
