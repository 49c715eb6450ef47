"""Everything the weekly review page shows, read from the marts into one plain dict.

The renderer formats only what is in this dict, and the tests compare the dict with the tables,
so every number on the page comes from the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from reliability.review.retention import load_retention
from reliability.review.weeks import week_label

Row = dict[str, Any]

# The DORA tiles: weekly_review column, band column, what it is, unit kind, better direction.
DORA_TILES: tuple[tuple[str, str | None, str, str, str], ...] = (
    (
        "deployment_frequency_per_day",
        "deployment_frequency_band",
        "Deployment frequency",
        "per_day",
        "higher",
    ),
    ("lead_time_median_minutes", "lead_time_band", "Change lead time (median)", "minutes", "lower"),
    ("change_fail_rate", "change_fail_rate_band", "Change fail rate", "rate", "lower"),
    (
        "failed_deployment_recovery_median_minutes",
        "failed_deployment_recovery_band",
        "Failed deployment recovery time (median)",
        "minutes",
        "lower",
    ),
    ("rework_rate", None, "Deployment rework rate", "rate", "lower"),
)


class ReviewNotFound(LookupError):
    """The warehouse has no review row for the requested week."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def available_weeks(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Mondays of the weeks in marts.weekly_review, oldest first."""
    if not _has_table(con, "marts", "weekly_review"):
        return []
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT week_start FROM marts.weekly_review ORDER BY 1"
        ).fetchall()
    ]


def default_week(con: duckdb.DuckDBPyConnection, just_closed: date) -> date | None:
    """The week just closed, or the latest week with data before it (None without data)."""
    weeks = [w for w in available_weeks(con) if w <= just_closed]
    return weeks[-1] if weeks else None


def load_review(con: duckdb.DuckDBPyConnection, week_start: date, chart_weeks: int = 12) -> Row:
    """The review of the ISO week starting `week_start` (a Monday), as a dict."""
    week_end = week_start + timedelta(days=6)
    rows = _rows(
        con,
        "SELECT * FROM marts.weekly_review WHERE week_start = ? ORDER BY scope, scope_name",
        [week_start],
    )
    overall = next((r for r in rows if r["scope"] == "all"), None)
    if overall is None:
        raise ReviewNotFound(f"No review data for {week_label(week_start)} in marts.weekly_review")
    first_chart_week = week_start - timedelta(weeks=chart_weeks - 1)
    history = _rows(
        con,
        "SELECT * FROM marts.weekly_review WHERE scope = 'all' "
        "AND week_start BETWEEN ? AND ? ORDER BY week_start",
        [first_chart_week, week_start],
    )
    return {
        "week": week_label(week_start),
        "week_start": week_start,
        "week_end": week_end,
        "currency": overall["currency"] or _any_currency(con),
        "settings": _rows(con, "SELECT * FROM raw.review_settings")[0],
        "slos": _slos(con, week_start, week_end),
        "overall": overall,
        "dora": [
            {
                "column": col,
                "band_column": band,
                "label": label,
                "unit": unit,
                "better": better,
                "value": overall[col],
                "band": overall[band] if band else None,
                "series": [h[col] for h in history],
            }
            for col, band, label, unit, better in DORA_TILES
        ],
        "chart": {
            "weeks": [week_label(h["week_start"]) for h in history],
            "availability_sli": [h["availability_sli"] for h in history],
            "conversion_rate": [h["conversion_rate"] for h in history],
            "revenue": [h["revenue"] for h in history],
            "incidents": [h["incidents"] for h in history],
            "revenue_at_risk_estimate": [h["revenue_at_risk_estimate"] for h in history],
        },
        "journeys": [_journey(con, r) for r in rows if r["scope"] == "journey"],
        "retention": load_retention(con, week_start),
        "services": [r for r in rows if r["scope"] == "service"],
        "incidents": _rows(
            con,
            "SELECT * FROM marts.incident_review WHERE week_start = ? "
            "ORDER BY started_at, incident_id",
            [week_start],
        ),
        "missing_postmortems": _rows(
            con,
            "SELECT * FROM marts.incident_review WHERE postmortem_status = 'missing' "
            "AND week_start <= ? ORDER BY started_at, incident_id",
            [week_start],
        ),
        "action_items": _rows(
            con,
            "SELECT * FROM marts.review_action_items WHERE is_open AND incident_week_start <= ? "
            "ORDER BY due_date, action_item_id",
            [week_start],
        ),
        "corrective_actions": _rows(
            con,
            "SELECT * FROM marts.weekly_corrective_actions WHERE week_start = ? "
            "ORDER BY CASE scope WHEN 'all' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, "
            "scope_name, metric",
            [week_start],
        ),
        "postmortem_rejects": (
            _rows(con, "SELECT file_name, reason FROM raw.postmortem_rejects ORDER BY file_name")
            if _has_table(con, "raw", "postmortem_rejects")
            else []
        ),
    }


def _any_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT max(currency) FROM marts.journey_kpis_weekly").fetchone()
    return row[0] if row else None


def _journey(con: duckdb.DuckDBPyConnection, row: Row) -> Row:
    """A journey's review row with the reliability vs conversion estimate of the same week."""
    est = _rows(
        con,
        "SELECT fit_weeks, revenue_per_success_point_estimate, "
        "conversion_points_per_success_point_estimate, revenue_correlation_estimate "
        "FROM marts.journey_reliability_vs_conversion "
        "WHERE journey = ? AND week_start = ?",
        [row["scope_name"], row["week_start"]],
    )
    return {**row, **(est[0] if est else {})}


def _slos(con: duckdb.DuckDBPyConnection, week_start: date, week_end: date) -> list[Row]:
    """Each SLO's status at the end of the week (marts.weekly_slo_review, if it exists)."""
    if not _has_table(con, "marts", "weekly_slo_review"):
        return []
    return _rows(
        con,
        "SELECT * FROM marts.weekly_slo_review WHERE week_start = ? ORDER BY service, slo_id",
        [week_start],
    )
