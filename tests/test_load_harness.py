"""The load benchmark's harness (tests/perf/load.py), run briefly so that it cannot rot unnoticed: both gunicorn
servers start, tablets sign in through the login form and go through the quiz flow, nothing fails."""

from __future__ import annotations

from tests.conftest import TEST_DATABASE_URL
from tests.perf.load import run_load

FIGURES = ("http_submit_rps", "http_submit_ratio", "http_submit_p95_ms", "http_errors", "http_worker_rss_mb")


def test_a_short_load_run_reports_every_figure_without_errors(tmp_path):
    # An in-memory SQLite database cannot be shared with the servers' processes: a temporary file then.
    database_url = TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgresql") else None
    results = run_load(database_url, tmp_path, workers=2, tablets=3, warmup=0.5, duration=2)
    assert set(FIGURES) <= set(results)
    assert results["http_errors"]["value"] == 0
    assert results["http_submit_rps"]["value"] > 0 and results["http_submit_rps"]["baseline"] > 0
    assert results["http_submit_p95_ms"]["value"] > 0
    assert 10 < results["http_worker_rss_mb"]["value"] < 1000
