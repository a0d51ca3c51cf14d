"""Issue 10: every route and every form, fed hostile input, never answers 5xx.

Walks app.url_map as a coordinator and anonymously, with valid CSRF tokens: NUL bytes, huge
integers, impossible dates, unicode digits, 1 MB strings, right-to-left text and emoji.
"""

import re
import time
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.conftest import CSRFClient
from tests.meetings.helpers import make_series
from wg.auth import services as auth
from wg.extensions import db
from wg.meetings.models import Meeting

HOSTILE = [
    "a\x00b", "99999999999999999999", "-99999999999999999999", "9223372036854775808",
    "9999-12-31", "10000-01-01", "0000-00-00", "2026-02-30", "²", "١٢٣", "-1", "0", "1e308",
    "NaN", "\u202eعربي עברית\u202c", "😀" * 50, "", " ", "' OR 1=1 --", "../../etc/passwd",
    "<script>alert(1)</script>", "[" * 5000, "x" * 10_000,
]
BIG = "x" * 1_000_000
QUERY_KEYS = ["page", "q", "group", "owner", "status", "participant", "state", "kind", "past",
              "month", "year", "due", "sort", "endpoint", "_method", "next", "meeting", "week"]
SKIP = {"static", "bootstrap.static", "auth.logout", "auth.logout_others"}
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@pytest.fixture()
def world(app, now):
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        chair = w["people"]["chair"]
        series = make_series(g, chair, now)
        action = f.action(g, "Share data", owner=chair, due_date=date(2030, 1, 1))
        meeting_id = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
        auth.send_password_link(w["people"]["member"], now=now, base_url="http://x")
        db.session.commit()
        member = w["people"]["member"]
        ids = {"person_id": member.id, "group_id": g.id, "participant_id": member.participant_id,
               "series_id": series.id, "meeting_id": meeting_id, "action_id": action.id,
               "membership_id": member.memberships[0].id, "message_id": 1, "item_id": 1,
               "decision_id": 1}
        strings = {"slug": "swg1-1", "code": "MEX", "token": member.calendar_token}
        return {"ids": ids, "strings": strings, "coordinator": w["people"]["coordinator"].email,
                "calendar_token": member.calendar_token}


def _path(rule, world, hostile_arg=None, value=None):
    path = rule.rule
    for arg in rule.arguments:
        good = world["ids"].get(arg, world["strings"].get(arg, "x"))
        chosen = value if arg == hostile_arg else good
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(chosen), path)
    return path


class Sweep:
    def __init__(self, web):
        self.web = web
        self.count = 0
        self.failures = []

    def request(self, method, path, **kwargs):
        self.count += 1
        try:
            response = self.web.client.open(path, method=method, **kwargs)
        except Exception as exc:  # an unhandled exception is a 500 in production
            self.failures.append((method, path[:120], repr(exc)[:200]))
            return None
        if response.status_code >= 500:
            self.failures.append((method, path[:120], response.status_code))
        return response


def _token(web):
    for page in ("/profile", "/login"):
        html = web.client.get(page).get_data(as_text=True)
        match = CSRFClient.TOKEN_RE.search(html)
        if match:
            return match.group(1) or match.group(2)
    raise AssertionError("no CSRF token")


def _sweep(app, world, web):
    sweep = Sweep(web)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    for rule in rules:
        methods = rule.methods - {"HEAD", "OPTIONS"}
        path = _path(rule, world)
        for arg in rule.arguments:
            for value in ("99999999999999999999", "%00", "²", "-1", "😀"):
                sweep.request("GET" if "GET" in methods else "POST", _path(rule, world, arg, value))
        if "GET" in methods:
            for value in HOSTILE:
                sweep.request("GET", path, query_string={k: value for k in QUERY_KEYS})
        if "POST" in methods:
            names = ["title", "note", "progress", "status", "version", "next", "email", "name"]
            if "GET" in methods:
                page = sweep.request("GET", path)
                if page is not None and page.status_code == 200:
                    names = sorted(set(NAME_RE.findall(page.get_data(as_text=True)))
                                   - {"csrf_token"}) or names
            token = _token(web)
            for value in HOSTILE + [BIG]:
                data = {name: value for name in names}
                data["csrf_token"] = token
                sweep.request("POST", path, data=data)
            for name in names:  # one hostile field at a time, the others empty
                for value in ("99999999999999999999", "9999-12-31", "²", "a\x00b"):
                    sweep.request("POST", path, data={name: value, "csrf_token": token})
    return sweep


@pytest.mark.slow
def test_no_route_answers_5xx_to_hostile_input(app, world, login, client):
    start = time.monotonic()
    total = 0
    failures = []
    anonymous = CSRFClient(app.test_client())
    for web in (login(world["coordinator"]), anonymous):
        sweep = _sweep(app, world, web)
        total += sweep.count
        failures += sweep.failures
    elapsed = time.monotonic() - start
    print(f"\nhostile sweep: {total} requests in {elapsed:.1f} s, {len(failures)} 5xx")
    for failure in sorted({(m, p[:60], str(e)[:150]) for m, p, e in failures}):
        print(failure)
    assert not failures, failures[:20]
    assert total >= 2000
