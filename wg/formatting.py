"""Jinja filters and helpers: dates, times, numbers, lists and names in the viewer's language.

Every date or number a page or mail shows goes through Babel with the current locale (the
request's, or the one a mail is rendered in with `wg.i18n.language(code)`), so "Tue 10 Mar" reads
"mar. 10 mars" in French and "١٠ مارس" in Arabic. Times are always shown in an explicit zone.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers
from flask_babel import get_locale, lazy_gettext

# Named styles: (date skeleton, with time). Skeletons let each language order the parts itself.
STYLES = {
    "full": ("yMMMEd", True),          # Tue 10 Mar 2026, 08:00 CET
    "day_time": ("MMMEd", True),       # Tue 10 Mar, 08:00 CET
    "short": ("MMMd", True),           # 10 Mar, 08:00 CET
    "date": ("yMMMd", False),          # 10 Mar 2026
    "long_date": ("yMMMMEEEEd", False),  # Tuesday 10 March 2026
    "month": ("MMMyy", False),         # Mar 26
}


def locale():
    return get_locale() or Locale("en")


def to_zone(value, zone_name):
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (KeyError, ValueError):
        zone = UTC
    return value.astimezone(zone)


def format_datetime(value, zone_name="UTC", style="full"):
    """An instant in a zone: '<date>, <time> <zone abbreviation>' in the current language."""
    if value is None:
        return ""
    local = to_zone(value, zone_name)
    skeleton, with_time = STYLES.get(style, STYLES["full"])
    loc = locale()
    text = dates.format_skeleton(skeleton, local, locale=loc)
    if with_time:
        # The language's own way of joining a date and a time ("{1}, {0}", "{1}، {0}", "{1} {0}");
        # on right-to-left pages the Latin zone abbreviation is isolated so it stays in place.
        clock = f"{format_clock(local, loc)} {local.tzname()}"
        if loc.character_order == "right-to-left":
            clock = f"\u2068{clock}\u2069"
        joiner = loc.datetime_formats.get("medium") or "{1}, {0}"
        text = str(joiner).replace("'", "").format(clock, text)
    return text


def format_clock(value, loc=None):
    """'08:00' (24-hour clock with the language's digits and separators)."""
    return dates.format_skeleton("Hm", value, locale=loc or locale())


def format_time_range(start, end, zone_name="UTC"):
    """'07:00–08:30' in a zone, written the language's own way (CLDR interval formats for the
    'Hm' skeleton: '7:00–8:30' in Spanish, '07:00—08:30' in Russian), start first on
    right-to-left pages too."""
    if start is None or end is None:
        return ""
    start, end = to_zone(start, zone_name), to_zone(end, zone_name)
    loc = locale()
    text = format_clock(start, loc) if end <= start else dates.format_interval(start, end, "Hm",
                                                                               locale=loc)
    if loc.character_order == "right-to-left":
        # Isolated left to right: else an Arabic line shows "08:30–07:00", end before start.
        text = f"\u2066{text}\u2069"
    return text


def format_offset(value):
    """'UTC+09:00' for a zone-aware datetime, isolated left to right so it reads the same on
    right-to-left pages. Offsets, never abbreviations: 'CST' is three different zones."""
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, minutes = divmod(abs(minutes), 60)
    return f"\u2066UTC{sign}{hours:02d}:{minutes:02d}\u2069"


def join_date_time(day_text, time_text, loc=None):
    """A date and a time joined the language's own way ('{1}, {0}', '{1}، {0}', '{1} {0}')."""
    loc = loc or locale()
    joiner = loc.datetime_formats.get("medium") or "{1}, {0}"
    return str(joiner).replace("'", "").format(time_text, day_text)


def meeting_when(start_at, duration_minutes, viewer_zone, anchor_zone):
    """The pieces of '<day>, 07:00–08:30 (your time) · 22:00–23:30 in Tokyo (UTC+09:00)'.

    `yours` is the day and time range in the viewer's zone; `anchor` (None when its clock reads
    the same as the viewer's) the range in the meeting's anchor zone, with its day when the day
    differs there; `city` and `offset` name the anchor zone (offset at the meeting's time).
    """
    end_at = start_at + timedelta(minutes=duration_minutes)
    loc = locale()
    start = to_zone(start_at, viewer_zone)
    day = dates.format_skeleton("yMMMEd", start, locale=loc)
    yours = join_date_time(day, format_time_range(start, end_at, viewer_zone), loc)
    local = to_zone(start_at, anchor_zone)
    anchor = None
    if local.utcoffset() != start.utcoffset():  # the same offset reads the same: nothing to add
        anchor = format_time_range(local, end_at, anchor_zone)
        if local.date() != start.date():
            anchor = join_date_time(dates.format_skeleton("MMMEd", local, locale=loc), anchor, loc)
    return dict(yours=yours, anchor=anchor, city=zone_city(anchor_zone),
                offset=format_offset(local))


def format_date(value, style="date"):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    skeleton, _ = STYLES.get(style, STYLES["date"])
    return _format_day(skeleton, value, locale())


@lru_cache(maxsize=8192)
def _format_day(skeleton, day, loc):
    """A calendar date is written the same way every time: Babel's skeleton matching costs
    ~0.3 ms a call, and a dashboard writes the same few month names hundreds of times."""
    return dates.format_skeleton(skeleton, day, locale=loc)


def format_number(value, digits=None):
    if value is None:
        return ""
    if type(value) is int and digits is None:
        return _format_int(value, locale())
    if digits is None:
        return numbers.format_decimal(value, locale=locale())
    return numbers.format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                                  locale=locale())


