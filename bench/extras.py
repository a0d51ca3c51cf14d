"""Figures beyond page latencies: the raw SQL aggregate behind the dashboard, timed alone, and
Markdown rendering of hostile input (linear time; was a timed unit test)."""

import statistics
import time
from datetime import UTC, datetime


def after_measure(url, figures):
    """Time the dashboard's aggregate query in-process; compare the page's median with it."""
    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db
    from wg.rollups import queries

    app = create_app(TestConfig(url))
    times = []
    with app.app_context():
        now = datetime.now(UTC)
        for i in range(25):
            t0 = time.perf_counter()
            queries.figures_by_group(now.date(), now)
            if i >= 5:  # warm-up first
                times.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
        db.engine.dispose()
    aggregate = statistics.median(times)
    dashboard = next((f for f in figures if f.name == "coalition dashboard"), None)
    out = {"raw SQL aggregate behind the dashboard (median, in-process)": f"{aggregate:.1f} ms"}
    if dashboard is not None and aggregate > 0:
        out["dashboard median / aggregate"] = f"{dashboard.median / aggregate:.1f}×"
    return out


def markdown_hostile():
    """Seconds to check and render hostile Markdown: 1 MB refused, and the longest allowed text.

    Python-Markdown took over a minute on 20 KB of "["; our limits keep every case near-linear.
    """
    from wg import markdown
    from wg.errors import ValidationError

    out = {}
    for unit in ["[", "![[", "[a](", "**a", "<a", "`", "> "]:
        text = unit * (1_000_000 // len(unit))
        t0 = time.perf_counter()
        try:
            markdown.check(text)
        except ValidationError:
            pass
        markdown.render(text)
        refused = time.perf_counter() - t0
        text = unit * (markdown.MAX_LENGTH // len(unit))
        t0 = time.perf_counter()
        markdown.has_html(text)
        markdown.render(text)
        longest = time.perf_counter() - t0
        out[f"Markdown {unit!r}: 1 MB refused / {len(text):,} chars rendered"] = (
            f"{refused * 1000:.0f} ms / {longest * 1000:.0f} ms")
    return out
