"""Raw tables from the DuckDB warehouse into PostgreSQL, when PostgreSQL is the dbt target.

The connection comes from the environment, like dbt's profile: RELIABILITY_PG_HOST (localhost),
RELIABILITY_PG_PORT (5432), RELIABILITY_PG_USER (reliability), RELIABILITY_PG_PASSWORD and
RELIABILITY_PG_DATABASE (reliability). Rows travel as CSV through COPY, one transaction per table.

Batched tables follow the warehouse batch by batch (a batch = the rows sharing one load time):
the batches PostgreSQL lacks are copied, an upsert dataset first deleting the keys they replace,
so PostgreSQL holds what DuckDB holds. If the row counts still differ afterwards (a batch lost
by an earlier failure), the table is copied whole.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = "raw"

_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
}


def connection_params(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """psycopg2 connection arguments from the RELIABILITY_PG_* variables (as profiles.yml)."""
    env = os.environ if environ is None else environ
    return {
        "host": env.get("RELIABILITY_PG_HOST", "localhost"),
        "port": int(env.get("RELIABILITY_PG_PORT", "5432")),
        "user": env.get("RELIABILITY_PG_USER", "reliability"),
        "password": env.get("RELIABILITY_PG_PASSWORD", ""),
        "dbname": env.get("RELIABILITY_PG_DATABASE", "reliability"),
    }


@contextmanager
def connect() -> Iterator[Any]:
    """A psycopg2 connection (closed on exit); commits are explicit."""
    import psycopg2

    con = psycopg2.connect(**connection_params())
    try:
        yield con
    finally:
        con.close()


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL type of a DuckDB column type."""
    if duckdb_type in _TYPES:
        return _TYPES[duckdb_type]
    m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duckdb_type)
    if m:
        return f"numeric({m[1]}, {m[2]})"
    raise ValueError(f"no PostgreSQL type for DuckDB type {duckdb_type}")


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of raw.<table>, in order."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [SCHEMA, table],
    ).fetchall()
    if not rows:
        raise ValueError(f"raw.{table} is not in the warehouse")
    return [(r[0], r[1]) for r in rows]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_sql(con: duckdb.DuckDBPyConnection, table: str, name: str | None = None) -> str:
    cols = ", ".join(f"{_q(c)} {pg_type(t)}" for c, t in columns(con, table))
    return f"CREATE TABLE {name or f'{SCHEMA}.{_q(table)}'} ({cols})"


def _copy(con: duckdb.DuckDBPyConnection, cur: Any, query: str, into: str) -> int:
    """COPY the DuckDB query's rows into the PostgreSQL table `into` via a CSV file."""
    with tempfile.TemporaryDirectory(prefix="reliability-pg-") as tmp:
        path = Path(tmp) / "batch.csv"
        con.execute(
            f"COPY ({query}) TO '{path.as_posix()}' (FORMAT csv, HEADER true)"
        )
        with path.open() as fh:
            cur.copy_expert(f"COPY {into} FROM STDIN WITH (FORMAT csv, HEADER true)", fh)
        return cur.rowcount


def _exists(cur: Any, table: str) -> bool:
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{_q(table)}",))
    return cur.fetchone()[0] is not None


def _pg_columns(cur: Any, table: str) -> list[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (SCHEMA, table),
    )
    return [r[0] for r in cur.fetchall()]


def replace_table(con: duckdb.DuckDBPyConnection, pg: Any, table: str) -> int:
    """Replace raw.<table> in PostgreSQL by the warehouse's, in one transaction.

    A table with the same columns keeps its definition (views built on it, such as the dbt
    staging views, stay valid) and only its rows are replaced; otherwise it is recreated.
    """
    with pg.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        wanted = [name for name, _ in columns(con, table)]
        if _exists(cur, table) and _pg_columns(cur, table) == wanted:
            cur.execute(f"DELETE FROM {SCHEMA}.{_q(table)}")
        else:
            cur.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{_q(table)} CASCADE")
            cur.execute(create_sql(con, table))
        n = _copy(con, cur, f"SELECT * FROM raw.{table}", f"{SCHEMA}.{_q(table)}")
    pg.commit()
    return n


def sync_batches(
    con: duckdb.DuckDBPyConnection, pg: Any, table: str, time_column: str,
    key: str | None = None,
) -> int:
    """Copy the batches of raw.<table> that PostgreSQL lacks; return the rows copied.

    `key` (for upsert datasets): rows of PostgreSQL with a key in a copied batch are deleted
    first, as the loader replaced them in DuckDB.
    """
    target = f"{SCHEMA}.{_q(table)}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        if not _exists(cur, table):
            pg.commit()
            return replace_table(con, pg, table)
        cur.execute(f"SELECT DISTINCT {_q(time_column)} FROM {target}")
        have = {r[0] for r in cur.fetchall()}
        times = [
            r[0] for r in con.execute(
                f"SELECT DISTINCT {time_column} FROM raw.{table} "
                f"WHERE {time_column} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        copied = 0
        for t in (t for t in times if t not in have):
            at = t.isoformat(" ")
            query = f"SELECT * FROM raw.{table} WHERE {time_column} = TIMESTAMP '{at}'"
            if key:
                cur.execute("DROP TABLE IF EXISTS pg_temp.rw_batch")
                cur.execute(create_sql(con, table, "pg_temp.rw_batch"))
                copied += _copy(con, cur, query, "pg_temp.rw_batch")
                cur.execute(
                    f"DELETE FROM {target} USING pg_temp.rw_batch b "
                    f"WHERE {target}.{_q(key)} = b.{_q(key)}"
                )
                cur.execute(f"INSERT INTO {target} SELECT * FROM pg_temp.rw_batch")
            else:
                copied += _copy(con, cur, query, target)
        cur.execute(f"SELECT count(*) FROM {target}")
        pg_rows = cur.fetchone()[0]
    pg.commit()
    duck_rows = con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]
    if pg_rows != duck_rows:
        return replace_table(con, pg, table)
    return copied
