"""Figures beyond page latencies: the raw SQL aggregate behind the dashboard, timed alone."""

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
