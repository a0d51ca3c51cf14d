from flask import render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm.attributes import set_committed_value

from wg import permissions
from wg.extensions import db
from wg.formatting import participant_name, sort_key
from wg.groups import bp
from wg.groups import services as groups
from wg.groups.models import Group
from wg.listing import PER_PAGE, paginate


@bp.route("/structure")
def structure():
    return render_template("groups/structure.html", working_groups=groups.structure())


def _load_family(group):
    """The group's parent, the parent's sub-groups and the group's own, in one statement (the
    page reads all three; one at a time they were three lazy loads)."""
    top = group.parent_id or group.id
    family = db.session.scalars(
        select(Group).where(or_(Group.id == top, Group.parent_id.in_({top, group.id})))
        .order_by(Group.position, Group.code)).all()
    by_id = {g.id: g for g in family}
    for g in {by_id[top], group}:
        set_committed_value(g, "children", [c for c in family if c.parent_id == g.id])
    if group.parent_id is not None:  # held by the group (the session only keeps weak references)
        set_committed_value(group, "parent", by_id[top])


@bp.route("/groups/<slug>")
def detail(slug):
    group = permissions.group_for_view(current_user, slug)
    _load_family(group)
    return render_template("groups/detail.html", group=group, roster=groups.roster(group))


@bp.route("/groups/<slug>/members")
def members(slug):
    group = permissions.group_for_view(current_user, slug)
    args = request.args
    code = (args.get("participant") or "").strip()[:16] or None
    q = (args.get("q") or "").strip()[:100] or None
    roster = groups.roster(group)
    # The filter's list and the table both follow the names the reader sees, in collation order.
    by_name = sorted(roster.by_participant, key=lambda row: sort_key(participant_name(row[0])))
    page = paginate(groups.members_query(group, participant_code=code, q=q,
                                         participant_order=[p.id for p, _n in by_name]),
                    per_page=PER_PAGE)
    chair_ids = {p.id for p in roster.chairs}
    return render_template("groups/members.html", group=group, page=page, args=args,
                           roster=roster, chair_ids=chair_ids, by_name=by_name)
