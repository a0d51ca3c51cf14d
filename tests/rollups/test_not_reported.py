"""Who has not reported this cycle: longest silence first, by name, for a sub-group and for its
line of effort; and the trend chart's axis titles."""

import html
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select

from tests import factories as f
from wg.actions import services as actions
from wg.actions.models import ActionItem
from wg.auth.models import Person
from wg.extensions import db
from wg.rollups import services as rollups
from wg.rollups.svg import trend_chart

# No meeting yet, so each group's reporting cycle began on the first of the month (Mar 1).
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
CREATED = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def _report(action, actor, days_ago, status="in_progress", progress=20):
    actions.record_progress(action, actor, status, progress, "update", None,
                            NOW - timedelta(days=days_ago))


def _world():
    """SWG1.1 actions of Kenya (never reported), Japan (40 days), Brazil (10 days), France
    (reported this cycle) and Germany (only a done action); an SWG1.2 action of Chile (never)."""
    world = f.coalition()
    g, chair = world["groups"], world["people"]["chair"]
    p = {code: f.participant(code) for code in ("KEN", "JPN", "BRA", "FRA", "DEU", "CHL")}
    owners = {name: f.person(name, participant_code=code) for name, code in (
        ("Zoe Never", "KEN"), ("Abe Forty", "JPN"), ("Ben Ten", "BRA"), ("Fay Fresh", "FRA"))}
    for who in owners.values():
        f.membership(who, g["SWG1.1"])
    f.membership(f.person("Dirk Done", participant_code="DEU"), g["SWG1.1"])
    f.membership(f.person("Carla Chile", participant_code="CHL"), g["SWG1.2"])

    def act(group, owner, codes, title):
        return f.action(group, title, owner=owners.get(owner), now=CREATED,
                        participants=[p[c] for c in codes], due_date=date(2026, 12, 31))

    act(g["SWG1.1"], "Zoe Never", ["KEN"], "Kenya's action")
    _report(act(g["SWG1.1"], "Abe Forty", ["JPN"], "Japan's action"), chair, 40)
    japan_again = act(g["SWG1.1"], "Abe Forty", ["JPN"], "Japan's second action")
    _report(japan_again, chair, 60)
    _report(act(g["SWG1.1"], "Ben Ten", ["BRA"], "Brazil's action"), chair, 10)
    fresh = act(g["SWG1.1"], "Fay Fresh", ["FRA", "BRA"], "France's action")
    _report(fresh, chair, 70)
    # France closes an action this cycle: that is a report, though the action is no longer open.
    act(g["SWG1.1"], "Fay Fresh", ["FRA"], "France's other action")
    done = act(g["SWG1.1"], None, ["FRA"], "France's done action")
    _report(done, chair, 2, status="done", progress=100)
    _report(act(g["SWG1.1"], None, ["DEU"], "Germany's action"), chair, 50, "done", 100)
    act(g["SWG1.2"], None, ["CHL"], "Chile's action")
    db.session.commit()
    return world


def _codes(rows):
    return [q.who.code for q in rows]


def test_not_reported_longest_silence_first_and_closed_reports_count(app):
    with app.test_request_context():
        world = _world()
        cycle = rollups.not_reported(world["groups"]["SWG1.1"], NOW)
        assert cycle.start == datetime(2026, 3, 1, tzinfo=UTC)
        # Never, then 40 days (Japan's latest entry, not its older one), then 10 days; France
        # reported this cycle (on an action it has since closed); Germany has nothing open.
        assert _codes(cycle.participants) == ["KEN", "JPN", "BRA"]
        assert [q.days for q in cycle.participants] == [None, 40, 10]
        japan = cycle.participants[1]
        assert (japan.n_open, japan.total) == (2, 2)
        brazil = cycle.participants[2]
        assert (brazil.n_open, brazil.total) == (2, 2)  # its own and the one shared with France
        # France's report this cycle was on an action nobody owns: its owner Fay Fresh stays
        # listed, by the last entry on her own actions.
        assert [(q.who.name, q.days) for q in cycle.owners] == [
            ("Zoe Never", None), ("Fay Fresh", 70), ("Abe Forty", 40), ("Ben Ten", 10)]


def test_line_of_effort_covers_its_sub_groups_with_ties_by_name(app):
    with app.test_request_context():
        world = _world()
        cycle = rollups.not_reported(world["groups"]["WG1"], NOW)
        assert cycle.start is None and len(cycle.starts) == 3  # WG1, SWG1.1, SWG1.2
        # Chile and Kenya never reported: alphabetical between them, both before Japan.
        assert _codes(cycle.participants) == ["CHL", "KEN", "JPN", "BRA"]


def test_not_reported_is_three_queries_however_many_are_listed(app):
    with app.test_request_context():
        world = _world()
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        group = world["groups"]["SWG1.1"]
        groups = [group]
        assert group.code == "SWG1.1"  # loaded before counting
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            cycle = rollups.not_reported(group, NOW, groups=groups)
            names = [q.who.name for q in cycle.owners] + [q.who.code for q in cycle.participants]
            first = len(statements)
            again = rollups.not_reported(group, NOW, groups=groups)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        # The cycle starts, the change stamps, the owners (rollup_owners), the participants
        # with their last entries (rollup_participants joined to participant_activity).
        assert names and first == 4
        # Asked again with nothing changed: the owners are the ones kept under the stamps
        # (read once per request).
        assert len(statements) - first == 2 and again.owners == cycle.owners


