from datetime import UTC, datetime

from tests import factories as f
from wg import permissions
from wg.actions import queries as action_queries
from wg.actions.csvio import rows_to_csv
from wg.extensions import db
from wg.groups.models import Role


def test_owner_who_left_the_group_may_no_longer_update(ctx):
    w = f.coalition()
    member, group = w["people"]["member"], w["groups"]["SWG1.1"]
    a = f.action(group, owner=member)
    assert permissions.can_update_action(member, a)
    for m in list(member.memberships):
        db.session.delete(m)
    db.session.flush()
    permissions.forget_roles(member)
    assert not permissions.can_update_action(member, a)
    assert not permissions.can_view_actions(member, group)


def test_lead_reads_but_never_updates_and_chair_manages_only_own_group(ctx):
    w = f.coalition()
    lead, chair = w["people"]["lead"], w["people"]["chair"]
    a = f.action(w["groups"]["SWG1.2"])
    assert permissions.can_view_actions(lead, a.group) and not permissions.can_update_action(
        lead, a)
    assert not permissions.can_manage_actions(chair, a.group)
    f.membership(chair, w["groups"]["SWG1.2"], Role.chair)
    permissions.forget_roles(chair)
    assert permissions.can_manage_actions(chair, a.group) and permissions.can_update_action(
        chair, a)


def test_cycle_start_hook_defaults_to_the_calendar_month(ctx):
    w = f.coalition()
    now = datetime(2026, 3, 17, 15, 30, tzinfo=UTC)
    assert action_queries.cycle_start(w["groups"]["SWG1.1"], now) == datetime(2026, 3, 1, tzinfo=UTC)


def test_csv_cells_cannot_run_as_formulas():
    text = rows_to_csv(["title"], [["=HYPERLINK(\"x\")"], ["+1"], ["plain"]])
    assert "'=HYPERLINK" in text and "'+1" in text and "\nplain" in text
