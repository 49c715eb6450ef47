"""Retention on the demo warehouse: users who met failures return less (the demo's effect,
computed from the data), the mart's cohorts agree with journey_kpis_weekly, and the weekly
review shows the retention part."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from reliability.review.data import load_review
from reliability.review.render import render_html, render_markdown
from reliability.settings import Paths

LATEST = date(2026, 11, 16)  # the last full demo week (conftest DEMO_END)


@pytest.fixture
def con(demo_paths: Paths):
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as c:
        yield c


def test_users_who_met_failures_retain_less_on_demo(con: duckdb.DuckDBPyConnection) -> None:
    """Pooled over complete checkout cohorts: the 7-day return rate of users who met an incident
    is measurably below that of users who met none (recounted from the mart's counts)."""
    met, met_back, none, none_back = con.execute(
        "SELECT sum(users_met_failure), sum(returning_users_met_failure), "
        "sum(users_no_failure), sum(returning_users_no_failure) "
        "FROM marts.journey_retention_weekly "
        "WHERE scope = 'journey' AND journey = 'checkout' AND return_window_days = 7 "
        "AND window_complete"
    ).fetchone()
    assert met >= 30, "too few users met a failure to compare"
    assert none_back / none - met_back / met >= 0.05


def test_retention_cohorts_match_kpis(con: duckdb.DuckDBPyConnection) -> None:
    """A cohort's active users are the week's active users of journey_kpis_weekly."""
    diff = con.execute(
        "SELECT count(*) FROM marts.journey_retention_weekly r "
        "JOIN marts.journey_kpis_weekly k USING (scope, journey, week_start) "
        "WHERE r.active_users <> k.active_users "
        "OR r.users_met_failure + r.users_no_failure <> r.active_users "
        "OR r.returning_users > r.active_users"
    ).fetchone()[0]
    rows = con.execute("SELECT count(*) FROM marts.journey_retention_weekly").fetchone()[0]
    assert rows > 0 and diff == 0


def test_retention_window_complete_only_when_data_covers_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    last = con.execute("SELECT max(day_date) FROM intermediate.int_business__journey_events")
    last_day = last.fetchone()[0]
    bad = con.execute(
        "SELECT count(*) FROM marts.journey_retention_weekly "
        "WHERE window_complete <> (week_start + 6 + return_window_days <= ?) "
        "OR (NOT window_complete AND retention_rate IS NOT NULL)",
        [last_day],
    ).fetchone()[0]
    assert bad == 0


def test_review_shows_retention(con: duckdb.DuckDBPyConnection) -> None:
    review = load_review(con, LATEST)
    rows = review["retention"]
    assert {(r["journey"], r["return_window_days"]) for r in rows} == {
        ("checkout", 7),
        ("checkout", 28),
        ("signup", 7),
        ("signup", 28),
    }
    assert all(r["week_start"] <= LATEST and r["window_complete"] for r in rows)
    html, md = render_html(review), render_markdown(review)
    assert '<table id="retention">' in html and "Retention:" in md
    assert md.count("**Retention gap: ") == html.count("Retention gap: ")
    assert md.count("**Retention gap: ") == sum(r["gap_flag"] for r in rows)
    for r in rows:
        assert r["gap_flag"] == (r["retention_gap"] is not None and r["retention_gap"] >= 0.05)
