from flask import render_template
from flask_login import current_user

from wg import permissions
from wg.groups import bp
from wg.groups import services as groups


@bp.route("/structure")
def structure():
    return render_template("groups/structure.html", working_groups=groups.structure())


@bp.route("/groups/<slug>")
def detail(slug):
    group = permissions.group_for_view(current_user, slug)
    return render_template("groups/detail.html", group=group, roster=groups.roster(group))
