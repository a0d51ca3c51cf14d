"""Kept pieces of the rollup pages: the key is the data shown, so a change shows at once, in
each language, and the kept page is the page rendered afresh."""

import re
from datetime import UTC, date, datetime

from tests import factories as f
from wg.actions import services as actions
from wg.extensions import db
from wg.rollups import fragments


def _card(page, code):
    return page.split(f'data-scope="{code}"', 1)[1].split("</section>", 1)[0]


def test_a_progress_entry_shows_at_once_and_kept_equals_fresh(app, login):
    fragments.clear()
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        a = f.action(g, "A", weight=2, due_date=date(2027, 1, 1),
                     now=datetime(2025, 1, 5, 9, 0, tzinfo=UTC))
        db.session.commit()
        action_id, chair_id = a.id, w["people"]["chair"].id
        coordinator_id = w["people"]["coordinator"].id
        web = login(w["people"]["coordinator"])
    first = web.get("/rollups/").get_data(as_text=True)
    assert 'data-figure="percent">0.0%' in _card(first, "SWG1.1")
    again = web.get("/rollups/").get_data(as_text=True)
    # The kept page is the fresh one (bar the time it was made).
    strip = re.compile(r"Figures as of [^<]*|name=\"csrf_token\"[^>]*")
    assert strip.sub("", again) == strip.sub("", first)
    with app.app_context():
        from wg.actions.models import ActionItem
        from wg.auth.models import Person

        actions.record_progress(db.session.get(ActionItem, action_id),
                                db.session.get(Person, chair_id), "in_progress", 40, "", None,
                                datetime.now(UTC))
        db.session.commit()
    after = web.get("/rollups/").get_data(as_text=True)
    assert 'data-figure="percent">40.0%' in _card(after, "SWG1.1")
    assert 'data-figure="percent">40.0%' in _card(after, "WG1")
    fresh = after
    fragments.clear()
    assert strip.sub("", web.get("/rollups/").get_data(as_text=True)) == strip.sub("", fresh)
    # Another language gets its own pieces.
    with app.app_context():
        from wg.auth.models import Person

        db.session.get(Person, coordinator_id).language = "fr"
        db.session.commit()
    french = web.get("/rollups/").get_data(as_text=True)
    assert 'lang="fr"' in french and "40,0" in _card(french, "SWG1.1")
