"""materialize() of the real asset graph on a tmp_path warehouse, re-runs, and a failing run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import DEMO_END

from orchestration.pipeline import failure_messages, run_pipeline, use_paths
from orchestration.resources import WarehouseResource
from reliability.demo import generate_demo
from reliability.ingest.contract import DATASETS
from reliability.settings import Paths


def _counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'staging', 'intermediate', 'marts') ORDER BY 1"
        ).fetchall()
        views = con.execute(
            "SELECT schema_name || '.' || view_name FROM duckdb_views() "
            "WHERE schema_name = 'staging' ORDER BY 1"
        ).fetchall()
        return {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for (name,) in tables + views
        }


def _materialize(paths: Paths) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import build_definitions

    use_paths(paths)
    defs = build_definitions(
        WarehouseResource(
            warehouse_path=str(paths.warehouse),
            landing_path=str(paths.landing),
            config_path=str(paths.config),
        )
    )
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    return dg.materialize(assets, resources=defs.resources, raise_on_error=False)


@pytest.fixture
def small_demo(paths: Paths) -> Paths:
    generate_demo(paths.landing, weeks=2, end=DEMO_END, seed=3, scale=0.03)
    return paths


def test_materialize_whole_graph_then_rerun_changes_nothing(small_demo: Paths) -> None:
    result = _materialize(small_demo)
    assert result.success, failure_messages(result)
    counts = _counts(small_demo.warehouse)
    for name in DATASETS:
        assert counts[f"raw.{name}"] > 0
        assert counts[f"staging.stg_{name}"] == counts[f"raw.{name}"]
    assert counts["raw.rejects"] > 0  # the demo's malformed rows, kept with reasons

    mats = result.asset_materializations_for_node("raw__requests")
    assert mats[0].metadata["rows_rejected"].value > 0
    assert mats[0].metadata["files_read"].value > 0

    again = _materialize(small_demo)
    assert again.success, failure_messages(again)
    assert _counts(small_demo.warehouse) == counts
    mats = again.asset_materializations_for_node("raw__requests")
    assert mats[0].metadata["files_read"].value == 0


def test_corrupt_landing_file_fails_the_run_and_keeps_the_warehouse(small_demo: Paths) -> None:
    assert run_pipeline(small_demo).success
    before = _counts(small_demo.warehouse)
    bad = small_demo.landing / "incidents" / "broken.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)  # a gzip header, then nothing
    result = run_pipeline(small_demo)
    assert not result.success
    messages = " ".join(failure_messages(result))
    assert "broken.csv.gz" in messages and "Nothing from this load was kept" in messages
    assert _counts(small_demo.warehouse) == before


def test_cli_run_prints_summary(small_demo: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    from reliability.cli.main import main

    use_paths(small_demo)
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "materialized raw/requests" in out
    assert f"Warehouse: {small_demo.warehouse}" in out
    for name in DATASETS:
        assert any(line.startswith(name) for line in out.splitlines())


def test_cli_reports_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reliability.cli.main import main

    config = tmp_path / "bad.yml"
    config.write_text("services: nope\n")
    use_paths(Paths(tmp_path / "landing", tmp_path / "wh.duckdb", config))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "bad.yml" in err and "'services'" in err


def test_requests_older_than_the_slo_window_are_counted(small_demo: Paths) -> None:
    """A request file whose rows fall before the days the incremental SLO tables recompute (an
    older log arriving late) makes the next run rebuild them whole, so the rows are counted."""
    assert _materialize(small_demo).success
    minute = "2026-11-12 12:00:00"
    sql = (
        "SELECT (SELECT coalesce(sum(valid_events), 0) FROM intermediate.int_slo__sli_minute "
        f"WHERE slo_id = 'checkout-availability' AND minute_at = '{minute}'), "
        "(SELECT valid_events FROM marts.slo_burn_rates "
        f"WHERE slo_id = 'checkout-availability' AND minute_at = '{minute}')"
    )
    with duckdb.connect(str(small_demo.warehouse), read_only=True) as con:
        before = con.execute(sql).fetchone()
        assert con.execute("SELECT max(minute_at) FROM intermediate.int_slo__sli_minute"
                           ).fetchone()[0].date().isoformat() > "2026-11-20"
    late = small_demo.landing / "requests" / "late-export.csv"
    late.write_text("timestamp,service,route,status,method,latency_ms,request_id\n" + "".join(
        f"2026-11-12T12:00:{i:02d}Z,checkout-api,/api/cart,200,GET,40,late-{i}\n"
        for i in range(20)))
    result = _materialize(small_demo)
    assert result.success, failure_messages(result)
    with duckdb.connect(str(small_demo.warehouse), read_only=True) as con:
        after = con.execute(sql).fetchone()
        loaded_through, raw_max = con.execute(
            "SELECT (SELECT max(requests_loaded_through_at) FROM raw.slo_build_state), "
            "(SELECT max(_loaded_at) FROM raw.requests)").fetchone()
    assert after == (before[0] + 20, before[1] + 20)
    assert loaded_through == raw_max


def test_full_refresh_rebuilds_the_incremental_tables(small_demo: Paths) -> None:
    """`reliability run --full-refresh` recomputes days an incremental run leaves as they are."""
    assert run_pipeline(small_demo).success
    first = ("SELECT min(minute_at) FROM intermediate.int_slo__sli_minute "
             "WHERE slo_id = 'checkout-availability'")
    sql = ("SELECT valid_events FROM intermediate.int_slo__sli_minute "
           f"WHERE slo_id = 'checkout-availability' AND minute_at = ({first})")
    with duckdb.connect(str(small_demo.warehouse)) as con:
        counted = con.execute(sql).fetchone()[0]
        con.execute("UPDATE intermediate.int_slo__sli_minute "
                    "SET valid_events = valid_events + 1000 "
                    f"WHERE slo_id = 'checkout-availability' AND minute_at = ({first})")
    assert run_pipeline(small_demo).success
    with duckdb.connect(str(small_demo.warehouse), read_only=True) as con:
        assert con.execute(sql).fetchone()[0] == counted + 1000  # an old day: not recomputed
    assert run_pipeline(small_demo, full_refresh=True).success
    with duckdb.connect(str(small_demo.warehouse), read_only=True) as con:
        assert con.execute(sql).fetchone()[0] == counted
