"""One participant's rollup with its month-end trend, recomputed from the raw rows.

The kept summaries (rollup_participants) have no per-month history, so the trend is computed
from scratch with the same pure functions as the checks (wg/rollups/compute): two queries,
over the participant's actions in the groups the reader may see.
"""

from collections import defaultdict

from sqlalchemy import select

from wg.actions.models import ActionItem, ProgressLog, action_participants
from wg.extensions import db
from wg.rollups import compute


def participant_rollup(participant, group_ids, now):
    """(current Figures, [(month start, Figures)]) of the actions the participant is
    responsible for among `group_ids` (None = all); dropped actions excluded."""
    stmt = (select(ActionItem.id, ActionItem.weight, ActionItem.status, ActionItem.progress,
                   ActionItem.due_date, ActionItem.last_activity_at, ActionItem.created_at)
            .join(action_participants, action_participants.c.action_id == ActionItem.id)
            .where(action_participants.c.participant_id == participant.id))
    if group_ids is not None:
        stmt = stmt.where(ActionItem.group_id.in_(group_ids))
    actions = [dict(r._mapping) for r in db.session.execute(stmt)]
    current = compute.figures(actions, now.date(), now)  # dropped ones count zero
    logs = defaultdict(list)
    ids = [a["id"] for a in actions]
    if ids:
        rows = db.session.execute(
            select(ProgressLog.action_id, ProgressLog.created_at, ProgressLog.old_status,
                   ProgressLog.new_status, ProgressLog.old_progress, ProgressLog.new_progress)
            .where(ProgressLog.action_id.in_(ids)).order_by(ProgressLog.id))
        for r in rows:
            logs[r.action_id].append(dict(r._mapping))
    trend = [(compute.month_start(m), compute.figures_at(actions, logs, m))
             for m in compute.trend_months(now)]
    return current, trend
