"""`reliability sql "<query>"`: a read-only query against the serving copy."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

import duckdb

from reliability.serving import (
    SERVING_FILE,
    ReadOnlyQueryError,
    check_read_only_query,
    connect_serving,
    first_line,
)
from reliability.settings import resolve_paths


def format_table(columns: list[str], rows: list[tuple[Any, ...]], max_width: int = 40) -> str:
    """A fixed-width text table; NULL shown as empty, long values cut with '…'."""

    def cell(v: Any) -> str:
        if v is None:
            return ""
        text = f"{v:.6g}" if isinstance(v, float) else str(v)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    body = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    out = [line, rule] + [
        "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body
    ]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


REFUSED = (
    "reliability sql: refused: {reason}. It runs one read-only SELECT on the published tables; "
    "files, extensions, ATTACH and settings are off (docs/security.md)."
)


def run_query(path: Path, query: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only SELECT on a locked-down connection to `path`."""
    with connect_serving(path) as con:
        check_read_only_query(con, query)
        cur = con.execute(query)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()


def cmd_sql(args: argparse.Namespace) -> int:
    path = Path(args.database) if args.database else (
        resolve_paths().serving / SERVING_FILE
    )
    try:
        columns, rows = run_query(path, args.query)
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ReadOnlyQueryError as exc:
        print(REFUSED.format(reason=exc), file=sys.stderr)
        return 1
    except duckdb.PermissionException as exc:
        print(REFUSED.format(reason=first_line(str(exc))), file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(format_table(columns, rows))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sql", help="run a read-only SQL query against the serving copy of the marts"
    )
    p.add_argument("query", help='e.g. "SELECT * FROM dora_weekly LIMIT 5"')
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument("--database", help="another DuckDB file (default: the serving copy)")
    p.set_defaults(func=cmd_sql)
