"""Coordinators' long lists: people and participants sorted by column, pages of fifty
everywhere (people, participants, outbox, API tokens)."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests import factories as f
from wg.api import tokens
from wg.extensions import db
from wg.notify import services as notify
from wg.pledge.models import PledgeSignature

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _coordinator(app, login, extra=0):
    with app.app_context():
        c = f.coalition()
        for i in range(extra):
            f.person(f"Zed Person {i:02d}", f"zed{i:02d}@example.org", "GHA")
        db.session.commit()
        email = c["people"]["coordinator"].email
    return login(email)


def _people_rows(html):
    table = html.split("<tbody>", 1)[1]
    return re.findall(r'<th scope="row" class="fw-normal"><a href="/admin/people/\d+" '
                      r'dir="auto">([^<]+)</a>', table)


@pytest.mark.parametrize("sort,first,last", [
    (None, "Cha Chair", "Out Sider"),
    ("-name", "Out Sider", "Cha Chair"),
    ("email", "Cha Chair", "Out Sider"),                 # chair@ ... outsider@
    ("participant", None, None),                          # see below
    ("timezone", "Cha Chair", "Out Sider"),
    ("password_hash", "Cha Chair", "Out Sider"),         # not a key: the default
])
def test_admin_people_sorts(app, login, sort, first, last):
    web = _coordinator(app, login)
    response = web.get("/admin/people" + (f"?sort={sort}" if sort else ""))
    assert response.status_code == 200
    rows = _people_rows(response.get_data(as_text=True))
    assert len(rows) == 6
    if sort == "participant":
        # Ghana, Italy, India, Mexico, United Kingdom, United States (recorded English names).
        assert rows == ["Mem Member", "Out Sider", "Otto Other", "Cha Chair", "Lee Lead",
                        "Cora Coordinator"]
    else:
        assert (rows[0], rows[-1]) == (first, last)


def test_admin_people_pages_and_sort_headers(app, login):
    web = _coordinator(app, login, extra=60)
    html = web.get("/admin/people?sort=-name&q=zed").get_data(as_text=True)
    rows = _people_rows(html)
    assert len(rows) == 50 and rows[0] == "Zed Person 59"
    assert 'aria-sort="descending"' in html
    pager = html.split('aria-label="Pages"', 1)[1]
    assert "sort=-name" in pager and "q=zed" in pager and "page=2" in pager
    second = web.get("/admin/people?sort=-name&q=zed&page=2").get_data(as_text=True)
    assert 'aria-current="page">2</a>' in second
    last = _people_rows(second)
    assert len(last) == 10 and last[-1] == "Zed Person 00"
    assert _people_rows(web.get("/admin/people?sort=-name&q=zed&page=9")
                        .get_data(as_text=True)) == last
    # Phones get cards, the address on its own line (no one-letter-per-line column).
    assert html.count('data-testid="person-card"') == 50
    assert 'class="small cell-email">zed59@example.org<' in html


def _participant_rows(html):
    table = html.split("<tbody>", 1)[1]
    return re.findall(r'<code>([A-Z0-9-]+)</code></td>', table)


def test_participants_directory_and_admin_list_sort_and_page(app, login):
    with app.app_context():
        f.coalition()
        for code in ("AUS", "BEL", "CAN", "ARG", "BRA", "CHL", "COL", "PER", "URY", "PRY",
                     "ECU", "BOL", "VEN", "PAN", "CRI", "SLV", "HND", "GTM", "NIC", "CUB",
                     "DOM", "JAM", "HTI", "TTO", "BRB", "BHS", "BLZ", "GUY", "SUR", "FRA",
                     "DEU", "ESP", "PRT", "NLD", "LUX", "AUT", "CHE", "POL", "CZE", "SVK",
                     "HUN", "ROU", "BGR", "GRC", "TUR", "CYP", "MLT", "IRL", "ISL", "NOR"):
            f.participant(code)
        pledged = f.participant("AUS")
        # the newest signature (written directly: the service refuses dates in the future)
        signature = db.session.scalar(select(PledgeSignature).filter_by(participant_id=pledged.id))
        if signature is None:
            signature = PledgeSignature(participant_id=pledged.id)
            db.session.add(signature)
        signature.signed_on = date(2030, 9, 24)
        db.session.commit()
    web = login("coordinator@example.org")
    for url in ("/participants", "/admin/participants"):
        first = web.get(url).get_data(as_text=True)
        codes = _participant_rows(first)
        assert len(codes) == 50 and codes[0] == "ARG"  # Argentina, by name
        assert "page=2" in first.split('aria-label="Pages"', 1)[1]
        second = _participant_rows(web.get(f"{url}?page=2").get_data(as_text=True))
        assert len(second) > 0 and not set(second) & set(codes)
        pages = int(re.findall(r'page=(\d+)"', first)[-1])
        last = _participant_rows(web.get(f"{url}?page={pages}").get_data(as_text=True))
        assert 0 < len(last) <= 50
        assert _participant_rows(web.get(f"{url}?page=99").get_data(as_text=True)) == last
        by_code = _participant_rows(web.get(f"{url}?sort=-code").get_data(as_text=True))
        assert by_code == sorted(by_code, reverse=True)
        oldest_first = _participant_rows(web.get(f"{url}?sort=pledge").get_data(as_text=True))
        assert oldest_first[0] != "AUS"
        # Newest first: the participants that have not signed still come after the signed.
        assert _participant_rows(web.get(f"{url}?sort=-pledge").get_data(as_text=True))[0] \
            == "AUS"
        assert web.get(f"{url}?sort=__class__&page=abc").status_code == 200


def test_api_tokens_and_outbox_page_by_fifty(app, login):
    with app.app_context():
        c = f.coalition()
        person = c["people"]["member"]
        for i in range(53):
            tokens.create_token(person, person, f"token {i:02d}", "read", 30, NOW)
            notify.enqueue(key=f"k{i}", kind="test", recipient=f"r{i}@example.org",
                           subject=f"Subject {i:02d}", body_text="x", now=NOW)
        db.session.commit()
    web = login("coordinator@example.org")
    first = web.get("/admin/tokens").get_data(as_text=True)
    assert first.count("token ") >= 50 and "token 52" in first and "token 02" not in first
    second = web.get("/admin/tokens?page=2").get_data(as_text=True)
    assert "token 02" in second and "token 52" not in second
    assert "token 00" in web.get("/admin/tokens?page=7").get_data(as_text=True)
    outbox = web.get("/admin/outbox?page=9").get_data(as_text=True)
    assert "page=1" in outbox.split('aria-label="Pages"', 1)[1]  # the last page, not empty
    assert outbox.count("@example.org</") >= 1
