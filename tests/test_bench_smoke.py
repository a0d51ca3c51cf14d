"""The benchmark harness keeps working: a tiny run end to end (it asserts nothing about time)."""

import os

import pytest

from bench import run


@pytest.mark.once  # the harness measures a fresh SQLite data set whatever the suite runs on
def test_bench_smoke(tmp_path, monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    out = tmp_path / "RESULTS.md"
    results = run.main(["--smoke", "--out", str(out)])
    (sqlite,) = results
    assert sqlite["figures"], "no page was measured"
    *pages, writers = sqlite["figures"]
    for figures in pages:
        expected = {302} if figures.name.startswith("progress update") else {200}
        assert figures.statuses == expected, figures.name
        assert len(figures.latencies) == 3
    # Two concurrent writers in one group, three entries each: all recorded, rollups exact.
    assert writers.name == "progress update, 2 writers in one group"
    assert writers.statuses == {302} and len(writers.latencies) == 6
    assert sqlite["extra"]["rollups after the concurrent writers (check-rollups)"] == "exact"
    assert "rows/s" in sqlite["extra"]["CSV export rows per second (median request)"]
    # Query counts do not depend on the data's size.
    assert sqlite["big_counts"] == sqlite["small_counts"]
    assert all(0 < n <= 15 for n in sqlite["big_counts"].values()), {
        k: n for k, n in sqlite["big_counts"].items() if not 0 < n <= 15}
    # The rollup pages, the sub-group page and the initiatives list: at most 10 (issue 15).
    for name in ("coalition dashboard", "line of effort rollup (WG1)", "sub-group page (SWG1.1)",
                 "initiatives list"):
        assert sqlite["big_counts"][name] <= 10, (name, sqlite["big_counts"][name])
    assert len(sqlite["rss"]) == 2
    text = out.read_text()
    assert "| structure page |" in text and "Worker RSS" in text
    assert "dashboard median / aggregate" in text
    assert os.path.getsize(out) > 500
