"""The pages the benchmark measures: who asks, for what, and the budget (median ms).

`path` is either a string or a function of a SQLAlchemy session that finds a real URL in the
generated data (a meeting id, an action id ...).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Scenario:
    name: str
    user: str
    path: str | Callable
    budget_median_ms: float = 30
    budget_p95_ms: float | None = None
    method: str = "GET"
    form: Callable | None = None  # for POSTs: a function(session, page_html) -> form data


SCENARIOS = [
    Scenario("structure page", "member@example.org", "/structure"),
    Scenario("sub-group page (SWG1.1)", "member@example.org", "/groups/swg1-1"),
    Scenario("participants directory", "member@example.org", "/participants"),
    Scenario("people admin (paged)", "coordinator@example.org", "/admin/people?page=3"),
]
