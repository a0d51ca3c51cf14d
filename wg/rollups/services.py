"""Assembles what rollup pages show from the aggregate queries (a fixed number of them)."""

from dataclasses import dataclass
from datetime import timedelta

from babel import dates
from flask_babel import gettext as _

from wg import stamps
from wg.formatting import format_date, locale, participant_name, sort_key
from wg.kept import Shelf
from wg.rollups import queries
from wg.rollups.compute import Figures, month_start, trend_months


@dataclass
class Scope:
    """One rollup: the coalition (group None), a working group or a sub-group."""

    label: str
    group: object
    figures: Figures
    trend: list  # [(month index, Figures)]
    children: list

    @property
    def month_rows(self):
        return [(month_start(m), f) for m, f in self.trend]

    @property
    def display_label(self):
        """The label in the reader's language (`label` stays English for the JSON API)."""
        return _("Coalition") if self.group is None else self.label

    @staticmethod
    def month_label(month):
        """'Mar 2026' in the reader's language (the trend table's row heads)."""
        return dates.format_skeleton("yMMM", month, locale=locale())

    @property
    def chart_points(self):
        return [(format_date(month_start(m), "month"), f.percent_complete, f.overdue)
                for m, f in self.trend]


def build_scopes(allowed_ids, now, focus=None, groups=None):
    """Rollups of the coalition (when every group is allowed), each working group and each
    sub-group, restricted to `allowed_ids` (None = all); `focus` limits to one group's tree.

    A retired group is not listed as a line (except as the `focus` itself, so its own page
    stays readable for the record), but its actions still count: in the coalition total and
    in its working group's figures. They are real work the coalition did, and hiding them
    would make totals jump when a group is retired.
    """
    groups = queries.all_groups() if groups is None else groups
    listed = [g for g in groups if g.is_active or (focus is not None and g.id == focus.id)]
    # One group's page needs only its line of effort: the working group and its sub-groups.
    tree = None
    if focus is not None:
        top = focus.parent_id or focus.id
        tree = sorted(g.id for g in groups if g.id == top or g.parent_id == top)
    per_group = queries.figures_by_group(now.date(), now, tree)
    months = trend_months(now)
    deltas = queries.trend_by_group(months, tree)

    def scope(group):
        ids = queries.scope_ids(group, groups)
        label = "Coalition" if group is None else f"{group.code} · {group.title}"
        return Scope(label, group, queries.combine(per_group, ids),
                     queries.trend_for(deltas, ids, months), [])

    out = []
    if allowed_ids is None and focus is None:
        out.append(scope(None))
    for wg in [g for g in listed if g.parent_id is None]:
        if allowed_ids is not None and wg.id not in allowed_ids:
            continue
        if focus is not None and wg.id not in {focus.id, focus.parent_id}:
            continue
        s = scope(wg)
        s.children = [scope(c) for c in listed if c.parent_id == wg.id]
        out.append(s)
    return out


def group_scope(group, now, groups=None):
    scopes = build_scopes(None, now, focus=group, groups=groups)
    wg = scopes[0]
    if group.parent_id is None:
        return wg
    return next(c for c in wg.children if c.group.id == group.id)


@dataclass
class Quiet:
    """One owner or participant who has not reported this cycle."""

    who: object  # Person or Participant
    n_open: int  # their open actions here
    total: int  # all their actions here (what the linked action list counts)
    last_at: object  # their latest progress entry here, None if never
    days: int | None  # whole days since then, None if never

    @property
    def silence(self):
        """Longest silence first: never reported, then the most days."""
        return (0 if self.days is None else 1, -(self.days or 0))


OWNERS_PER_PAGE = 50


@dataclass
class Cycle:
    """Who has not reported in a group's current reporting cycle (its sub-groups' too)."""

    group: object
    starts: dict  # {group id: start of its cycle}
    owners: list  # [Quiet], longest silence first
    participants: list  # [Quiet], longest silence first

    per_page = OWNERS_PER_PAGE

    @property
    def owner_pages(self):
        return max(1, -(-len(self.owners) // OWNERS_PER_PAGE))

    def owner_page(self, asked):
        """(page number, its owners): the page shows OWNERS_PER_PAGE of them at a time (a line
        of effort has thousands); `asked` is the ?owners= argument (a bad one means page 1,
        past the end the last page)."""
        try:
            number = min(max(int(asked or 1), 1), self.owner_pages)
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * OWNERS_PER_PAGE
        return number, self.owners[start:start + OWNERS_PER_PAGE]

    @property
    def start(self):
        """The one cycle start when the scope is a single group, else None (one per group)."""
        return next(iter(self.starts.values())) if len(self.starts) == 1 else None


def not_reported(group, now, groups=None):
    """The owners and countries/organizations with open actions in the group (and, for a
    working group, its sub-groups) and no progress entry since the start of the reporting
    cycle of the group each action belongs to; longest silence first ("never" before all),
    then by name in the reader's language."""
    groups = groups if groups is not None else queries.all_groups()
    ids = queries.scope_ids(group, groups)
    starts = queries.cycle_starts([g for g in groups if g.id in ids], now)
    return Cycle(group, starts, _quiet_owners(starts, now),
                 _quiet(queries.silent_participants(starts), participant_name, now))


def _quiet(rows, name, now):
    found = [Quiet(who, n, total, last, None if last is None else (now - last).days)
             for who, n, total, last in rows]
    return sorted(found, key=lambda q: (q.silence, sort_key(name(q.who))))


_owner_lists = Shelf(16)  # a line of effort has over a thousand silent owners


def _quiet_owners(starts, now):
    """The silent owners, longest silence first, then by name: kept while the groups' and the
    people's change stamps are the same (nobody's actions, counts or name changed) and nobody's
    whole days of silence have moved on. Finding and sorting a line of effort's thousand-odd
    owners was half of its page's time."""
    tokens = stamps.read([*(stamps.group_scope(g) for g in sorted(starts)), "people"])
    key = (tuple(sorted(starts.items())), tokens, str(locale()))
    found = _owner_lists.get(key, at=now)
    if found is not None:
        return found
    owners = _quiet(queries.silent_owners(starts), lambda p: p.name, now)
    # Each owner's whole days of silence hold from last + days until last + days + 1.
    dated = [q for q in owners if q.last_at is not None]
    day = timedelta(days=1)
    _owner_lists.put(key, owners,
                     since=max((q.last_at + q.days * day for q in dated), default=None),
                     until=min((q.last_at + (q.days + 1) * day for q in dated), default=None))
    return owners
