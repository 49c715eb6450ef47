"""`reliability gate [SLO ...]` (a release gate for deploy pipelines) and `reliability slo`.

The gate reads marts.error_budget_status read-only (from the warehouse, or error_budget_status
from the serving copy, where the marts are in the main schema) and exits 0 (ship or caution),
1 (freeze) or 2 (warehouse, table or SLO missing, no data, or data older than --max-age hours).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from reliability.serving import SERVING_FILE
from reliability.settings import resolve_paths

STATUS_TABLE = "marts.error_budget_status"
SERVING_STATUS_TABLE = "main.error_budget_status"  # the serving copy (reliability.serving)
EXIT_OK, EXIT_FREEZE, EXIT_UNKNOWN = 0, 1, 2
DEFAULT_MAX_AGE_HOURS = 24.0


class GateError(Exception):
    """The gate cannot decide (exit 2): the message says what is missing or stale."""


@dataclass(frozen=True)
class SloStatus:
    slo_id: str
    display_name: str
    sli: float | None
    target: float
    remaining_fraction: float | None
    budget_minutes: float | None
    budget_remaining_minutes: float | None
    decision: str
    decision_reason: str
    latest_data_at: datetime | None
    next_target: float | None = None
    next_target_date: Any = None


def read_status(warehouse: Path) -> list[SloStatus]:
    """The current row per SLO, from a read-only connection."""
    if not warehouse.is_file():
        raise GateError(f"warehouse not found: {warehouse} (run `reliability run` first)")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise GateError(f"cannot open the warehouse {warehouse} read-only: {exc}") from None
    try:
        tables = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        table = next((t for t in (STATUS_TABLE, SERVING_STATUS_TABLE) if t in tables), None)
        if table is None:
            raise GateError(f"{STATUS_TABLE} not found in {warehouse}: build the SLO models")
        rows = con.execute(
            f"select slo_id, display_name, sli, target, remaining_fraction, budget_minutes, "
            f"budget_remaining_minutes, decision, decision_reason, latest_data_at, next_target, "
            f"next_target_date from {table} order by slo_id"
        ).fetchall()
    finally:
        con.close()
    return [SloStatus(*row) for row in rows]


def budget_bar(remaining: float | None, width: int = 30) -> str:
    """[#########.....] for the remaining fraction (clamped to 0..1); '?' when unknown."""
    if remaining is None:
        return "[" + "?" * width + "]"
    filled = round(max(0.0, min(1.0, remaining)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.3g}%"


def format_status(s: SloStatus) -> str:
    """Two lines: the budget counter (bar and numbers), then the decision and reason."""
    minutes = (
        "n/a"
        if s.budget_remaining_minutes is None or s.budget_minutes is None
        else f"{s.budget_remaining_minutes:.1f} of {s.budget_minutes:.1f} min"
    )
    head = (
        f"{s.slo_id:<34} {budget_bar(s.remaining_fraction)} {_pct(s.remaining_fraction):>7} left"
        f" ({minutes}); SLI {_pct(s.sli)} vs target {_pct(s.target)}"
    )
    return f"{head}\n{'':<34} -> {s.decision.upper()}: {s.decision_reason}"


def gate_exit_code(
    statuses: list[SloStatus],
    wanted: list[str],
    now: datetime,
    max_age: timedelta,
) -> tuple[int, list[str]]:
    """Exit code and messages: 2 if an SLO is missing, has no data or is stale; 1 if any freeze."""
    by_id = {s.slo_id: s for s in statuses}
    if not statuses:
        return EXIT_UNKNOWN, [f"no SLOs in {STATUS_TABLE}"]
    missing = [w for w in wanted if w not in by_id]
    if missing:
        known = ", ".join(sorted(by_id))
        return EXIT_UNKNOWN, [f"SLO not found: {m} (known: {known})" for m in missing]
    chosen = [by_id[w] for w in wanted] if wanted else statuses
    problems = []
    oldest_h = 0.0
    for s in chosen:
        if s.decision == "no_data" or s.latest_data_at is None:
            problems.append(f"{s.slo_id}: no data in the SLO window")
        elif now - s.latest_data_at > max_age:
            age_h = (now - s.latest_data_at).total_seconds() / 3600
            oldest_h = max(oldest_h, age_h)
            problems.append(
                f"{s.slo_id}: stale: latest request data at {s.latest_data_at:%Y-%m-%d %H:%M} UTC, "
                f"{age_h:.1f} h ago (more than --max-age {max_age.total_seconds() / 3600:g} h)"
            )
    if oldest_h:
        problems.append(
            "to fix: load newer request files and run `reliability run`, or accept data this "
            f"old with --max-age {math.ceil(oldest_h)}"
        )
    if problems:
        return EXIT_UNKNOWN, problems
    frozen = [s.slo_id for s in chosen if s.decision == "freeze"]
    if frozen:
        return EXIT_FREEZE, [f"FREEZE: error budget exhausted for {', '.join(frozen)}"]
    return EXIT_OK, [
        "SHIP: every error budget allows releases"
        + (" (with caution)" if any(s.decision == "caution" for s in chosen) else "")
    ]


def _now(args: argparse.Namespace) -> datetime:
    if getattr(args, "now", None):
        return datetime.fromisoformat(args.now).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)


def _gate_database(args: argparse.Namespace) -> Path:
    """--warehouse FILE, else the serving copy with --serving, else RELIABILITY_WAREHOUSE."""
    if args.warehouse:
        return Path(args.warehouse)
    paths = resolve_paths()
    return paths.serving / SERVING_FILE if args.serving else paths.warehouse


def cmd_gate(args: argparse.Namespace) -> int:
    warehouse = _gate_database(args)
    try:
        statuses = read_status(warehouse)
    except GateError as exc:
        print(f"gate: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    wanted = list(args.slos or [])
    shown = [s for s in statuses if not wanted or s.slo_id in wanted]
    for s in shown:
        print(format_status(s))
    code, messages = gate_exit_code(statuses, wanted, _now(args), timedelta(hours=args.max_age))
    for m in messages:
        print(m, file=sys.stderr if code == EXIT_UNKNOWN else sys.stdout)
    return code


def cmd_slo(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse) if args.warehouse else resolve_paths().warehouse
    try:
        statuses = read_status(warehouse)
    except GateError as exc:
        print(f"slo: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    for s in statuses:
        print(format_status(s))
        if s.next_target is not None:
            print(f"{'':<34}    next target {_pct(s.next_target)} by {s.next_target_date}")
    if not statuses:
        print(f"no SLOs in {STATUS_TABLE}", file=sys.stderr)
        return EXIT_UNKNOWN
    return EXIT_OK


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--warehouse", help="warehouse file (default: RELIABILITY_WAREHOUSE)")


def register(subparsers: Any) -> None:
    """Add the `gate` and `slo` subcommands."""
    gate = subparsers.add_parser(
        "gate",
        help="release gate: budget counter per SLO; exit 0 ship/caution, 1 freeze, 2 missing/stale",
        description=(
            "Read the warehouse read-only and print each SLO's error budget and the policy "
            "decision. Exit 0 for ship or caution, 1 for freeze, 2 when the warehouse, an SLO or "
            "recent data is missing."
        ),
    )
    gate.add_argument("slos", nargs="*", metavar="SLO", help="SLO ids to check (default: all)")
    gate.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_HOURS,
        help="hours after which the latest request data is stale (default %(default)s)",
    )
    gate.add_argument("--now", help=argparse.SUPPRESS)  # tests: evaluate at a fixed UTC time
    _common(gate)
    gate.add_argument(
        "--serving",
        action="store_true",
        help="read the serving copy (RELIABILITY_SERVING or data/serving/reliability.duckdb)",
    )
    gate.set_defaults(func=cmd_gate)

    slo = subparsers.add_parser("slo", help="print every SLO with its budget and status")
    _common(slo)
    slo.set_defaults(func=cmd_slo)
