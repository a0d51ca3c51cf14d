import logging

from flask import abort, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from wg.auth import services as auth
from wg.core import bp
from wg.extensions import db
from wg.groups import services as groups

log = logging.getLogger(__name__)


@bp.route("/")
def home():
    return render_template("core/home.html", my_groups=groups.groups_of(current_user),
                           my_actions=_my_action_counts(current_user),
                           pledge_reviews=_pledge_reviews(current_user))


def _pledge_reviews(person):
    """For a focal point: each participant whose Pledge record they keep, with the numbers of
    its commitments due a review (the rule of the implementation page's list)."""
    from sqlalchemy import select

    from wg.db_types import utcnow
    from wg.participants.models import Participant
    from wg.pledge import queries
    from wg.pledge.models import CommitmentImplementation, FocalPoint

    kept = db.session.scalars(select(Participant).join(
        FocalPoint, FocalPoint.participant_id == Participant.id).where(
        FocalPoint.person_id == person.id).order_by(Participant.code)).all()
    if not kept:
        return []
    items = queries.commitments()
    records = {(r.participant_id, r.commitment_id): r for r in db.session.scalars(
        select(CommitmentImplementation).where(
            CommitmentImplementation.participant_id.in_([p.id for p in kept])))}
    due = {d.participant.id: d.numbers for d in queries.not_reviewed(
        [p for p in kept if p.pledge_signature is not None], items, records, utcnow().date())}
    return [(p, p.pledge_signature is not None, due.get(p.id, [])) for p in kept]


def _my_action_counts(person):
    """How many open actions the person (or their country) answers for, and how many are late."""
    from sqlalchemy import func, select

    from wg.actions.models import ActionItem
    from wg.actions.queries import my_actions_query
    from wg.db_types import utcnow
    from wg.rollups.queries import overdue_clause

    today = utcnow().date()
    mine = my_actions_query(person, today).order_by(None).subquery()
    late = select(ActionItem.id).where(overdue_clause(today), ActionItem.id.in_(select(mine.c.id)))
    total, overdue = db.session.execute(select(
        select(func.count()).select_from(mine).scalar_subquery(),
        select(func.count()).select_from(late.subquery()).scalar_subquery())).one()
    return {"open": total, "overdue": overdue}


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher: kept in the session, and as the person's setting once logged in
    (so their e-mails follow). Then back to the page it was used on."""
    from wg.db_types import utcnow
    from wg.i18n import LANGUAGES

    code = request.form.get("language", "")
    if code not in LANGUAGES:
        abort(400)
    session["language"] = code
    if current_user.is_authenticated and current_user.language != code:
        auth.update_preferences(current_user, timezone=current_user.timezone, language=code,
                                actor=current_user, now=utcnow())
        db.session.commit()
    return redirect(auth.safe_next_url(request.form.get("next")) or "/")


@bp.route("/healthz")
def healthz():
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL statement_timeout = 1500"))
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("health check: database does not answer")
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok")
