"""Figures for chairs count people: the time-zone spread, a country's zone and fairness.

The group (10 people, every figure below computed by hand):

    Ghana          3  Africa/Accra (UTC+0 all year); one of them is also the chair
    United States  2  America/Anchorage, America/New_York: a tie, Washington's zone wins
    Australia      3  2 Australia/Perth (UTC+8 all year), 1 Australia/Sydney: Perth by majority
    UNODC          2  Europe/Vienna, America/New_York: a tie, the seat (Vienna) wins
"""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests import factories
from tests.meetings.helpers import make_series
from wg.extensions import db
from wg.groups.models import Role
from wg.meetings import services, timezones

JUNE = datetime(2026, 6, 9, 13, 0, tzinfo=UTC)  # a Tuesday
DECEMBER = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # a Tuesday
PEOPLE = [
    ("GHA", "Africa/Accra"), ("GHA", "Africa/Accra"), ("GHA", "Africa/Accra"),
    ("USA", "America/Anchorage"), ("USA", "America/New_York"),
    ("AUS", "Australia/Perth"), ("AUS", "Australia/Perth"), ("AUS", "Australia/Sydney"),
    ("UNODC", "Europe/Vienna"), ("UNODC", "America/New_York"),
]


@pytest.fixture()
def group(ctx):
    world = factories.coalition()
    group = world["groups"]["SWG2.2"]
    people = [factories.person(participant_code=code, timezone=tz) for code, tz in PEOPLE]
    for person in people:
        factories.membership(person, group)
    # The chair is also a member: two roles, still one person.
    factories.membership(people[0], group, Role.chair)
    # Not counted: an inactive member and a lead of the group.
    gone = factories.person(participant_code="GHA", timezone="Africa/Accra",
                            is_active_account=False)
    factories.membership(gone, group)
    factories.membership(factories.person(participant_code="GHA", timezone="Asia/Tokyo"),
                         group, Role.lead)
    db.session.commit()
    return SimpleNamespace(group=group, chair=people[0])


def test_member_zones_has_one_pair_per_person(group):
    pairs = services.member_zones(group.group)
    assert sorted((p.code, z) for p, z in pairs) == sorted(PEOPLE)


def test_time_summary_counts_people(group):
    # 13:00-14:30 UTC in June: Accra 13:00, Anchorage 05:00 (outside), New York 09:00,
    # Perth 21:00-22:30 (outside, ends after 22:00), Sydney 23:00 (outside), Vienna 15:00.
    summary = services.time_summary(group.group, JUNE, 90)
    assert (summary.members, summary.outside) == (10, 4)
    rows = [(r.participant.code, r.members, r.outside, f"{r.earliest:%H:%M}", f"{r.latest:%H:%M}")
            for r in summary.rows]
    assert rows == [
        ("AUS", 3, 3, "21:00", "23:00"),
        ("USA", 2, 1, "05:00", "09:00"),
        ("UNODC", 2, 0, "09:00", "15:00"),
        ("GHA", 3, 0, "13:00", "13:00"),
    ]


@pytest.mark.parametrize("code, counts, expected", [
    ("USA", {"America/Anchorage": 1, "America/New_York": 1}, "America/New_York"),
    ("USA", {"America/Anchorage": 2, "America/New_York": 1}, "America/Anchorage"),
    ("AUS", {"Antarctica/Macquarie": 1, "Australia/Sydney": 1}, "Australia/Sydney"),
    ("AUS", {"Australia/Perth": 1, "Australia/Adelaide": 1}, "Australia/Adelaide"),
    ("RUS", {"Asia/Vladivostok": 3, "Europe/Moscow": 3}, "Europe/Moscow"),
    ("CAN", {"America/Vancouver": 1, "America/Toronto": 1}, "America/Toronto"),
    ("GHA", {"Europe/London": 1, "Africa/Accra": 1}, "Africa/Accra"),  # zone.tab's one zone
    ("UNODC", {"America/New_York": 1, "Europe/Vienna": 1}, "Europe/Vienna"),  # the seat
])
def test_representative_zone(ctx, code, counts, expected):
    participant = factories.participant(code)
    assert timezones.representative_zone(participant, counts) == expected


