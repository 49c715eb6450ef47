"""SLOs on the demo warehouse: incidents burn budget, page alerts fire and clear, the gate
follows the budget, and the per-minute SLI and burn-rate tables are incremental."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_project import DBT_EXECUTABLE, DBT_PROJECT
from reliability.cli.slo import register
from reliability.config import load_config
from reliability.settings import PROJECT_ROOT, Paths
from reliability.slo.tables import load_slos, write_slo_tables


def _query(paths: Paths, sql: str) -> list[tuple]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _gate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def worst(demo_paths: Paths) -> tuple:
    """The incident x SLO that consumed the largest share of its window's budget."""
    return _query(demo_paths, """
        select incident_id, slo_id, started_at, ended_at, budget_consumed_fraction,
               is_postmortem_required
        from marts.slo_incident_budget
        where not is_open
        order by budget_consumed_fraction desc nulls last limit 1""")[0]


def test_the_worst_incident_burns_the_budget_and_needs_a_postmortem(
    demo_paths: Paths, worst: tuple
) -> None:
    incident_id, slo_id, started_at, ended_at, consumed, postmortem = worst
    assert consumed > 0.2 and postmortem
    before, after = _query(demo_paths, f"""
        select
            max(case when day_date = cast('{started_at}' as date) - 1 then remaining_fraction end),
            max(case when day_date = cast('{ended_at}' as date) then remaining_fraction end)
        from marts.error_budget_daily where slo_id = '{slo_id}'""")[0]
    # the incident visibly burns budget: at least its own consumption, relative to the window
    assert before - after > 0.2, (incident_id, before, after)


def test_a_page_alert_fires_during_the_incident_and_clears_after_it(
    demo_paths: Paths, worst: tuple
) -> None:
    incident_id, slo_id, started_at, ended_at, *_ = worst
    alerts = _query(demo_paths, f"""
        select fired_at, cleared_at, budget_spent_fraction from marts.slo_burn_alerts
        where slo_id = '{slo_id}' and severity = 'page'
          and fired_at >= '{started_at}' and fired_at <= '{ended_at}'
        order by fired_at""")
    assert alerts, f"no page alert for {slo_id} during {incident_id}"
    assert all(cleared is not None for _, cleared, _ in alerts)
    last_cleared = max(cleared for _, cleared, _ in alerts)
    assert ended_at <= last_cleared <= ended_at + timedelta(hours=1)
    assert sum(spent for *_, spent in alerts) > 0
    # an hour after the incident ended, no page alert of the SLO is firing any more
    still_firing = _query(demo_paths, f"""
        select count(*) from marts.slo_burn_alerts
        where slo_id = '{slo_id}' and severity = 'page'
          and fired_at <= cast('{ended_at}' as timestamp) + interval 1 hour
          and coalesce(cleared_at, timestamp '9999-01-01')
              > cast('{ended_at}' as timestamp) + interval 1 hour""")[0][0]
    assert still_firing == 0


def test_decisions_follow_the_budget(demo_paths: Paths) -> None:
    rows = _query(demo_paths, """
        select slo_id, remaining_fraction, is_budget_exhausted, decision
        from marts.error_budget_status_history where not is_no_data""")
    assert {r[3] for r in rows} >= {"ship", "freeze"}
    for slo_id, remaining, exhausted, decision in rows:
        if exhausted:
            assert decision == "freeze", slo_id
        elif remaining > 0.25:
            assert decision == "ship", slo_id
        else:
            assert decision == "caution", slo_id


