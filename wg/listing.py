"""Long lists on pages: sorting named in the URL and numbered pages of fifty.

A list declares the sort keys it accepts (a whitelist); `parse_sort` reads `?sort=due`,
`?sort=-due` or `?sort=due&dir=desc` and falls back to the list's default for anything else, so
a hand-edited URL never reaches the database as a column name. `paginate` and `paginate_list`
answer any page number: below 1 or not a number gives page 1, past the end gives the last page.
The `pager` and `sort_header` macros in templates/_macros/ui.html render both.
"""

from dataclasses import dataclass

from flask import request
from flask_sqlalchemy.pagination import Pagination

from wg.extensions import db

PER_PAGE = 50
# Page numbers past this are refused upstream (wg hardening answers 400); keep ours in step.
MAX_PAGE = 2**31


@dataclass(frozen=True)
class SortState:
    """The sort a list is shown in: a whitelisted key and its direction."""

    key: str
    desc: bool = False
    is_default: bool = True

    def args_for(self, key):
        """Query arguments that sort by `key`: ascending first, reversed when already sorted
        ascending by it."""
        if key == self.key and not self.desc:
            return {"sort": "-" + key}
        return {"sort": key}

    def aria(self, key):
        """The aria-sort value of the column for `key` (None when the list is not sorted by it)."""
        if key != self.key:
            return None
        return "descending" if self.desc else "ascending"

    def as_args(self):
        """The sort as query arguments for links that keep it (empty for the default)."""
        if self.is_default:
            return {}
        return {"sort": ("-" if self.desc else "") + self.key}


def parse_sort(args, keys, default, default_desc=False):
    """The SortState named by `args` among `keys`; the default for a missing or unknown one."""
    raw = (args.get("sort") or "").strip()[:40]
    desc = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in keys:
        return SortState(default, default_desc, True)
    if (args.get("dir") or "").lower() in ("desc", "descending"):
        desc = True
    elif (args.get("dir") or "").lower() in ("asc", "ascending"):
        desc = False
    return SortState(key, desc, key == default and desc == default_desc)


def order_columns(columns, desc):
    """ORDER BY terms for `columns`, each reversed when `desc` (a tie-breaking id included)."""
    return [c.desc() if desc else c.asc() for c in columns]


def requested_page(args=None):
    """The page number asked for: 1 when missing, not a number or below 1."""
    args = request.args if args is None else args
    try:
        page = int(args.get("page", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def paginate(stmt, per_page=PER_PAGE, page=None):
    """One page of a SELECT (LIMIT/OFFSET plus a COUNT); past the end, the last page."""
    page = requested_page() if page is None else max(int(page), 1)
    result = db.paginate(stmt, page=page, per_page=per_page, max_per_page=None,
                         error_out=False)
    if not result.items and page > 1 and result.total:
        result = db.paginate(stmt, page=result.pages, per_page=per_page, max_per_page=None,
                             error_out=False)
    return result


class ListPagination(Pagination):
    """A page of an already sorted Python list (for lists sorted by translated names)."""

    def _query_items(self):
        rows = self._query_args["rows"]
        start = (self.page - 1) * self.per_page
        return rows[start:start + self.per_page]

    def _query_count(self):
        return len(self._query_args["rows"])


def paginate_list(rows, per_page=PER_PAGE, page=None):
    """One page of a list; past the end, the last page."""
    page = requested_page() if page is None else max(int(page), 1)
    last = max((len(rows) + per_page - 1) // per_page, 1)
    return ListPagination(page=min(page, last), per_page=per_page, max_per_page=None,
                          error_out=False, rows=rows)
