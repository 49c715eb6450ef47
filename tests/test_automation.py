"""Automation: the landing sensor requests a run that brings new requests into the burn rates."""

from __future__ import annotations

import gzip
import json
from datetime import date

import dagster as dg
import duckdb

from orchestration.automation.current import CURRENT_JOB, landing_sensor
from orchestration.pipeline import failure_messages, use_paths
from orchestration.resources import WarehouseResource
from reliability.settings import Paths

END = date(2026, 11, 23)  # a Monday: the demo's requests stop before it


def _run_requested(paths: Paths, request: dg.RunRequest) -> None:
    """Execute the run a sensor requested, as the daemon would, against `paths`."""
    from orchestration.definitions import build_definitions

    defs = build_definitions(
        WarehouseResource(
            warehouse_path=str(paths.warehouse),
            landing_path=str(paths.landing),
            config_path=str(paths.config),
        )
    )
    result = defs.resolve_job_def(request.job_name or CURRENT_JOB).execute_in_process(
        run_config=request.run_config or None, instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success, failure_messages(result)


def _evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    return landing_sensor(dg.build_sensor_context(cursor=cursor))


def _new_minutes(paths: Paths) -> int:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM marts.slo_burn_rates WHERE minute_at >= ? "
            "AND slo_id = 'checkout-availability'",
            [END],
        ).fetchone()[0]


def test_sensor_run_brings_new_requests_into_burn_rates(paths: Paths) -> None:
    from reliability.demo import generate_demo

    generate_demo(paths.landing, weeks=1, end=END, seed=7, scale=0.05)
    use_paths(paths)

    first = _evaluate(None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    _run_requested(paths, first.run_requests[0])
    assert _new_minutes(paths) == 0

    # Nothing new: the sensor skips.
    assert isinstance(_evaluate(first.cursor), dg.SkipReason)

    rows = [
        {
            "timestamp": f"2026-11-23T00:{m:02d}:10Z",
            "service": "checkout-api",
            "route": "/api/checkout",
            "method": "GET",
            "status": 200 if m % 3 else 503,
            "latency_ms": 80.0,
            "request_id": f"late-{m}",
        }
        for m in range(10)
    ]
    new_file = paths.landing / "requests" / "checkout-api-2026-11-23.jsonl.gz"
    with gzip.open(new_file, "wt") as out:
        out.write("\n".join(json.dumps(r) for r in rows) + "\n")

    second = _evaluate(first.cursor)
    assert isinstance(second, dg.SensorResult) and len(second.run_requests) == 1
    assert second.cursor != first.cursor
    _run_requested(paths, second.run_requests[0])
    assert _new_minutes(paths) > 0
    assert isinstance(_evaluate(second.cursor), dg.SkipReason)


def test_definitions_have_sensor_and_both_schedules() -> None:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    assert defs.resolve_sensor_def("landing_files").job_name == CURRENT_JOB
    assert defs.resolve_schedule_def("refresh").cron_schedule == "0 * * * *"
    assert defs.resolve_schedule_def("weekly_review").cron_schedule == "0 6 * * 1"
    graph = defs.resolve_asset_graph()
    selected = {
        k.to_user_string()
        for k in defs.resolve_job_def(CURRENT_JOB).asset_layer.selected_asset_keys
    }
    assert "raw/requests" in selected and "marts/slo_burn_rates" in selected
    assert "reports/weekly_review" not in selected
    assert not any(
        graph.get(dg.AssetKey.from_user_string(k)).group_name == "connectors" for k in selected
    )


def test_dbt_assets_are_grouped_by_domain_folder() -> None:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    graph = defs.resolve_asset_graph()
    group = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert group["marts/slo_burn_rates"] == "slo"
    assert group["intermediate/int_slo__sli_minute"] == "slo"
    assert group["staging/stg_requests"] == "staging"
    assert {"dora", "slo", "business", "review"} <= set(group.values())
    assert "default" not in group.values()
