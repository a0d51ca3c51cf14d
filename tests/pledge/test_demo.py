"""The demo's Pledge records read like ones recorded through the services: each has its
history, and no commitment was reviewed before its participant signed."""

from sqlalchemy import select

from wg.data.demo import load_demo
from wg.data.seed import seed_structure
from wg.db_types import utcnow
from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.pledge.models import CommitmentImplementation, FocalPoint, PledgeSignature


def test_demo_pledge_records_have_history_and_sensible_dates(ctx):
    seed_structure()
    load_demo(0.03, now=utcnow())
    db.session.commit()
    logged = {(e.object_type, e.object_id) for e in db.session.scalars(select(HistoryEntry))}
    signatures = db.session.scalars(select(PledgeSignature)).all()
    records = db.session.scalars(select(CommitmentImplementation)).all()
    focal = db.session.scalars(select(FocalPoint)).all()
    assert len(signatures) > 11 and records and focal
    assert all(("pledge_signature", s.id) in logged for s in signatures)
    assert all(("implementation", r.id) in logged for r in records)
    assert all(("focal_point", f.id) in logged for f in focal)
    signed_on = {s.participant_id: s.signed_on for s in signatures}
    reviewed = [r for r in records if r.last_reviewed_on is not None]
    assert reviewed and all(r.last_reviewed_on >= signed_on[r.participant_id] for r in reviewed)