def test_gate_exit_code_follows_the_budget(
    demo_paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _query(
        demo_paths, "select slo_id, decision, latest_data_at from marts.error_budget_status"
    )
    now = (max(r[2] for r in status) + timedelta(hours=1)).isoformat()
    base = ["gate", "--warehouse", str(demo_paths.warehouse), "--now", now]
    frozen = [s for s, d, _ in status if d == "freeze"]
    healthy = [s for s, d, _ in status if d in ("ship", "caution")]
    assert frozen and healthy
    assert _gate(base) == 1
    out = capsys.readouterr().out
    assert "FREEZE" in out and "min)" in out and "[" in out
    assert _gate(base + healthy) == 0
    assert _gate(base + [frozen[0]]) == 1
    assert _gate(base + ["no-such-slo"]) == 2
    late = ["gate", "--warehouse", str(demo_paths.warehouse), "--now",
            (max(r[2] for r in status) + timedelta(hours=30)).isoformat()]
    assert _gate(late) == 2 and "stale" in capsys.readouterr().err
    assert _gate(late + ["--max-age", "48"]) == 1
    assert _gate(["slo", "--warehouse", str(demo_paths.warehouse)]) == 0


def _dbt_run(warehouse: Path, target: Path, model: str, *flags: str, command: str = "run") -> str:
    """`dbt run` (or `command`) of one model on `warehouse`; the SQL it compiled."""
    env = {**os.environ, "RELIABILITY_WAREHOUSE": str(warehouse)}
    result = subprocess.run(
        [DBT_EXECUTABLE, command, "--select", model, *flags, "--profiles-dir",
         str(DBT_PROJECT.profiles_dir), "--target-path", str(target)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = next(target.rglob(f"compiled/**/{model}.sql"))
    return compiled.read_text()


def _dbt_run_minutes(warehouse: Path, target: Path) -> str:
    return _dbt_run(warehouse, target, "int_slo__sli_minute")


def _copy_with_rows(demo: Paths, tmp_path: Path, snapshot: str) -> tuple[Path, list]:
    """A copy of the demo warehouse under tmp_path, and the rows `snapshot` gives in it."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo.warehouse, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        return copy, con.execute(snapshot).fetchall()


def test_sli_minutes_are_incremental(demo_paths: Paths, tmp_path: Path) -> None:
    table = "intermediate.int_slo__sli_minute"
    snapshot = f"select * from {table} order by slo_id, minute_at"
    copy, before = _copy_with_rows(demo_paths, tmp_path, snapshot)
    with duckdb.connect(str(copy), read_only=True) as con:
        last_day = con.execute(f"select max(minute_date) from {table}").fetchone()[0]
    # A rerun recomputes only from the start of the last day, and changes nothing.
    sql = _dbt_run_minutes(copy, tmp_path / "t1")
    assert f"requested_at >= cast('{last_day} 00:00:00'" in sql
    with duckdb.connect(str(copy)) as con:
        assert con.execute(snapshot).fetchall() == before
        # A changed SLO definition: its rows are deleted and its history recomputed.
        con.execute("update raw.slo_definitions set definition_hash = 'changed' "
                    "where slo_id = 'checkout-availability'")
        con.execute("create or replace table intermediate.int_slo__definitions as "
                    "select * exclude (definition_hash), 'changed' as definition_hash "
                    "from intermediate.int_slo__definitions")
    sql = _dbt_run_minutes(copy, tmp_path / "t2")
    # ... from the first day with a request they select, not from the beginning of time.
    first_day = min(r[3] for r in before)
    assert f"requested_at >= cast('{first_day} 00:00:00'" in sql
    with duckdb.connect(str(copy), read_only=True) as con:
        after = con.execute(f"select slo_id, minute_at, valid_events, good_events from {table} "
                            "order by slo_id, minute_at").fetchall()
        hashes = {r[0] for r in con.execute(f"select distinct definition_hash from {table}")
                  .fetchall()}
    assert after == [(r[1], r[2], r[4], r[5]) for r in before]
    assert hashes == {"changed"}


def test_an_slo_without_traffic_does_not_recompute_history(
    demo_paths: Paths, tmp_path: Path
) -> None:
    """An SLO whose routes have no request yet leaves the daily run at the last day; when its
    first requests arrive, they are counted, as a full build counts them."""
    minutes, routes = "intermediate.int_slo__sli_minute", "intermediate.int_slo__request_routes"
    snapshot = f"select * from {minutes} order by slo_id, minute_at"
    copy, before = _copy_with_rows(demo_paths, tmp_path, snapshot)
    last_day = max(r[3] for r in before)
    with duckdb.connect(str(copy)) as con:
        con.execute("insert into intermediate.int_slo__definitions select * replace "
                    "('quiet' as slo_id, 'quiet-hash' as definition_hash) "
                    "from intermediate.int_slo__definitions where slo_id = 'signup-availability'")
        con.execute("insert into raw.slo_selectors values "
                    "('quiet', 'signup-service', '/api/coming-soon%', null)")
    sql = _dbt_run_minutes(copy, tmp_path / "t1")
    assert f"requested_at >= cast('{last_day} 00:00:00'" in sql
    with duckdb.connect(str(copy)) as con:
        assert con.execute(snapshot).fetchall() == before
        # The route goes live on the last day: 40 of that day's signups use it.
        con.execute(f"""insert into raw.requests select * replace ('/api/coming-soon' as route)
            from raw.requests where service = 'signup-service' and route = '/api/signup'
                and status < 300 and cast("timestamp" as date) = '{last_day}'
            order by "timestamp" limit 40""")
    _dbt_run(copy, tmp_path / "t2", "int_slo__request_routes")
    sql = _dbt_run_minutes(copy, tmp_path / "t3")
    assert f"requested_at >= cast('{last_day} 00:00:00'" in sql
    with duckdb.connect(str(copy), read_only=True) as con:
        incremental = con.execute(snapshot).fetchall()
        route_rows = con.execute(f"select * from {routes} order by request_route_id").fetchall()
    quiet = [r for r in incremental if r[1] == "quiet"]
    assert sum(r[4] for r in quiet) == 40 and {r[3] for r in quiet} == {last_day}
    _dbt_run(copy, tmp_path / "full-routes", "int_slo__request_routes", "--full-refresh")
    _dbt_run(copy, tmp_path / "full-minutes", "int_slo__sli_minute", "--full-refresh")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(snapshot).fetchall() == incremental
        assert con.execute(f"select * from {routes} order by request_route_id").fetchall() == (
            route_rows)


def test_changed_counting_rules_recompute_every_slo(demo_paths: Paths, tmp_path: Path) -> None:
    """Excluding one more status (a config change shared by all SLOs) recomputes their history
    on the next incremental run, as a full build would."""
    minutes = "intermediate.int_slo__sli_minute"
    snapshot = f"select * from {minutes} order by slo_id, minute_at"
    copy, before = _copy_with_rows(demo_paths, tmp_path, snapshot)
    bundle = load_slos(load_config(demo_paths.config))
    settings = replace(bundle.settings,
                       excluded_statuses=(*bundle.settings.excluded_statuses, 503))
    with duckdb.connect(str(copy)) as con:
        write_slo_tables(con, replace(bundle, settings=settings))
    _dbt_run(copy, tmp_path / "definitions", "int_slo__definitions")
    incremental = _incremental_equals_full(copy, tmp_path / "minutes", "int_slo__sli_minute",
                                           snapshot)
    assert sum(r[4] for r in incremental) < sum(r[4] for r in before)
    assert {r[7] for r in incremental}.isdisjoint({r[7] for r in before})


def _yesterday_then_today(copy: Path, tmp_path: Path, model: str, snapshot: str) -> str:
    """Build `model` on the SLI minutes without their last 36 hours (yesterday's run), put the
    minutes back and compile today's incremental run. Returns the compiled SQL; the run itself
    is left to the caller. Asserts the earliest minute it recomputes is the earliest of the SLOs'
    last days with traffic yesterday."""
    minutes = "intermediate.int_slo__sli_minute"
    with duckdb.connect(str(copy)) as con:
        con.execute(f"create or replace table main.saved_minutes as select * from {minutes}")
        con.execute(f"delete from {minutes} where minute_at >= "
                    f"(select max(minute_at) - interval 36 hour from {minutes})")
        resume_day = con.execute(
            f"select min(d) from (select cast(max(minute_at) as date) as d from {minutes} "
            "group by slo_id)").fetchone()[0]
    _dbt_run(copy, tmp_path / "yesterday", model, "--full-refresh")
    with duckdb.connect(str(copy)) as con:
        con.execute(f"delete from {minutes}")
        con.execute(f"insert into {minutes} select * from main.saved_minutes")
    sql = _dbt_run(copy, tmp_path / "today", model, command="compile")
    with duckdb.connect(str(copy), read_only=True) as con:
        first = con.execute(f"select min({snapshot}) from ({sql})").fetchone()[0]
    assert first.date() == resume_day
    return sql


def _incremental_equals_full(copy: Path, target: Path, model: str, snapshot: str) -> list:
    """Run `model` incrementally, then rebuild it whole: both give the same rows (returned)."""
    _dbt_run(copy, target / "incremental", model)
    with duckdb.connect(str(copy), read_only=True) as con:
        incremental = con.execute(snapshot).fetchall()
    _dbt_run(copy, target / "full", model, "--full-refresh")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(snapshot).fetchall() == incremental
    return incremental


def test_burn_rates_are_incremental(demo_paths: Paths, tmp_path: Path) -> None:
    """A daily run recomputes the burn rates from the last day with traffic only, and gives the
    rows a full build gives; a changed target recomputes that SLO's whole history."""
    rates, minutes = "marts.slo_burn_rates", "intermediate.int_slo__sli_minute"
    snapshot = f"select * from {rates} order by slo_id, minute_at"
    copy, full = _copy_with_rows(demo_paths, tmp_path, snapshot)
    sql = _yesterday_then_today(copy, tmp_path, "slo_burn_rates", "minute_at")
    with duckdb.connect(str(copy), read_only=True) as con:
        last, slos = con.execute(
            f"select max(minute_at), count(distinct slo_id) from ({sql})").fetchone()
    assert (last, slos) == (full[-1][2], 5)
    _dbt_run(copy, tmp_path / "t1", "slo_burn_rates")
    with duckdb.connect(str(copy)) as con:
        assert con.execute(snapshot).fetchall() == full
        # A changed target, and a new SLO that selects no traffic.
        con.execute("update intermediate.int_slo__definitions set target = 0.98 "
                    "where slo_id = 'checkout-availability'")
        con.execute("insert into intermediate.int_slo__definitions select * replace "
                    "('quiet' as slo_id) from intermediate.int_slo__definitions "
                    "where slo_id = 'signup-availability'")
    incremental = _incremental_equals_full(copy, tmp_path / "t2", "slo_burn_rates", snapshot)
    with duckdb.connect(str(copy), read_only=True) as con:
        summary = con.execute(
            f"select slo_id, min(target), max(target), count(*), sum(valid_events) from {rates} "
            "where slo_id in ('checkout-availability', 'quiet') group by 1 order by 1").fetchall()
    minutes_per_slo = len(full) // 5
    assert [r[:4] for r in summary] == [("checkout-availability", 0.98, 0.98, minutes_per_slo),
                                        ("quiet", 0.99, 0.99, minutes_per_slo)]
    assert summary[1][4] == 0
    assert incremental != full
    # The SLO without traffic, now in the table, resumes with the others on the next day.
    _yesterday_then_today(copy, tmp_path / "quiet", "slo_burn_rates", "minute_at")
    # The history's first minute moves later: the minutes before it go, the rest is rebuilt.
    with duckdb.connect(str(copy)) as con:
        con.execute(f"delete from {minutes} where minute_at < "
                    f"(select min(minute_at) + interval 1 day from {minutes})")
    incremental = _incremental_equals_full(copy, tmp_path / "t3", "slo_burn_rates", snapshot)
    assert len(incremental) < 6 * minutes_per_slo


def test_sli_slices_are_incremental(demo_paths: Paths, tmp_path: Path) -> None:
    """The same for the time slices; changed time slices recompute that SLO's whole history."""
    slices = "intermediate.int_slo__sli_slices"
    snapshot = f"select * from {slices} order by slo_id, slice_start_at"
    copy, full = _copy_with_rows(demo_paths, tmp_path, snapshot)
    _yesterday_then_today(copy, tmp_path, "int_slo__sli_slices", "slice_start_at")
    _dbt_run(copy, tmp_path / "t1", "int_slo__sli_slices")
    with duckdb.connect(str(copy)) as con:
        assert con.execute(snapshot).fetchall() == full
        con.execute("update intermediate.int_slo__definitions set time_slice_minutes = 5 "
                    "where slo_id = 'checkout-latency'")
    incremental = _incremental_equals_full(copy, tmp_path / "t2", "int_slo__sli_slices", snapshot)
    with duckdb.connect(str(copy), read_only=True) as con:
        minutes = con.execute(f"select distinct time_slice_minutes from {slices} "
                              "where slo_id = 'checkout-latency'").fetchall()
    assert minutes == [(5,)]
    assert len(incremental) < len(full)


def test_dbt_unit_tests_cover_the_slo_math() -> None:
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    names = {u["name"] for u in manifest.get("unit_tests", {}).values()}
    for expected in (
        "error_budget_daily_reference_values_occurrences",
        "error_budget_daily_timeslices_reference_two_weeks",
        "error_budget_daily_timeslices_vs_occurrences_same_data",
        "error_budget_daily_no_data_and_100_percent_target",
        "int_slo__alert_rules_factors_by_period",
        "int_slo__daily_windows_calendar_vs_rolling",
    ):
        assert expected in names  # they run (and must pass) in the demo fixture's dbt build
