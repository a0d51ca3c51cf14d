"""The meetings pages, one module per concern; importing this registers their routes."""

from wg.meetings.views import (  # noqa: F401
    agenda,
    attendance,
    calendar,
    helpers,
    labels,
    lists,
    minutes,
    schedule,
    series,
)
