"""Newly loaded requests the incremental SLO tables would miss (reliability.slo.backfill)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from reliability.slo.backfill import backfill_start, record_build


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA intermediate")
    con.execute('CREATE TABLE raw.requests ("timestamp" TIMESTAMP, _loaded_at TIMESTAMP)')
    con.execute("CREATE TABLE intermediate.int_slo__sli_minute "
                "(slo_id VARCHAR, minute_at TIMESTAMP, definition_hash VARCHAR)")
    con.execute("CREATE TABLE raw.slo_definitions (slo_id VARCHAR, definition_hash VARCHAR)")
    con.execute("INSERT INTO raw.slo_definitions VALUES ('a', 'h'), ('b', 'h')")
    con.execute("INSERT INTO raw.requests VALUES ('2026-11-20 10:00', '2026-11-21 00:00'), "
                "('2026-11-21 09:00', '2026-11-21 00:00')")
    # Two SLOs: the window starts on the earlier one's last day, 2026-11-20.
    con.execute("INSERT INTO intermediate.int_slo__sli_minute VALUES "
                "('a', '2026-11-21 09:00', 'h'), ('b', '2026-11-20 10:00', 'h'), "
                # An SLO since removed, and one whose definition changed: both recomputed whole,
                # so their old last days do not widen the window.
                "('gone', '2026-11-02 10:00', 'h'), ('a', '2026-11-05 10:00', 'old')")
    return con


def test_nothing_to_compare_with_before_the_first_recorded_build() -> None:
    con = _warehouse()
    assert backfill_start(con) is None
    con.execute("INSERT INTO raw.requests VALUES ('2026-11-01 00:00', '2026-11-22 00:00')")
    assert backfill_start(con) is None


def test_only_new_requests_before_the_window_count() -> None:
    con = _warehouse()
    record_build(con)
    assert backfill_start(con) is None
    # New, but inside the window (the earliest last day, 2026-11-20): counted incrementally.
    con.execute("INSERT INTO raw.requests VALUES ('2026-11-20 00:00', '2026-11-22 00:00')")
    assert backfill_start(con) is None
    # New and older than the window: a backfill, from its earliest request.
    con.execute("INSERT INTO raw.requests VALUES ('2026-11-19 23:59', '2026-11-22 00:00'), "
                "('2026-11-03 08:00', '2026-11-22 00:00')")
    assert backfill_start(con) == datetime(2026, 11, 3, 8, 0)
    # After the build that counted them, nothing is left to rebuild for.
    record_build(con)
    assert backfill_start(con) is None
    assert con.execute("SELECT count(*) FROM raw.slo_build_state").fetchone()[0] == 1
