from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.formatting import participant_name, sort_key
from wg.rollups import bp, fragments, queries
from wg.rollups import services as rollups
from wg.rollups.compute import EXPLAIN

FIGURE_COLUMNS = ["total", "open", "in_progress", "blocked", "done", "percent_complete",
                  "weight_sum", "weighted_sum", "overdue", "stale"]
# Column labels a person reads (the default); `?headers=codes` keeps the machine names above.
HEADERS = {
    "scope": _l("Scope"), "month": _l("Month"), "code": _l("Code"), "name": _l("Name"),
    "total": _l("Actions"), "open": _l("Open"), "in_progress": _l("In progress"),
    "blocked": _l("Blocked"), "done": _l("Done"), "percent_complete": _l("Percent complete"),
    "weight_sum": _l("Sum of weights"), "weighted_sum": _l("Sum of weight × progress"),
    "overdue": _l("Overdue"), "stale": _l("Stale"), "last_update": _l("Last update"),
}


def header(columns):
    """The first CSV row: labels in the reader's language, or the codes with ?headers=codes."""
    if request.args.get("headers") == "codes":
        return list(columns)
    return [str(HEADERS[c]) for c in columns]


def figure_row(f):
    return [f.total, f.n_open, f.n_in_progress, f.n_blocked, f.n_done,
            "" if f.percent_complete is None else f"{f.percent_complete:.1f}", f.weight_sum,
            f.weighted_sum, f.overdue, f.stale]


def _require_rollups():
    if not permissions.can_view_rollups(current_user):
        abort(403)


def rows_to_csv(header, rows):
    from wg.actions.csvio import rows_to_csv as write  # actions imports rollups: import late

    return write(header, rows)


def _csv(text, name):
    from wg.actions.csvio import csv_response  # actions imports rollups: import late

    return csv_response(text, name, request.args)


@bp.route("/")
def dashboard():
    _require_rollups()
    now = utcnow()
    scopes = rollups.build_scopes(permissions.rollup_group_ids(current_user), now)
    return render_template("rollups/dashboard.html", scopes=scopes, explain=EXPLAIN,
                           kept_scope_card=fragments.scope_card, now=now)


@bp.route("/groups/<slug>")
def group(slug):
    group = permissions.group_for_rollups(current_user, slug)
    now = utcnow()
    groups = queries.all_groups()
    scope = rollups.group_scope(group, now, groups)
    cycle = rollups.not_reported(group, now, groups)
    return render_template("rollups/group.html", scope=scope, group=group, cycle=cycle,
                           explain=EXPLAIN, kept_trend=fragments.trend,
                           kept_children_table=fragments.children_table, now=now)


@bp.route("/participants")
def participants():
    _require_rollups()
    now = utcnow()
    rows = sorted(
        queries.participant_figures(now.date(), now, permissions.rollup_group_ids(current_user)),
        key=lambda row: sort_key(participant_name(row[0])))
    return render_template("rollups/participants.html", rows=rows, explain=EXPLAIN, now=now)


@bp.route("/export.csv")
def export():
    """Current figures of every rollup the person may see, as on the dashboard."""
    _require_rollups()
    now = utcnow()
    rows = []
    for s in rollups.build_scopes(permissions.rollup_group_ids(current_user), now):
        for scope in [s] + s.children:
            code = scope.group.code if scope.group else "COALITION"
            rows.append([code] + figure_row(scope.figures))
    return _csv(rows_to_csv(header(["scope"] + FIGURE_COLUMNS), rows), "rollups.csv")


@bp.route("/groups/<slug>/trend.csv")
def trend_csv(slug):
    group = permissions.group_for_rollups(current_user, slug)
    scope = rollups.group_scope(group, utcnow())
    rows = [[month.isoformat()] + figure_row(f) for month, f in scope.month_rows]
    return _csv(rows_to_csv(header(["month"] + FIGURE_COLUMNS), rows), f"{group.slug}-trend.csv")


@bp.route("/trend.csv")
def coalition_trend_csv():
    if not permissions.is_coordinator(current_user):
        abort(403)
    scope = rollups.build_scopes(None, utcnow())[0]
    rows = [[month.isoformat()] + figure_row(f) for month, f in scope.month_rows]
    return _csv(rows_to_csv(header(["month"] + FIGURE_COLUMNS), rows), "coalition-trend.csv")


@bp.route("/participants.csv")
def participants_csv():
    _require_rollups()
    now = utcnow()
    codes = request.args.get("headers") == "codes"
    rows = [[p.code, p.name if codes else participant_name(p)] + figure_row(f)
            + [last.isoformat() if last else ""]
            for p, f, last in queries.participant_figures(
                now.date(), now, permissions.rollup_group_ids(current_user))]
    return _csv(rows_to_csv(header(["code", "name"] + FIGURE_COLUMNS + ["last_update"]), rows),
                "participants-rollup.csv")
