"""The History page shows a commitment implementation's status as people read it ("In
place"), not the recorded enum name ("in_place")."""

from datetime import date

from tests import factories
from tests.conftest import NOW
from wg.extensions import db
from wg.history import services as history
from wg.pledge import services as pledge
from wg.pledge.models import PledgeCommitment


def test_history_page_shows_translated_implementation_statuses(ctx, client, login):
    c = factories.coalition()
    coord, peru = c["people"]["coordinator"], factories.participant("PER")
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW)
    commitment = db.session.query(PledgeCommitment).filter_by(number=1).one()
    pledge.update_implementation(peru, commitment, coord, status="in_progress", now=NOW)
    pledge.update_implementation(peru, commitment, coord, status="in_place", now=NOW,
                                 expected_version=1)
    db.session.commit()
    assert history.value_label("implementation", "status", "in_place") == "In place"
    assert history.value_label("action", "status", "in_place") == "in_place"  # not ours
    login(coord)
    html = client.get(f"/history/participant/{peru.id}").get_data(as_text=True)
    assert "In progress" in html and "In place" in html
    assert "in_place" not in html and "in_progress" not in html
