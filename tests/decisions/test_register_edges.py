"""The register's edges: the CSV's content type, a refused export says why in plain text, a page
past the end says so and links to the last, a From date after the To date is named beside the
fields; the search page past its last page links to the first."""

from datetime import date

from tests import factories
from tests.conftest import NOW
from wg.decisions import services as decisions
from wg.extensions import db


def _world(app, count=3):
    with app.app_context():
        c = factories.coalition()
        for n in range(count):
            decisions.record_decision(c["groups"]["SWG1.1"], None, decisions.DecisionInput(
                text=f"Share precursor data, part {n}", decided_on=date(2026, 2, 1 + n)), NOW)
        db.session.commit()
        return c["people"]["chair"].email


def test_csv_content_type_and_refusals(app, login):
    web = login(_world(app))
    response = web.get("/decisions/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    refused = web.get("/decisions/export.csv?from=abc")
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "YYYY-MM-DD" in refused.get_data(as_text=True)
    backwards = web.get("/decisions/export.csv?from=2026-03-01&to=2026-02-01")
    assert backwards.status_code == 400 and "after the To date" in backwards.get_data(as_text=True)


def test_a_page_past_the_end_links_to_the_last(app, login):
    web = login(_world(app))
    page = web.get("/decisions/?page=9999").get_data(as_text=True)
    assert "There is no page 9,999" in page and "No decision matches these filters." not in page
    assert 'href="/decisions/?page=1"' in page


def test_from_after_to_is_named_beside_the_fields(app, login):
    web = login(_world(app))
    page = web.get("/decisions/?from=2026-03-01&to=2026-02-01").get_data(as_text=True)
    assert 'id="f-dates-error"' in page and "after the To date" in page
    assert page.count('aria-describedby="f-dates-error"') == 2


def test_search_past_the_last_page_links_to_the_first(app, login):
    web = login(_world(app))
    page = web.get("/search?q=precursor&page=999").get_data(as_text=True)
    assert "These results have no such page." in page
    assert 'href="/search?q=precursor">Go to the first page' in page
