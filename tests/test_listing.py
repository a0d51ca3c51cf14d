"""Sorting and paging helpers shared by the long lists (wg/listing.py)."""

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests import factories as f
from wg.auth.models import Person
from wg.listing import SortState, paginate, paginate_list, parse_sort, requested_page

KEYS = ("name", "due")


@pytest.mark.parametrize("args,expected", [
    ({}, SortState("name", False, True)),
    ({"sort": "due"}, SortState("due", False, False)),
    ({"sort": "-due"}, SortState("due", True, False)),
    ({"sort": "due", "dir": "desc"}, SortState("due", True, False)),
    ({"sort": "-due", "dir": "asc"}, SortState("due", False, False)),
    ({"sort": "name"}, SortState("name", False, True)),
    ({"sort": "password_hash"}, SortState("name", False, True)),   # not in the whitelist
    ({"sort": "due; DROP TABLE people"}, SortState("name", False, True)),
    ({"sort": "--due"}, SortState("due", True, False)),
    ({"sort": ""}, SortState("name", False, True)),
])
def test_parse_sort_whitelists_and_falls_back(args, expected):
    assert parse_sort(MultiDict(args), KEYS, "name") == expected


def test_sort_state_links_toggle_and_describe():
    state = parse_sort({"sort": "due"}, KEYS, "name")
    assert state.args_for("due") == {"sort": "-due"}  # ascending now: the link reverses it
    assert state.args_for("name") == {"sort": "name"}
    assert state.aria("due") == "ascending" and state.aria("name") is None
    assert parse_sort({"sort": "-due"}, KEYS, "name").args_for("due") == {"sort": "due"}
    assert parse_sort({"sort": "-due"}, KEYS, "name").aria("due") == "descending"
    assert parse_sort({}, KEYS, "name").as_args() == {}
    assert parse_sort({"sort": "-name"}, KEYS, "name").as_args() == {"sort": "-name"}


@pytest.mark.parametrize("raw,expected", [
    (None, 1), ("3", 3), ("0", 1), ("-4", 1), ("abc", 1), ("2.5", 1), ("", 1)])
def test_requested_page_is_never_below_one(raw, expected):
    args = {} if raw is None else {"page": raw}
    assert requested_page(args) == expected


def test_paginate_list_clamps_to_the_last_page():
    rows = list(range(120))
    first = paginate_list(rows, page=1)
    assert first.items == list(range(50)) and first.pages == 3 and first.total == 120
    assert paginate_list(rows, page=3).items == list(range(100, 120))
    assert paginate_list(rows, page=99).page == 3
    assert paginate_list(rows, page=99).items == list(range(100, 120))
    assert paginate_list([], page=5).items == [] and paginate_list([], page=5).page == 1


def test_paginate_query_uses_limit_and_answers_any_page(ctx):
    for i in range(55):
        f.person(f"Person {i:02d}", f"p{i:02d}@example.org")
    ctx_stmt = select(Person).order_by(Person.name)
    with ctx.test_request_context("/?page=2"):
        page = paginate(ctx_stmt)
        assert page.page == 2 and len(page.items) == 5 and page.total == 55
    with ctx.test_request_context("/?page=7"):
        page = paginate(ctx_stmt)
        assert page.page == 2 and [p.name for p in page.items][0] == "Person 50"
    with ctx.test_request_context("/?page=x"):
        assert paginate(ctx_stmt).page == 1
