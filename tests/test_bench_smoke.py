"""The benchmark harness keeps working: a tiny run end to end (it asserts nothing about time)."""

import os

from bench import run


def test_bench_smoke(tmp_path, monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    out = tmp_path / "RESULTS.md"
    results = run.main(["--smoke", "--out", str(out)])
    (sqlite,) = results
    assert sqlite["figures"], "no page was measured"
    for figures in sqlite["figures"]:
        expected = {302} if figures.name.startswith("progress update") else {200}
        assert figures.statuses == expected, figures.name
        assert len(figures.latencies) == 3
    # Query counts do not depend on the data's size.
    assert sqlite["big_counts"] == sqlite["small_counts"]
    assert all(0 < n <= 15 for n in sqlite["big_counts"].values()), sqlite["big_counts"]
    assert len(sqlite["rss"]) == 2
    text = out.read_text()
    assert "| structure page |" in text and "Worker RSS" in text
    assert "dashboard median / aggregate" in text
    assert os.path.getsize(out) > 500
