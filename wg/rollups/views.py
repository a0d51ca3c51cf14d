from flask import Response, abort, render_template
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.rollups import bp, queries
from wg.rollups import services as rollups
from wg.rollups.compute import EXPLAIN
from wg.rollups.svg import trend_chart

FIGURE_COLUMNS = ["total", "open", "in_progress", "blocked", "done", "percent_complete",
                  "weight_sum", "weighted_sum", "overdue", "stale"]


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
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/")
def dashboard():
    _require_rollups()
    now = utcnow()
    scopes = rollups.build_scopes(permissions.rollup_group_ids(current_user), now)
    return render_template("rollups/dashboard.html", scopes=scopes, explain=EXPLAIN,
                           trend_chart=trend_chart, now=now)


@bp.route("/groups/<slug>")
def group(slug):
    group = permissions.group_for_rollups(current_user, slug)
    now = utcnow()
    scope = rollups.group_scope(group, now)
    cycle = None
    if group.parent_id is not None:
        cycle = rollups.not_reported(group, now)
    return render_template("rollups/group.html", scope=scope, group=group, cycle=cycle,
                           explain=EXPLAIN, trend_chart=trend_chart, now=now)


@bp.route("/participants")
def participants():
    _require_rollups()
    now = utcnow()
    rows = queries.participant_figures(now.date(), now, permissions.rollup_group_ids(current_user))
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
    return _csv(rows_to_csv(["scope"] + FIGURE_COLUMNS, rows), "rollups.csv")


@bp.route("/groups/<slug>/trend.csv")
def trend_csv(slug):
    group = permissions.group_for_rollups(current_user, slug)
    scope = rollups.group_scope(group, utcnow())
    rows = [[month.isoformat()] + figure_row(f) for month, f in scope.month_rows]
    return _csv(rows_to_csv(["month"] + FIGURE_COLUMNS, rows), f"{group.slug}-trend.csv")


@bp.route("/trend.csv")
def coalition_trend_csv():
    if not permissions.is_coordinator(current_user):
        abort(403)
    scope = rollups.build_scopes(None, utcnow())[0]
    rows = [[month.isoformat()] + figure_row(f) for month, f in scope.month_rows]
    return _csv(rows_to_csv(["month"] + FIGURE_COLUMNS, rows), "coalition-trend.csv")


@bp.route("/participants.csv")
def participants_csv():
    _require_rollups()
    now = utcnow()
    rows = [[p.code, p.name] + figure_row(f) + [last.isoformat() if last else ""]
            for p, f, last in queries.participant_figures(
                now.date(), now, permissions.rollup_group_ids(current_user))]
    return _csv(rows_to_csv(["code", "name"] + FIGURE_COLUMNS + ["last_update"], rows),
                "participants-rollup.csv")
