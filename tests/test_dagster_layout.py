"""The Dagster code location: domains from orchestration/defs/, loaded lazily, with the groups,
sensor, schedules, freshness and reject-rate checks and the weekly-partitioned review page."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.assets.review import PAGE_KEY, build_weekly_review_page, weekly_partitions
from orchestration.automation.checks import build_reject_rate_check
from orchestration.pipeline import failure_messages, use_paths
from orchestration.resources import WarehouseResource
from reliability.config import ConfigError, load_config
from reliability.config.automation import automation_settings
from reliability.ingest.contract import DATASETS
from reliability.settings import CONFIG_VAR, DEFAULTS, PROJECT_ROOT, Paths

RAW = [dg.AssetKey(["raw", d]) for d in DATASETS]


def _warehouse(paths: Paths) -> WarehouseResource:
    return WarehouseResource(
        database=str(paths.warehouse),
        landing_path=str(paths.landing),
        config_path=str(paths.config),
    )


def _config_with(tmp_path: Path, automation: dict) -> Path:
    raw = yaml.safe_load(DEFAULTS[CONFIG_VAR].read_text())
    raw["automation"] = automation
    raw["slo"]["folder"] = str(DEFAULTS[CONFIG_VAR].parent / raw["slo"].get("folder", "slos"))
    path = tmp_path / "reliability.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


# --- what the code location shows ---------------------------------------------------------------


def test_definitions_show_groups_sensor_schedules_checks_and_partitioned_page() -> None:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"raw", "config", "slo", "dora", "business", "review", "staging", "serving"} <= groups
    assert "default" not in groups
    assert defs.resolve_sensor_def("landing_files") is not None
    assert {s.name for s in defs.schedules or []} == {"refresh", "weekly_review"}

    # a reject-rate check on every raw dataset
    for key in RAW:
        assert dg.AssetCheckKey(key, "reject_rate") in graph.get(key).check_keys
    # freshness policies on raw requests and deployments, from the config (defaults here)
    hours = automation_settings(load_config(DEFAULTS[CONFIG_VAR])).freshness_hours
    for dataset, window in (("requests", hours.requests), ("deployments", hours.deployments)):
        policy = graph.get(dg.AssetKey(["raw", dataset])).freshness_policy
        assert policy.fail_window.to_timedelta() == timedelta(hours=window)
    assert graph.get(dg.AssetKey(["raw", "changes"])).freshness_policy is None

    # the page: one partition per ISO week, keyed by its Monday, in review.timezone
    page = graph.get(PAGE_KEY).partitions_def
    assert isinstance(page, dg.WeeklyPartitionsDefinition)
    assert page.timezone == "Europe/Berlin"
    keys = page.get_partition_keys(datetime(2026, 11, 25, tzinfo=ZoneInfo("Europe/Berlin")))
    assert keys[0] == "2024-01-01" and keys[-1] == "2026-11-16"  # 2024-W01 .. 2026-W47
    assert all(datetime.fromisoformat(k).weekday() == 0 for k in keys)


def test_importing_reads_no_config_and_loading_does() -> None:
    """Importing orchestration.definitions reads no config and imports no dbt assets (which need
    the manifest); calling the @dg.definitions function does both."""
    code = (
        "import sys\n"
        "import reliability.config as c\n"
        "calls = []\n"
        "real = c.load_config\n"
        "c.load_config = lambda p: calls.append(p) or real(p)\n"
        "import orchestration.definitions as d\n"
        "assert calls == [], calls\n"
        "assert 'orchestration.assets.dbt' not in sys.modules\n"
        "d.defs()\n"
        "assert calls, 'loading read no config'\n"
        "assert 'orchestration.assets.dbt' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_missing_manifest_says_to_prepare(tmp_path: Path) -> None:
    from orchestration.defs.dbt import ManifestMissing, require_manifest

    with pytest.raises(ManifestMissing, match="reliability prepare"):
        require_manifest(tmp_path / "manifest.json")


def test_crons_and_thresholds_come_from_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.definitions import build_definitions

    config = _config_with(
        tmp_path,
        {"refresh_cron": "*/15 * * * *", "freshness_hours": {"requests": 6},
         "review_first_week": "2026-W40"},
    )
    monkeypatch.setenv(CONFIG_VAR, str(config))
    defs = build_definitions()
    assert defs.resolve_schedule_def("refresh").cron_schedule == "*/15 * * * *"
    graph = defs.resolve_asset_graph()
    policy = graph.get(dg.AssetKey(["raw", "requests"])).freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(hours=6)
    assert graph.get(PAGE_KEY).partitions_def.start.date().isoformat() == "2026-09-28"

    monkeypatch.setenv(CONFIG_VAR, str(_config_with(tmp_path, {"refresh_cron": "hourly"})))
    with pytest.raises(ConfigError, match=r"automation\.refresh_cron"):
        build_definitions()
    monkeypatch.setenv(CONFIG_VAR, str(_config_with(tmp_path, {"max_reject_rate": 1.5})))
    with pytest.raises(ConfigError, match=r"automation\.max_reject_rate"):
        build_definitions()


def test_connectors_feed_the_raw_datasets_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.definitions import build_definitions

    config = _config_with(tmp_path, {})
    raw = yaml.safe_load(config.read_text())
    raw["connectors"] = {"pagerduty": {"token_env": "PD_TOKEN",
                                       "services": {"P1": "checkout-api"}}}
    config.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv(CONFIG_VAR, str(config))
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey(["connectors", "pagerduty"]) in graph.get(
        dg.AssetKey(["raw", "incidents"])
    ).parent_keys
    assert not graph.get(dg.AssetKey(["raw", "deployments"])).parent_keys
    job = defs.resolve_job_def("connectors")
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == {
        "connectors/pagerduty", "raw/incidents"}
    assert defs.resolve_schedule_def("connectors").cron_schedule == "15 * * * *"


# --- the reject-rate check -------------------------------------------------------------------


def _load_raw_with_checks(paths: Paths, datasets: list[str]) -> dg.ExecuteInProcessResult:
    """Materialize the raw assets of `datasets` with their reject-rate checks, as a run does."""
    from orchestration.assets.raw import build_raw_asset

    use_paths(paths)
    return dg.materialize(
        [*(build_raw_asset(d) for d in datasets), *(build_reject_rate_check(d) for d in datasets)],
        resources={"warehouse": _warehouse(paths)},
        raise_on_error=False,
    )


def _evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}


def test_reject_rate_check_fails_on_a_file_with_many_bad_rows(paths: Paths) -> None:
    folder = paths.landing / "deployments"
    folder.mkdir(parents=True)
    good = [f"d{i},checkout-api,production,success,2026-03-02T10:{i:02d}:00Z" for i in range(8)]
    bad = [f"b{i},checkout-api,production,maybe,2026-03-02T11:{i:02d}:00Z" for i in range(2)]
    (folder / "d.csv").write_text(
        "deployment_id,service,environment,status,finished_at\n" + "\n".join(good + bad) + "\n"
    )
    result = _load_raw_with_checks(paths, ["deployments"])
    assert result.success, failure_messages(result)  # a failed check does not fail the run
    check = _evaluations(result)["deployments"]
    assert not check.passed
    meta = {k: v.value for k, v in check.metadata.items()}
    assert (meta["rows_read"], meta["rows_rejected"]) == (10, 2)
    assert meta["reject_rate"] == pytest.approx(0.2) and meta["max_reject_rate"] == 0.1
    assert "2 of 10 rows rejected (20.0%) above the limit of 10.0%" in check.description
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM raw.rejects WHERE dataset = 'deployments'"
        ).fetchone()[0] == 2


def test_reject_rate_check_passes_on_the_demo_and_follows_the_threshold(
    paths: Paths, tmp_path: Path
) -> None:
    from reliability.demo import generate_demo

    # `reliability demo`'s 12 weeks (its two bad incident rows are 7% of 28); few requests
    summary = generate_demo(paths.landing, weeks=12, end=date(2026, 11, 23), seed=7, scale=0.02)
    assert sum(summary.malformed.values()) > 0  # the demo does contain bad rows
    result = _load_raw_with_checks(paths, list(DATASETS))
    assert result.success, failure_messages(result)
    checks = _evaluations(result)
    assert set(checks) == set(DATASETS)
    rates = {d: c.metadata["reject_rate"].value for d, c in checks.items()}
    assert all(c.passed for c in checks.values()), rates
    assert any(rate > 0 for rate in rates.values())  # passing with rejects, not for lack of them

    # the same load against a threshold below its rate fails (read when the check runs)
    worst = max(rates, key=lambda d: rates[d])
    strict = Paths(
        landing=paths.landing,
        warehouse=tmp_path / "strict" / "reliability.duckdb",
        config=_config_with(tmp_path, {"max_reject_rate": rates[worst] / 2}),
    )
    again = _evaluations(_load_raw_with_checks(strict, [worst]))[worst]
    assert not again.passed


# --- the weekly-partitioned page -------------------------------------------------------------


def test_page_materialized_for_a_partition(
    demo_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reliability.review.data import load_review
    from reliability.review.render import render_markdown

    monkeypatch.setenv("RELIABILITY_REPORTS", str(tmp_path))
    page = build_weekly_review_page(weekly_partitions(timezone="Europe/Berlin"))
    result = dg.materialize(
        [page], partition_key="2026-11-09", resources={"warehouse": _warehouse(demo_paths)}
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("reports__weekly_review")
    assert mat.partition == "2026-11-09"
    assert mat.metadata["week"].value == "2026-W46"
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as con:
        expected = render_markdown(load_review(con, date(2026, 11, 9)))
    assert (tmp_path / "weekly-review-2026-W46.md").read_text() == expected

    # a partition without data, or a run config week that disagrees, fails with the reason
    empty = dg.materialize(
        [page], partition_key="2024-01-01", resources={"warehouse": _warehouse(demo_paths)},
        raise_on_error=False,
    )
    assert not empty.success
    assert "No review data for 2024-W01" in " ".join(failure_messages(empty))
    clash = dg.materialize(
        [page], partition_key="2026-11-09", resources={"warehouse": _warehouse(demo_paths)},
        run_config={"ops": {"reports__weekly_review": {"config": {"week": "2026-W45"}}}},
        raise_on_error=False,
    )
    assert not clash.success
    assert "disagree" in " ".join(failure_messages(clash))


def test_weekly_schedule_run_writes_the_week_just_closed(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schedule's run request (a partition of reliability_everything) executed as the daemon
    would: it loads, builds and writes that week's page."""
    from orchestration.definitions import build_definitions
    from reliability.demo import generate_demo

    generate_demo(paths.landing, weeks=2, end=date(2026, 11, 23), seed=7, scale=0.05)
    use_paths(paths)
    monkeypatch.setenv("RELIABILITY_REPORTS", str(tmp_path / "reports"))
    defs = build_definitions(_warehouse(paths))
    schedule = defs.resolve_schedule_def("weekly_review")
    tick = datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    (request,) = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick,
                                  repository_def=defs.get_repository_def())
    ).run_requests
    assert request.partition_key == "2026-11-16"
    job = defs.resolve_job_def(request.job_name or "reliability_everything")
    result = job.execute_in_process(
        partition_key=request.partition_key, tags=request.tags,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success, failure_messages(result)
    (mat,) = result.asset_materializations_for_node("reports__weekly_review")
    assert mat.partition == "2026-11-16" and mat.metadata["week"].value == "2026-W47"
    assert (tmp_path / "reports" / "weekly-review-2026-W47.html").exists()