@lru_cache(maxsize=16384)
def _format_int(value, loc):
    """Counts repeat (0, 1, 2 ... on every line of a figures table): written once per language."""
    return numbers.format_decimal(value, locale=loc)


def format_percent(value, digits=0):
    """`value` is a fraction (0.42 → 42 %) in the language's own way of writing percent."""
    if value is None:
        return ""
    loc = locale()
    # The language's own pattern ("#,##0 %" in French), with the decimals asked for.
    pattern = loc.percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return numbers.format_percent(value, format=pattern, locale=loc)


def format_list(items, style="standard"):
    return lists.format_list([str(i) for i in items], style=style, locale=locale())


def zone_city(zone_name):
    """'Vienna' for Europe/Vienna, in the current language where CLDR names the city."""
    try:
        return dates.get_timezone_location(ZoneInfo(zone_name), locale=locale(), return_city=True)
    except Exception:  # noqa: BLE001 - an unknown zone keeps its raw last part
        return (zone_name or "UTC").rsplit("/", 1)[-1].replace("_", " ")


def zone_label(zone_name, now=None):
    """'(UTC+01:00) Vienna': a zone by its offset now and its city, never an abbreviation."""
    local = to_zone(now or datetime.now(UTC), zone_name)
    return f"({format_offset(local)}) {zone_city(zone_name or 'UTC')}"


# Organizations are proper names: the secretariat's English name, translated in the catalogs
# for the organizations the coalition seeds (UN bodies publish their names in all six languages).
ORGANIZATION_NAMES = {
    "UNODC": lazy_gettext("United Nations Office on Drugs and Crime"),
    "INCB": lazy_gettext("International Narcotics Control Board"),
    "WHO": lazy_gettext("World Health Organization"),
    "PAHO": lazy_gettext("Pan American Health Organization"),
    "INTERPOL": lazy_gettext("International Criminal Police Organization"),
    "WCO": lazy_gettext("World Customs Organization"),
    "UPU": lazy_gettext("Universal Postal Union"),
    "ICAO": lazy_gettext("International Civil Aviation Organization"),
    "IMO": lazy_gettext("International Maritime Organization"),
    "EUDA": lazy_gettext("European Union Drugs Agency"),
    "EUROPOL": lazy_gettext("European Union Agency for Law Enforcement Cooperation"),
    "CICAD": lazy_gettext("Inter-American Drug Abuse Control Commission (OAS)"),
    "AU": lazy_gettext("African Union Commission"),
    "ASEAN": lazy_gettext("ASEAN Secretariat"),
    "COLOMBO": lazy_gettext("Colombo Plan Drug Advisory Programme"),
}


def participant_name(participant):
    """A country by its name in the viewer's language (CLDR); an organization as translated."""
    if participant is None:
        return ""
    alpha2 = getattr(participant, "alpha2", None)
    kind = getattr(getattr(participant, "kind", None), "value", None)
    if kind == "country" and alpha2:
        name = locale().territories.get(alpha2.upper())
        if name:
            return name
    if kind == "organization" and participant.code in ORGANIZATION_NAMES:
        return str(ORGANIZATION_NAMES[participant.code])
    return participant.name


@lru_cache(maxsize=1)
def _collator():
    """pyuca's collation, its table packed (wg.collation): ~3 MB a worker instead of ~11."""
    from wg.collation import CompactCollator

    return CompactCollator()


def sort_key(text):
    """Unicode collation (UCA): 'Afghanistan' before 'ASEAN Secretariat', accents ignored first."""
    return _sort_key(str(text or ""))


@lru_cache(maxsize=8192)
def _sort_key(text):
    """The same names are sorted on every page view (rosters, silent owners): keyed once. A
    key is a tuple of ~50 numbers (~600 bytes with its name): 8,192 of them are ~5 MB a worker,
    more than a line of effort's silent owners at ten times the coalition (~1,200)."""
    return _collator().sort_key(text)


def sorted_by_name(participants):
    return sorted(participants, key=lambda p: sort_key(participant_name(p)))


def register(app):
    from wg import i18n

    app.jinja_env.filters.update(
        datetime=format_datetime, date=format_date, number=format_number,
        percent=format_percent, listing=format_list, clock=format_clock,
        time_range=format_time_range, utc_offset=format_offset)
    app.jinja_env.globals.update(
        participant_name=participant_name, current_language=i18n.current_language,
        text_direction=i18n.text_direction, LANGUAGES=i18n.LANGUAGES, zone_city=zone_city,
        zone_label=zone_label)


__all__ = ["date", "format_date", "format_datetime", "format_number", "format_offset",
           "format_percent", "format_time_range", "join_date_time",
           "participant_name", "sort_key", "sorted_by_name"]
