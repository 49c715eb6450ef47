"""The review page's retention part: per journey, the latest cohort week whose return window is
complete, its retention split by whether users met a failure, and a flag when those users
return less (marts.journey_retention_weekly; definitions in docs/retention.md). Its text on the
page is built in view.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

Row = dict[str, Any]

# A retention gap is flagged from this many percentage points (no-failure minus met-failure rate).
GAP_FLAG = 0.05


def load_retention(con: duckdb.DuckDBPyConnection, week_start: date) -> list[Row]:
    """Per journey and return window: the latest complete cohort week up to `week_start`."""
    cur = con.execute(
        "SELECT * FROM marts.journey_retention_weekly "
        "WHERE scope = 'journey' AND window_complete AND week_start <= ? "
        "QUALIFY row_number() OVER (PARTITION BY journey, return_window_days "
        "ORDER BY week_start DESC) = 1 ORDER BY journey, return_window_days",
        [week_start],
    )
    names = [c[0] for c in cur.description]
    return [
        {**r, "gap_flag": r["retention_gap"] is not None and r["retention_gap"] >= GAP_FLAG}
        for r in (dict(zip(names, row, strict=True)) for row in cur.fetchall())
    ]
