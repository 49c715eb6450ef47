"""The review page's inputs when Spark or PostgreSQL built the marts.

The page is rendered by DuckDB SQL (`review.data`). On the DuckDB target it reads the warehouse;
on another target the marts live in that engine, so the few the page reads are copied into an
in-memory DuckDB database (schema `marts`), next to the two raw review tables of the warehouse
(schema `raw`). The page then shows the engine's numbers, not a stale DuckDB build's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from reliability.ingest.loader import connect
from reliability.review.inputs import page_inputs

Rows = tuple[list[str], list[tuple]]


def _postgres_marts() -> dict[str, Rows]:
    from reliability.engines.postgres import connect as pg_connect

    out: dict[str, Rows] = {}
    with pg_connect() as pg, pg.cursor() as cur:
        for name in page_inputs().marts:
            cur.execute(f"SELECT * FROM marts.{name}")
            out[name] = ([d[0] for d in cur.description], cur.fetchall())
    return out


def _spark_marts() -> dict[str, Rows]:
    from reliability.engines import SPARK_DIR_VAR
    from reliability.engines.spark import local_session, read_table

    spark = local_session(
        Path(os.environ[SPARK_DIR_VAR]), os.environ.get("RELIABILITY_SPARK_MASTER", "local[2]")
    )
    try:
        return {name: read_table(spark, f"marts.{name}") for name in page_inputs().marts}
    finally:
        spark.stop()


def engine_marts(target: str) -> dict[str, Rows]:
    """Column names and rows of the review's marts, read from `target` (spark or postgres)."""
    if target == "postgres":
        return _postgres_marts()
    if target == "spark":
        return _spark_marts()
    raise ValueError(f"no marts to copy from target '{target}'")


def _arrow(columns: list[str], rows: list[tuple]) -> pa.Table:
    """An Arrow table of the rows; column types inferred from the values (all-null columns stay
    null-typed; DuckDB reads them as NULL)."""
    return pa.table({c: pa.array([row[i] for row in rows]) for i, c in enumerate(columns)})


@contextmanager
def review_connection(warehouse: Path, target: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection holding what the page reads: the warehouse itself on DuckDB, else an
    in-memory copy of the engine's review marts plus the warehouse's raw review tables."""
    if target == "duckdb":
        with connect(warehouse) as con:
            yield con
        return
    tables = {f"marts.{name}": _arrow(*rows) for name, rows in engine_marts(target).items()}
    with connect(warehouse) as wh:
        tables |= {f"raw.{t}": wh.sql(f"SELECT * FROM raw.{t}").to_arrow_table()
                   for t in page_inputs().raw}
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA raw; CREATE SCHEMA marts")
        for name, table in tables.items():
            con.register("rw_copy", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM rw_copy")
            con.unregister("rw_copy")
        yield con
    finally:
        con.close()
