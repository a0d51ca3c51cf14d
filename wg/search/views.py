"""The search page: /search?q=...&type=...&group=...&page=..."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from wg import permissions
from wg.extensions import db
from wg.groups.models import Group
from wg.search import bp
from wg.search import services as search


def _page():
    value = request.args.get("page", "1").strip()
    return max(1, min(int(value), 500)) if value.isascii() and value.isdigit() else 1


@bp.route("/search")
def results():
    permissions.require_search(current_user)
    q = request.args.get("q", "")
    source_type = request.args.get("type", "")
    source_type = source_type if source_type in search.TYPE_LABELS else ""
    groups = db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()
    visible = permissions.visible_group_ids(current_user)
    groups = [g for g in groups if visible is None or g.id in visible]
    group = next((g for g in groups if g.slug == request.args.get("group")), None)
    page = _page()
    message, found, labels, owners = None, search.Results(), {}, {}
    if len(q) > search.MAX_QUERY:
        message = _("Searches are limited to %(num)d characters; please shorten yours.",
                    num=search.MAX_QUERY)
        q = q[:search.MAX_QUERY]
    elif q.strip() and not search.parse(q):
        message = _("Type a word or a number to search for: punctuation alone finds nothing.")
    elif q.strip():
        found = search.search(current_user, q, source_type or None,
                              group.id if group else None, page)
        found.hits = [(doc, grp, search.href(doc), snippet) for doc, grp, snippet in found.hits]
        labels = search.labels_for([doc for doc, *_ in found.hits])
        owners = search.pledge_owners([doc for doc, *_ in found.hits])
    args = {k: v for k, v in (("q", q), ("type", source_type),
                              ("group", group.slug if group else "")) if v}
    return render_template("search/results.html", q=q, message=message, found=found,
                           source_type=source_type, group=group, groups=groups, page=page,
                           per_page=search.PER_PAGE, labels=search.TYPE_LABELS, args=args,
                           tlp_labels=labels, owners=owners)
