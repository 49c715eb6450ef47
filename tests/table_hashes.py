"""Order-free content hashes of a DuckDB warehouse's tables, to show a change kept the numbers.

    python tests/table_hashes.py WAREHOUSE.duckdb [--schemas marts,intermediate] > hashes.tsv
    diff before.tsv after.tsv

`--strip TEXT` replaces TEXT (e.g. the landing folder's absolute path, which postmortem file paths
carry) with `<root>`, so warehouses built in different folders compare equal.

Each line is `schema.table<TAB>rows<TAB>md5`: the md5 of the table's rows, each row cast to text and
the rows sorted, so the order rows were written in does not matter. Floating-point columns are
rounded to 6 decimals first (parallel sums differ in the last bits from run to run). Columns of the
run itself (`_loaded_at`, `published_at`, ...) differ on every run: those in VOLATILE are left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

VOLATILE = ("_loaded_at", "loaded_at", "published_at", "generated_at", "run_id", "built_at")


def table_hashes(
    warehouse: Path, schemas: tuple[str, ...], strip: str | None = None
) -> dict[str, tuple[int, str]]:
    """{schema.table: (row count, md5 of the sorted rows)} for the tables of `schemas`; `strip`,
    when given, is replaced by `<root>` in every row's text first."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN (SELECT unnest(?)) ORDER BY 1, 2",
            [list(schemas)],
        ).fetchall()
        out: dict[str, tuple[int, str]] = {}
        for schema, table in tables:
            columns = [
                f'round("{c}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{c}"'
                for (c, kind) in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                    [schema, table],
                ).fetchall()
                if c not in VOLATILE
            ]
            cols = ", ".join(columns)
            row_text = f"CAST(ROW({cols}) AS VARCHAR)"
            if strip:
                row_text = f"replace({row_text}, $strip, '<root>')"
            rows, digest = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                f'FROM (SELECT {row_text} AS r FROM "{schema}"."{table}")',
                {"strip": strip} if strip else None,
            ).fetchone()
            out[f"{schema}.{table}"] = (rows, digest)
        return out
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--schemas", default="marts", help="comma-separated (default: marts)")
    parser.add_argument("--strip", help="text replaced by <root> in every row (a folder path)")
    args = parser.parse_args(argv)
    hashes = table_hashes(args.warehouse, tuple(args.schemas.split(",")), args.strip)
    for name, (rows, digest) in hashes.items():
        print(f"{name}\t{rows}\t{digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
