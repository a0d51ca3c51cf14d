"""What a meeting time means for the people of a group: local ranges, off-hours, night.

Pure functions over (instant, zones); the callers load the zones, one (participant, zone) pair
per person, so every figure counts people.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from importlib import resources

from flask_babel import lazy_gettext

from wg import formatting
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


# The time-zone picker: the person's own country first, then every other zone by region, each
# shown as "(UTC+09:00) Tokyo, Japan", by offset then city. Offsets, not abbreviations ("CST"
# is three different zones). Only zone.tab's canonical zones are offered; an older alias a
# person already has (Asia/Calcutta) stays selectable at the top.

REGIONS = {
    "Africa": lazy_gettext("Africa"), "America": lazy_gettext("Americas"),
    "Antarctica": lazy_gettext("Antarctica"), "Arctic": lazy_gettext("Arctic"),
    "Asia": lazy_gettext("Asia"), "Atlantic": lazy_gettext("Atlantic Ocean"),
    "Australia": lazy_gettext("Australia"), "Europe": lazy_gettext("Europe"),
    "Indian": lazy_gettext("Indian Ocean"), "Pacific": lazy_gettext("Pacific Ocean"),
}


@lru_cache(maxsize=1)
def country_zones():
    """Country alpha-2 -> its zones, and zone -> its country, from tzdata's zone.tab."""
    by_country, country_of = defaultdict(list), {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            by_country[parts[0]].append(parts[2])
            country_of[parts[2]] = parts[0]
    return dict(by_country), country_of


def single_zone(participant):
    """The zone of a country that has exactly one (Ghana: Africa/Accra), else None: the default
    for a new person of that country, where guessing the capital's would often be wrong."""
    if participant is None or not getattr(participant, "alpha2", None):
        return None
    zones = country_zones()[0].get(participant.alpha2.upper(), [])
    return zones[0] if len(zones) == 1 else None


def own_zones(participant):
    """The zones offered first to a person of this participant: its country's, or its seat's."""
    if participant is None:
        return []
    if getattr(participant, "alpha2", None):
        return list(country_zones()[0].get(participant.alpha2.upper(), []))
    seat = SEAT_ZONES.get(participant.code)
    return [seat] if seat else []


def _option(name, now, city, country=None):
    offset = now.astimezone(zone(name)).utcoffset()
    label = f"({formatting.format_offset(now.astimezone(zone(name)))}) {city}"
    if country and country != city:
        label = f"{label}, {country}"
    return offset, formatting.sort_key(city), name, label


@lru_cache(maxsize=64)
def _regions(language, day):
    """Every canonical zone by region, labelled and sorted, for one language on one day."""
    now = datetime.combine(day, time(12), tzinfo=UTC)
    loc = formatting.locale()
    _, country_of = country_zones()
    groups = defaultdict(list)
    for name, code in country_of.items():
        groups[name.split("/", 1)[0]].append(
            _option(name, now, formatting.zone_city(name), loc.territories.get(code, code)))
    groups["Other"].append(_option("UTC", now, "UTC"))
    return {region: [(name, label) for *_, name, label in sorted(rows)]
            for region, rows in groups.items()}


def zone_choices(participant=None, current=None, now=None):
    """WTForms choices with option groups: the participant's own zones first (a country's, or an
    organization's seat), then every zone by region; `current` is kept even when it is an alias.
    """
    from flask_babel import gettext

    now = now or datetime.now(UTC)
    language = str(formatting.locale())
    regions = _regions(language, now.date())
    choices = {}
    first = []
    own = set(own_zones(participant))
    if current and current != "UTC" and current not in country_zones()[1]:
        try:
            first.append(_option(current, now, formatting.zone_city(current)))
        except ValueError:
            pass
    for name in own_zones(participant):
        first.append(_option(name, now, formatting.zone_city(name)))
    if first:
        if participant is not None and getattr(participant, "alpha2", None):
            label = gettext("In %(country)s", country=formatting.participant_name(participant))
        elif participant is not None and own_zones(participant):
            label = gettext("Your organization's seat")
        else:
            label = gettext("Your current zone")
        choices[label] = [(name, lbl) for *_, name, lbl in sorted(set(first))]
    for region in sorted(REGIONS, key=lambda r: formatting.sort_key(REGIONS[r])):
        if region in regions:  # each zone once: a country's zones only in its own group
            choices[str(REGIONS[region])] = [(n, lbl) for n, lbl in regions[region]
                                             if n not in own]
    choices[gettext("Other")] = regions["Other"]
    return choices
