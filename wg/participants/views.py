from flask import abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from wg import permissions
from wg.extensions import db
from wg.groups.models import Group
from wg.listing import paginate_list, parse_sort
from wg.participants import bp
from wg.participants import services as participants
from wg.participants.models import Participant, ParticipantKind


def _tristate(value):
    return {"yes": True, "no": False}.get(value)


@bp.route("/participants")
def directory():
    args = request.args
    group = None
    if args.get("group"):
        group = db.session.scalar(select(Group).where(Group.slug == args["group"]))
    rows = participants.directory(
        kind=args.get("kind") or None,
        core=_tristate(args.get("core")),
        pledge=_tristate(args.get("pledge")),
        group=group,
        q=(args.get("q") or "").strip()[:100] or None,
    )
    sort = parse_sort(args, participants.DIRECTORY_SORTS, "name")
    page = paginate_list(participants.sort_directory(rows, sort))
    all_groups = db.session.scalars(
        select(Group).where(Group.is_active.is_(True)).order_by(Group.position, Group.code)
    ).all()
    # Most participants take part in the same few sets of groups: each set's chips are
    # rendered once, not once per participant (1,800 chips at ten times the coalition).
    chips = {}
    for row in page.items:
        key = row.chips_key = tuple(row.group_codes)
        if key not in chips:
            chips[key] = Markup("").join(Markup('<span class="chip">%s</span>') % code
                                         for code in key)
    return render_template(
        "participants/list.html", page=page, groups=all_groups, args=args, group=group,
        chips=chips, sort=sort, kind_labels={kind: str(kind.label) for kind in ParticipantKind},
    )


@bp.route("/participants/<code>")
def detail(code):
    participant = db.session.scalar(select(Participant).where(Participant.code == code.upper()))
    if participant is None:
        abort(404)
    people = participants.participant_people(participant)
    visible = permissions.visible_group_ids(current_user)
    shown, hidden = [], 0
    for person, roles in people:
        roles = [(g, r) for g, r in roles if visible is None or g.id in visible]
        if roles or visible is None:
            shown.append((person, roles))
        else:
            hidden += 1
    return render_template(
        "participants/detail.html", participant=participant, people=shown, hidden=hidden
    )