def test_home_zones_are_real_zones():
    from zoneinfo import available_timezones

    known = available_timezones()
    assert set(timezones.CAPITAL_ZONES.values()) <= known
    assert set(timezones.SEAT_ZONES.values()) <= known
    assert timezones.home_zone(SimpleNamespace(alpha2="gh", code="GHA")) == "Africa/Accra"


def test_fairness_uses_each_countrys_representative_zone(group):
    # June 13:00 UTC / December 13:00 UTC: Accra 13:00 / 13:00; New York 09:00 / 08:00;
    # Perth 21:00 / 21:00; Vienna 15:00 / 14:00: no night anywhere. (Anchorage, 05:00 / 04:00,
    # and Sydney, 23:00 / 00:00, would be night, but they are not their country's zone.)
    meetings = [SimpleNamespace(start_at=JUNE), SimpleNamespace(start_at=DECEMBER)]
    rows = timezones.fairness(meetings, services.member_zones(group.group))
    assert sorted((p.code, z, n, total) for p, z, n, total in rows) == [
        ("AUS", "Australia/Perth", 0, 2),
        ("GHA", "Africa/Accra", 0, 2),
        ("UNODC", "Europe/Vienna", 0, 2),
        ("USA", "America/New_York", 0, 2),
    ]
    # 03:00 UTC: Accra 03:00 (night), New York 23:00 / 22:00 (night), Perth 11:00,
    # Vienna 05:00 / 04:00 (night).
    late = [SimpleNamespace(start_at=JUNE - timedelta(hours=10)),
            SimpleNamespace(start_at=DECEMBER - timedelta(hours=10))]
    rows = timezones.fairness(late, services.member_zones(group.group))
    assert [(p.code, n) for p, _, n, _ in rows] == [
        ("GHA", 2), ("UNODC", 2), ("USA", 2), ("AUS", 0)]


def test_series_fairness_counts_nights_in_representative_zones(group, now):
    # 14:00 in Accra on the 2nd Tuesday, from January 2026: 14:00 UTC all year. New York
    # 09:00 / 10:00, Perth 22:00 (night), Vienna 15:00 / 16:00; Anchorage 05:00 / 06:00 would
    # be night, but it is not the United States' zone.
    series = make_series(group.group, group.chair, now, timezone="Africa/Accra")
    rows = {r["participant"].code: r for r in services.series_fairness(series, now)}
    # Held before now (10 March 2026, 12:00 UTC): 13 January and 10 February.
    assert (rows["AUS"]["zone"], rows["AUS"]["past"], rows["AUS"]["past_total"]) == \
        ("Australia/Perth", 2, 2)
    assert rows["AUS"]["coming"] == rows["AUS"]["coming_total"] > 0
    assert (rows["USA"]["zone"], rows["USA"]["past"], rows["USA"]["coming"]) == \
        ("America/New_York", 0, 0)
    assert (rows["GHA"]["past"], rows["UNODC"]["past"], rows["UNODC"]["zone"]) == \
        (0, 0, "Europe/Vienna")
    assert list(rows)[0] == "AUS"


def test_series_preview_shows_people_per_country(group, login):
    web = login(group.chair)
    response = web.post(f"/groups/{group.group.slug}/series/new", {
        "title": "Monthly meeting", "rule_kind": "weekday", "week": "2", "weekday": "1",
        "month_day": "15", "start_time": "13:00", "timezone": "Africa/Accra",
        "duration_minutes": "90", "place": "Online", "video_url": "", "first_date": "2026-01-01",
        "last_date": "", "preview": "Show"})
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    # Whatever the season: Anchorage, Perth (twice) and Sydney are outside 07:00-22:00.
    assert "<strong>4</strong> of 10 members would meet outside" in page
    for name, members in [("Ghana", 3), ("United States", 2), ("Australia", 3),
                          ("United Nations Office on Drugs and Crime", 2)]:
        assert re.search(rf"<td>{name}[^<]*</td> <td>{members}</td>", page), name
