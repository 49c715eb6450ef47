"""`reliability dora [--weeks N] [--service S | --team T]`: the weekly DORA metrics as a table.

Reads marts.dora_weekly from the warehouse, opened read-only. Without --service or --team it
shows scope 'all'. Bands are the trailing 4-week bands (a single quiet week does not flip them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from reliability.settings import resolve_paths

DEFAULT_WEEKS = 8
MISSING = "-"


def format_duration(minutes: float | None) -> str:
    """Minutes as '42 min', '5.3 h' or '3.1 d' (under 90 minutes, under 48 hours, beyond)."""
    if minutes is None:
        return MISSING
    if abs(minutes) < 90:
        return f"{minutes:.0f} min"
    if abs(minutes) < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def format_percent(rate: float | None) -> str:
    """A ratio 0..1 as a percentage with one decimal."""
    return MISSING if rate is None else f"{rate * 100:.1f}%"


def format_number(value: float | int | None, decimals: int = 0) -> str:
    return MISSING if value is None else f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Column:
    """A table column: header (with its unit) and how a dora_weekly row gives its cell."""

    header: str
    cell: Callable[[dict[str, Any]], str]
    align_left: bool = False


def _duration(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: format_duration(row[key])


def _percent(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: format_percent(row[key])


def _band(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: row[key] or MISSING


COLUMNS: tuple[Column, ...] = (
    Column("week (Mon)", lambda r: str(r["week_start"]), align_left=True),
    Column("deploys", lambda r: format_number(r["deployments"])),
    Column("deploys/day", lambda r: format_number(r["deployment_frequency_per_day"], 2)),
    Column("deploy-days", lambda r: format_number(r["deploy_days"])),
    Column("lead time p50", _duration("lead_time_median_minutes")),
    Column("lead time p90", _duration("lead_time_p90_minutes")),
    Column("change fail %", _percent("change_fail_rate")),
    Column("recovery p50", _duration("failed_deployment_recovery_median_minutes")),
    Column("restore p50", _duration("time_to_restore_median_minutes")),
    Column("rework %", _percent("rework_rate")),
    Column("incidents (open)", lambda r: f"{r['incidents']} ({r['open_incidents']})"),
    Column("freq band", _band("deployment_frequency_band_4w"), align_left=True),
    Column("lead band", _band("lead_time_band_4w"), align_left=True),
    Column("fail band", _band("change_fail_rate_band_4w"), align_left=True),
    Column("recovery band", _band("failed_deployment_recovery_band_4w"), align_left=True),
)


def format_weekly_table(rows: Sequence[dict[str, Any]], title: str) -> str:
    """A fixed-width table of dora_weekly rows (oldest week first) under a title line."""
    cells = [[column.cell(row) for column in COLUMNS] for row in rows]
    widths = [
        max([len(column.header)] + [len(line[i]) for line in cells])
        for i, column in enumerate(COLUMNS)
    ]

    def render(values: Sequence[str]) -> str:
        return "  ".join(
            value.ljust(width) if column.align_left else value.rjust(width)
            for value, width, column in zip(values, widths, COLUMNS, strict=True)
        ).rstrip()

    lines = [title, "", render([c.header for c in COLUMNS]), "  ".join("-" * w for w in widths)]
    lines += [render(line) for line in cells]
    year = rows[0]["band_report_year"] if rows else None
    lines += [
        "",
        "p50/p90: median and 90th percentile; recovery: failed deployment recovery time; "
        "restore: time to restore (open incidents excluded).",
        f"Bands: trailing 4 weeks, DORA {year} report. Weeks are ISO weeks (Monday, UTC).",
    ]
    return "\n".join(lines)


def scope_of(args: argparse.Namespace) -> tuple[str, str]:
    if args.service:
        return "service", args.service
    if args.team:
        return "team", args.team
    return "all", "all"


def fetch_weeks(warehouse: Path, scope: str, name: str, weeks: int) -> list[dict[str, Any]]:
    """The last `weeks` rows of one scope, oldest first (read-only connection)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.dora_weekly where scope = ? and scope_name = ? "
            "order by week_start desc limit ?",
            [scope, name, weeks],
        )
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    return rows[::-1]


def known_names(warehouse: Path, scope: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select distinct scope_name from marts.dora_weekly where scope = ? order by 1", [scope]
        ).fetchall()
    return [r[0] for r in found]


def cmd_dora(args: argparse.Namespace) -> int:
    warehouse = resolve_paths().warehouse
    if not warehouse.is_file():
        print(f"No warehouse at {warehouse}: run `reliability demo` or `reliability run` first.",
              file=sys.stderr)
        return 2
    scope, name = scope_of(args)
    try:
        rows = fetch_weeks(warehouse, scope, name, args.weeks)
        names = [] if rows else known_names(warehouse, scope)
    except duckdb.CatalogException:
        print(f"{warehouse} has no marts.dora_weekly yet: run `reliability run`.", file=sys.stderr)
        return 2
    except duckdb.IOException as exc:
        print(f"Cannot open {warehouse} read-only: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"No DORA rows for {scope} '{name}'. Known: {', '.join(names) or 'none'}.",
              file=sys.stderr)
        return 1
    label = "everything" if scope == "all" else f"{scope} {name}"
    print(format_weekly_table(rows, f"DORA metrics, {label}, last {len(rows)} week(s)"))
    return 0


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `dora` to the `reliability` command."""
    parser = subparsers.add_parser(
        "dora", help="print the weekly DORA metrics (all, a service or a team)"
    )
    parser.add_argument("--weeks", type=positive_int, default=DEFAULT_WEEKS,
                        help=f"number of most recent weeks (default {DEFAULT_WEEKS})")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--service", help="one service")
    which.add_argument("--team", help="one team")
    parser.set_defaults(func=cmd_dora)
