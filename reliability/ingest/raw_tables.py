"""Small raw tables derived from configuration, replaced whole in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from reliability.transactions import rollback


def replace_raw_tables(
    con: duckdb.DuckDBPyConnection,
    columns: Mapping[str, str],
    rows: Mapping[str, Sequence[tuple]],
) -> dict[str, int]:
    """Recreate raw.<table> (column DDL from `columns`) with `rows`; return the row counts."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table, ddl in columns.items():
            con.execute(f"CREATE OR REPLACE TABLE raw.{table} ({ddl})")
            if rows[table]:
                marks = ", ".join("?" for _ in rows[table][0])
                con.executemany(f"INSERT INTO raw.{table} VALUES ({marks})", list(rows[table]))
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con, exc)
        raise
    return {t: len(rows[t]) for t in columns}
