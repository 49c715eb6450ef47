"""The review page's retention part: per journey, the latest cohort week whose return window is
complete, its retention split by whether users met a failure, and a flag when those users
return less (marts.journey_retention_weekly; definitions in docs/retention.md)."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import duckdb

from . import formatting as f
from .weeks import week_label

Row = dict[str, Any]

# A retention gap is flagged from this many percentage points (no-failure minus met-failure rate).
GAP_FLAG = 0.05
HEADER = [
    "journey",
    "return window",
    "cohort week",
    "active users",
    "retention",
    "met a failure",
    "met no failure",
    "gap",
]


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


def _cells(r: Row) -> list[str]:
    return [
        r["journey"],
        f"{r['return_window_days']} days",
        week_label(r["week_start"]),
        str(r["active_users"]),
        f.percent(r["retention_rate"]),
        f"{f.percent(r['retention_rate_met_failure'])} of {r['users_met_failure']}",
        f"{f.percent(r['retention_rate_no_failure'])} of {r['users_no_failure']}",
        f.points(r["retention_gap"]) + (" (flag)" if r["gap_flag"] else ""),
    ]


def _flags(rows: list[Row]) -> list[str]:
    return [
        f"Retention gap: {r['journey']} users who met a failure in {week_label(r['week_start'])} "
        f"returned within {r['return_window_days']} days less often than those who met none "
        f"(gap {f.points(r['retention_gap'])})."
        for r in rows
        if r["gap_flag"]
    ]


def _intro(rows: list[Row]) -> str:
    if not rows:
        return "Retention: no cohort week with a complete return window yet."
    return (
        "Retention: users active in the cohort week who were active again on the journey within "
        "the return window after it, split by whether they met a failure (were active during "
        "an incident of the journey) that week."
    )


def retention_markdown(rows: list[Row]) -> list[str]:
    """Markdown lines of the retention part (a table and the flags)."""
    out = [_intro(rows), ""]
    if rows:
        out += [
            "| " + " | ".join(HEADER) + " |",
            "|" + "---|" * len(HEADER),
            *("| " + " | ".join(_cells(r)) + " |" for r in rows),
            "",
        ]
    out += [f"- **{x}**" for x in _flags(rows)]
    return out + ([""] if _flags(rows) else [])


def retention_html(rows: list[Row]) -> str:
    """The retention part as HTML (escaped here)."""
    html = f"<h3>Retention</h3><p>{escape(_intro(rows))}</p>"
    if rows:
        head = "".join(f"<th>{escape(c)}</th>" for c in HEADER)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(r)) + "</tr>" for r in rows
        )
        html += f'<table id="retention"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    flags = _flags(rows)
    if flags:
        html += (
            '<ul class="flags">'
            + "".join(f'<li class="missing">{escape(x)}</li>' for x in flags)
            + "</ul>"
        )
    return html