def test_kept_owners_follow_every_change_and_the_days(app):
    """The silent owners are kept under the groups' and people's change stamps: a progress
    entry, an owner's new name, a new owner and a day passing each show at once."""
    from wg.auth import services as auth

    with app.test_request_context():
        world = _world()
        g, chair = world["groups"], world["people"]["chair"]

        def owners(now=NOW):
            return [(q.who.name, q.days) for q in rollups.not_reported(g["WG1"], now).owners]

        assert owners() == [("Zoe Never", None), ("Fay Fresh", 70), ("Abe Forty", 40),
                            ("Ben Ten", 10)]
        assert owners() == owners()  # kept
        # Ben reports on his action this cycle: he leaves the list.
        ben = db.session.scalar(select(ActionItem).where(ActionItem.title == "Brazil's action"))
        actions.record_progress(ben, chair, "in_progress", 30, "on track", None,
                                NOW - timedelta(hours=1))
        db.session.commit()
        assert [name for name, _ in owners()] == ["Zoe Never", "Fay Fresh", "Abe Forty"]
        # Abe is renamed: the list shows the new name, sorted by it among equals.
        abe = db.session.scalar(select(Person).where(Person.name == "Abe Forty"))
        auth.update_person(abe, name="Abel Forty", email=abe.email, participant=abe.participant,
                           timezone=abe.timezone, language=abe.language, actor=chair, now=NOW)
        db.session.commit()
        assert ("Abel Forty", 40) in owners()
        # A new action of someone who never reported in SWG1.2 lists her too.
        carla = db.session.scalar(select(Person).where(Person.name == "Carla Chile"))
        f.action(g["SWG1.2"], "Chile's second action", owner=carla, now=CREATED,
                 due_date=date(2026, 12, 31))
        db.session.commit()
        assert owners()[:2] == [("Carla Chile", None), ("Zoe Never", None)]
        # A day later every silence is a day longer; an hour later nothing moved.
        assert owners(NOW + timedelta(hours=1)) == owners()
        assert owners(NOW + timedelta(days=1))[2:] == [("Fay Fresh", 71), ("Abel Forty", 41)]


def test_line_of_effort_page_lists_names_before_owners(app, login):
    with app.app_context():
        world = _world()
        web = login(world["people"]["lead"])
        page = web.get("/rollups/groups/swg1-1").get_data(as_text=True)
        # At today's date France's report (in March) is before the cycle too: two open, one
        # done, and its link opens a list of exactly those three.
        france = re.search(r'<li [^>]*data-participant="FRA"[^>]*><a [^>]*href="([^"]+)"[^>]*>'
                           r'France</a>(.*?)</li>', page, re.S)
        assert "2 open actions · 3 in all" in france.group(2)
        listed = web.get(html.unescape(france.group(1))).get_data(as_text=True)
        assert "3 actions." in listed
    quiet = page.split('id="not-reported"', 1)[1]
    listed = re.findall(r'data-participant="(\w+)"', quiet.split('id="quiet-owners"')[0])
    assert listed[:1] == ["KEN"] and "Kenya" in quiet and "Japan" in quiet
    assert quiet.index("Kenya") < quiet.index('id="quiet-owners"') < quiet.index("Zoe Never")
    assert "person #" not in page
    assert page.count("How is this computed?") == 1
    assert "never reported" in quiet and "days since last report" in quiet


def test_trend_chart_axes_have_titles_in_both_directions(app):
    points = [("Jan", 10.0, 1), ("Feb", 20.0, 3), ("Mar", None, 2)]
    for language, percent_x in (("en", "14"), ("ar", "626")):
        with app.test_request_context(headers={"Accept-Language": language}):
            svg = str(trend_chart(points, "c", "Trend"))
        titles = re.findall(r'<text x="([\d.]+)"[^>]*class="axis-title"[^>]*>([^<]+)</text>', svg)
        assert len(titles) == 3, svg
        assert titles[0][0] == percent_x  # the percent axis: left, or right when mirrored
        assert all(text.strip() for _x, text in titles)
        assert 'role="img"' in svg and 'aria-labelledby="c-t c-d"' in svg
        assert '<title id="c-t">Trend</title>' in svg and '<desc id="c-d">' in svg
    with app.test_request_context(headers={"Accept-Language": "en"}):
        svg = str(trend_chart(points, "c", "Trend"))
    assert ">Percent complete</text>" in svg and ">Overdue actions</text>" in svg
    assert ">Month end</text>" in svg


def test_kept_list_follows_a_report_and_equals_the_fresh_one(app, login):
    """The "not reported" section is kept by wg.rollups.fragments under the data it shows: a
    report takes the country off at once, and a kept page is byte for byte a fresh one."""
    from wg.actions.models import ActionItem
    from wg.auth.models import Person
    from wg.rollups import fragments

    fragments.clear()
    with app.app_context():
        world = _world()
        lead_id, chair_id = world["people"]["lead"].id, world["people"]["chair"].id
        kenya_id = db.session.scalar(
            select(ActionItem.id).where(ActionItem.title == "Kenya's action"))
        web = login(world["people"]["lead"])

    def section(path="/rollups/groups/swg1-1"):
        page = web.get(path).get_data(as_text=True)
        return page.split('id="not-reported"', 1)[1].split("</section>", 1)[0]

    first = section()
    assert 'data-participant="KEN"' in first and section() == first
    with app.app_context():
        actions.record_progress(db.session.get(ActionItem, kenya_id),
                                db.session.get(Person, chair_id), "in_progress", 10, "", None,
                                datetime.now(UTC))
        db.session.commit()
    after = section()
    assert 'data-participant="KEN"' not in after and 'data-participant="JPN"' in after
    fragments.clear()
    assert section() == after
    with app.app_context():
        db.session.get(Person, lead_id).language = "es"
        db.session.commit()
    assert "Países y organizaciones (" in section()
