"""Requests loaded since the last dbt build that are older than what the incremental SLO tables
recompute (a backfill): the dbt build must then rebuild them whole (--full-refresh).

The incremental SLO models recompute from the start of the earliest last day with minutes among
the SLOs; a request older than that (an older log file, a service whose logs arrive late) would
otherwise be loaded but never counted. Which requests are new since the last build is known from
their `_loaded_at` against the one recorded in `raw.slo_build_state` after each successful build.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from reliability.transactions import rollback

STATE_TABLE = "raw.slo_build_state"


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchone()[0])


def backfill_start(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The earliest request loaded since the last recorded build that lies before the incremental
    SLO models' recompute window; None when there is none, or nothing to compare with yet."""
    needed = [("raw", "slo_build_state"), ("raw", "requests"), ("raw", "slo_definitions"),
              ("intermediate", "int_slo__sli_minute")]
    if not all(_exists(con, schema, table) for schema, table in needed):
        return None
    # The window as the minute model computes it: the SLOs whose minutes match the current
    # definitions (raw.slo_definitions, written before dbt runs); the others are recomputed.
    return con.execute(
        f"""
        SELECT min(r."timestamp")
        FROM raw.requests AS r
        WHERE r._loaded_at > (SELECT max(requests_loaded_through_at) FROM {STATE_TABLE})
          AND r."timestamp" < (
              SELECT min(last_day_at) FROM (
                  SELECT date_trunc('day', max(m.minute_at)) AS last_day_at
                  FROM intermediate.int_slo__sli_minute AS m
                  JOIN raw.slo_definitions AS d
                    ON d.slo_id = m.slo_id AND d.definition_hash = m.definition_hash
                  GROUP BY m.slo_id))
        """
    ).fetchone()[0]


def record_build(con: duckdb.DuckDBPyConnection) -> None:
    """After a successful dbt build: the requests loaded so far are counted."""
    if not _exists(con, "raw", "requests"):
        return
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} "
        "(requests_loaded_through_at TIMESTAMP, built_at TIMESTAMP)"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {STATE_TABLE}")
        con.execute(
            f"INSERT INTO {STATE_TABLE} SELECT max(_loaded_at), now()::TIMESTAMP "
            "FROM raw.requests"
        )
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con, exc)
        raise
