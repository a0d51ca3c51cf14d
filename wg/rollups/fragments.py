"""Rendered pieces of the rollup pages, kept while the data they show is unchanged.

A piece's key is everything it shows: the language, the chart's id, the scope's label and every
figure of every month (the month-end trend is read anyway: one small statement). The same key
always renders the same HTML, so a kept piece is exact by construction, whoever changes the data
and on whichever node; nothing has to be told to forget it. The trend of 11 scopes x 18 months
x 9 figures was most of the dashboard's time (Babel formats each number and month).
"""

from flask import get_template_attribute, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from wg.kept import clear, kept  # noqa: F401 (fragments.clear() for the tests)
from wg.rollups.svg import trend_chart


def _scope_data(scope):
    """What a scope's pieces show of it: its label, group and figures, now and by month."""
    g = scope.group
    return (scope.display_label, g and (g.code, g.slug, g.title), scope.figures.as_tuple())


def _macro(name, key, *args, **kwargs):
    """templates/rollups/_macros.html `name` called with args, kept under `key` (plus the
    language and the site's root path, which every link starts with)."""
    full = (name, str(get_locale()), request.script_root, *key)

    def render():
        return get_template_attribute("rollups/_macros.html", name)(*args, **kwargs)

    return kept(full, render)


def trend(scope, chart_id, explain, open=False):  # noqa: A002 - the <details> attribute
    """The trend chart and its table for a scope."""
    return _macro("trend", (chart_id, scope.display_label, bool(open),
                            tuple((m, f.as_tuple()) for m, f in scope.trend)),
                  scope, chart_id, trend_chart, explain, open=open)


def children_table(scope, explain):
    """A working group's sub-groups with their current figures."""
    return _macro("children_table", (_scope_data(scope),
                                     tuple(_scope_data(c) for c in scope.children)),
                  scope, explain)


def scope_card(scope, explain):
    """One scope of the dashboard: its figures, its sub-groups and its trend."""
    return _macro("scope_card", (_scope_data(scope),
                                 tuple(_scope_data(c) for c in scope.children),
                                 tuple((m, f.as_tuple()) for m, f in scope.trend)),
                  scope, explain, trend_chart)


def _quiet_rows(rows):
    return tuple((q.who.id, getattr(q.who, "code", None), getattr(q.who, "alpha2", None),
                  q.who.name, q.n_open, q.total, q.last_at, q.days) for q in rows)


def not_reported(cycle):
    """templates/rollups/_not_reported.html: who has not reported this cycle (every country
    and organization, the asked page of owners). Rendering ~180 rows (a link, two plural forms,
    a date and a number each) was a third of a line of effort's page. Its key also holds what
    the links and dates are made of: the page's endpoint and arguments, the reader's zone."""
    page, shown = cycle.owner_page(request.args.get("owners"))
    key = ("not_reported", str(get_locale()), request.script_root, request.endpoint,
           tuple(sorted((request.view_args or {}).items())),
           tuple(sorted(request.args.items(multi=True))), current_user.timezone,
           cycle.group.slug, tuple(sorted(cycle.starts.items())),
           _quiet_rows(cycle.participants), page, _quiet_rows(shown), len(cycle.owners))
    return kept(key, lambda: Markup(render_template("rollups/_not_reported.html", cycle=cycle)))
