from flask import render_template, request
from flask_login import current_user

from wg import permissions
from wg.formatting import participant_name, sort_key
from wg.groups import bp
from wg.groups import services as groups
from wg.listing import PER_PAGE, paginate


@bp.route("/structure")
def structure():
    return render_template("groups/structure.html", working_groups=groups.structure())


@bp.route("/groups/<slug>")
def detail(slug):
    group = permissions.group_for_view(current_user, slug)
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
