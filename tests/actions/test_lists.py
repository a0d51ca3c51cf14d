"""The actions list and My actions as long lists: default filter, sorting in the URL, pages."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from wg.actions import services as actions
from wg.actions.models import ActionItem
from wg.extensions import db

TODAY = date.today()
ROW_TITLE = re.compile(r'<th scope="row" class="fw-normal"><a href="/actions/\d+" dir="auto">'
                       r'([^<]+)</a>(?: <span class="tlp-badge[^>]*>[^<]*</span>)?</th>')


def _rows(html):
    """Titles of the desktop table's rows, in order."""
    return ROW_TITLE.findall(html.split("<table", 1)[1])


def _cards(html):
    return re.findall(r'data-testid="action-card">\s*<div class="card-body p-2">\s*'
                      r'<h2 class="h6 mb-1"><a href="/actions/\d+" dir="auto">([^<]+)</a>', html)


@pytest.fixture()
def world(app):
    with app.app_context():
        w = f.coalition()
        people, groups = w["people"], w["groups"]
        chair, swg = people["chair"], groups["SWG1.1"]
        now = datetime.now(UTC)

        def close(action, status):
            actions.record_progress(action, chair, status, 100 if status == "done" else 0,
                                    "closed", None, now)

        late = f.action(swg, "Bravo late", owner=people["member"],
                        due_date=TODAY - timedelta(days=40))
        later = f.action(swg, "Alpha later", owner=chair, due_date=TODAY + timedelta(days=30))
        f.action(swg, "Charlie also late", due_date=TODAY - timedelta(days=5))
        old_done = f.action(swg, "Delta done long ago", owner=chair,
                            due_date=TODAY - timedelta(days=400))
        dropped = f.action(swg, "Echo dropped", due_date=TODAY - timedelta(days=300))
        actions.record_progress(later, chair, "in_progress", 60, "", None, now)
        close(old_done, "done")
        close(dropped, "dropped")
        db.session.commit()
        emails = {k: p.email for k, p in people.items()}
        ids = {"late": late.id, "later": later.id}
    return {"emails": emails, "ids": ids}


def test_default_is_not_done_overdue_first(world, login):
    web = login(world["emails"]["coordinator"])
    html = web.get("/actions/").get_data(as_text=True)
    assert _rows(html) == ["Bravo late", "Charlie also late", "Alpha later"]
    assert _cards(html) == _rows(html)  # the phone cards list the same actions
    assert '<option value="not_done" selected>' in html
    assert _rows(web.get("/actions/?status=not_done").get_data(as_text=True)) == _rows(html)
    assert _rows(web.get("/actions/?status=").get_data(as_text=True)) == _rows(html)


def test_all_statuses_keep_overdue_first_then_due_date(world, login):
    web = login(world["emails"]["coordinator"])
    html = web.get("/actions/?status=all").get_data(as_text=True)
    # Late actions first, then the others not done; done and dropped ones last.
    assert _rows(html) == ["Bravo late", "Charlie also late", "Alpha later",
                           "Delta done long ago", "Echo dropped"]
    assert '<option value="all" selected>' in html
    assert _rows(web.get("/actions/?status=done").get_data(as_text=True)) == [
        "Delta done long ago"]


@pytest.mark.parametrize("sort,expected", [
    ("title", ["Alpha later", "Bravo late", "Charlie also late"]),
    ("-title", ["Charlie also late", "Bravo late", "Alpha later"]),
    ("-due", ["Alpha later", "Charlie also late", "Bravo late"]),
    ("progress", ["Bravo late", "Charlie also late", "Alpha later"]),
    ("-progress", ["Alpha later", "Bravo late", "Charlie also late"]),  # ties: soonest due
    ("status", ["Bravo late", "Charlie also late", "Alpha later"]),  # open before in progress
    ("owner", ["Alpha later", "Bravo late", "Charlie also late"]),  # Cha, Mem, then nobody
    ("-owner", ["Bravo late", "Alpha later", "Charlie also late"]),  # nobody stays last
    ("group", ["Bravo late", "Charlie also late", "Alpha later"]),
    ("nonsense", ["Bravo late", "Charlie also late", "Alpha later"]),  # the default
    ("title&dir=desc", ["Charlie also late", "Bravo late", "Alpha later"]),
])
def test_sort_keys_of_the_actions_list(world, login, sort, expected):
    web = login(world["emails"]["coordinator"])
    response = web.get(f"/actions/?sort={sort}")
    assert response.status_code == 200
    assert _rows(response.get_data(as_text=True)) == expected


def test_sort_headers_say_which_column_sorts_and_keep_filters(world, login):
    web = login(world["emails"]["coordinator"])
    html = web.get("/actions/?sort=title&q=a&status=all").get_data(as_text=True)
    header = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert header.count("aria-sort") == 1 and 'aria-sort="ascending"' in header
    assert "sort=-title" in header and "q=a" in header and "status=all" in header
    assert "sorted ascending" in header  # the visually hidden hint
    # The sort survives the filter form and the pager.
    assert '<input type="hidden" name="sort" value="title">' in html


def test_csv_export_keeps_every_status_by_default(world, login):
    web = login(world["emails"]["coordinator"])
    lines = web.get("/actions/export.csv?headers=codes").get_data(as_text=True).splitlines()
    assert len(lines) == 6  # header + five actions, done and dropped included
    page = web.get("/actions/").get_data(as_text=True)
    assert re.search(r'href="/actions/export\.csv\?[^"]*status=not_done', page)
    lines = web.get("/actions/export.csv?status=not_done").get_data(as_text=True).splitlines()
    assert len(lines) == 4


def test_actions_list_pages_of_fifty(app, world, login):
    with app.app_context():
        swg = db.session.scalar(select(ActionItem)).group
        for i in range(60):
            f.action(swg, f"Bulk {i:02d}", due_date=TODAY + timedelta(days=100 + i))
        db.session.commit()
    web = login(world["emails"]["coordinator"])
    first = web.get("/actions/?sort=title").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "63 actions." in first
    assert "page=2" in first and "sort=title" in first.split('aria-label="Pages"', 1)[1]
    second = web.get("/actions/?sort=title&page=2").get_data(as_text=True)
    assert len(_rows(second)) == 13
    assert _rows(web.get("/actions/?sort=title&page=40").get_data(as_text=True)) == \
        _rows(second)  # past the end: the last page
    assert len(_rows(web.get("/actions/?page=-1").get_data(as_text=True))) == 50


def test_my_actions_sort_links(world, login):
    web = login(world["emails"]["chair"])
    html = web.get("/actions/mine?all=1").get_data(as_text=True)
    titles = re.findall(r'id="a\d+-title"><a href="/actions/\d+" dir="auto">([^<]+)<', html)
    # The chair's own actions: the open one first, the one done long ago after it.
    assert titles == ["Alpha later", "Delta done long ago"]
    by_title = web.get("/actions/mine?all=1&sort=-title").get_data(as_text=True)
    sorted_titles = re.findall(r'id="a\d+-title"><a href="/actions/\d+" dir="auto">([^<]+)<',
                               by_title)
    assert sorted_titles == sorted(sorted_titles, reverse=True) and len(sorted_titles) >= 2
    assert 'aria-current="true"' in by_title and "all=1" in by_title.split("Sort by", 1)[1]
    assert web.get("/actions/mine?sort=owner").status_code == 200  # not a key of this list


def test_responsible_countries_are_a_checkbox_list_that_saves(app, world, login):
    with app.app_context():
        from wg.participants.models import Participant

        italy = db.session.scalar(select(Participant).where(Participant.code == "ITA"))
        italy_id = italy.id
        codes = {p.code: p.id for p in db.session.scalars(select(Participant))}
    web = login(world["emails"]["chair"])
    html = web.get("/actions/new/swg1-1").get_data(as_text=True)
    assert 'type="checkbox" name="participant_ids"' in html and "<select multiple" not in html
    assert 'src="/static/js/picker.js' in html and "<script>" not in html
    ghana, mexico = codes["GHA"], codes["MEX"]
    data = {"title": "Pick two", "due_date": "2026-05-01", "weight": "1", "status": "open",
            "progress": "0", "participant_ids": [str(mexico), str(ghana)]}
    r = web.post("/actions/new/swg1-1", data)
    assert r.status_code == 302
    new_id = int(re.search(r"/actions/(\d+)", r.headers["Location"]).group(1))
    with app.app_context():
        assert {p.code for p in db.session.get(ActionItem, new_id).participants} == {"GHA",
                                                                                    "MEX"}
    # The edit form ticks the chosen ones and lists them first in their group.
    edit = web.get(f"/actions/{new_id}/edit").get_data(as_text=True)
    boxes = re.findall(r'name="participant_ids" value="(\d+)" id="[^"]+"( checked)?', edit)
    assert {v for v, _c in boxes[:2]} == {str(ghana), str(mexico)}
    assert all(c for _v, c in boxes[:2]) and not any(c for _v, c in boxes[2:])
    # Still validated on the server: Italy takes no part in SWG1.1.
    r = web.post("/actions/new/swg1-1", dict(data, title="Wrong country",
                                             participant_ids=[str(italy_id)]))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "not take part" in page and "Wrong country" in page
