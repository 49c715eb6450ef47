"""The MetricFlow metrics (dbt_project/models/semantic) equal the marts' numbers on the demo.

Every metric is queried through MetricFlow (its Python API in one subprocess, and the `mf query`
CLI once; its compiled SQL also runs on the serving copy) on a copy of the demo warehouse,
grouped by service, team, journey, SLO or nothing, and by metric_time__week, and compared value
by value with the mart row of the same scope and week (dora_weekly, weekly_slo_review,
journey_kpis_weekly, journey_retention_weekly). A (scope, week) missing on one side is a
failure, except the zero-filled quiet weeks of the marts, which MetricFlow leaves out.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.dbt_project import DBT_PROJECT
from reliability.settings import PROJECT_ROOT, WAREHOUSE_VAR, Paths

DORA_METRICS = (
    "deployments",
    "deployment_frequency_per_day",
    "lead_time_median_minutes",
    "change_fail_rate",
    "rework_rate",
    "incidents",
    "time_to_restore_median_minutes",
    "failed_deployment_recovery_median_minutes",
)
# metric -> its dora_weekly column
DORA_COLUMNS = {m: m for m in DORA_METRICS}
# metrics that are counts: a week without rows is 0 in the mart and absent in MetricFlow
COUNTS = {"deployments", "deployment_frequency_per_day", "incidents"}

QUERIES: dict[str, dict[str, list[str]]] = {
    "dora_service": {"metrics": list(DORA_METRICS), "group_by": ["service", "metric_time__week"]},
    "dora_team": {"metrics": list(DORA_METRICS), "group_by": ["team", "metric_time__week"]},
    "dora_all": {"metrics": list(DORA_METRICS), "group_by": ["metric_time__week"]},
    "slo": {
        "metrics": ["sli", "error_budget_remaining"],
        "group_by": ["slo", "slo__service", "metric_time__week"],
    },
    "business_journey": {
        "metrics": ["conversions_started", "conversions_completed", "conversion_rate", "revenue"],
        "group_by": ["journey", "metric_time__week"],
    },
    "business_all": {
        "metrics": ["conversions_started", "conversions_completed", "conversion_rate", "revenue"],
        "group_by": ["metric_time__week"],
    },
    "retention": {
        "metrics": ["retention_rate"],
        "group_by": ["journey", "journey_cohort__return_window_days", "metric_time__week"],
    },
}


def _project_dir(root: Path) -> Path:
    """A dbt project folder for MetricFlow: links to the repository's project, and the semantic
    manifest the session's `dbt parse` wrote (MetricFlow reads target/semantic_manifest.json)."""
    root.mkdir(parents=True)
    (root / "dbt_project.yml").symlink_to(PROJECT_ROOT / "dbt_project.yml")
    (root / "dbt_project").symlink_to(PROJECT_ROOT / "dbt_project")
    (root / "target").mkdir()
    shutil.copy(_manifest(), root / "target" / "semantic_manifest.json")
    return root


def _manifest() -> Path:
    return PROJECT_ROOT / DBT_PROJECT.target_path / "semantic_manifest.json"


def manifest_database() -> str:
    """The DuckDB catalog MetricFlow's SQL names: dbt-duckdb names it after the warehouse file
    RELIABILITY_WAREHOUSE named when the manifest was parsed (reliability.duckdb by default)."""
    manifest = json.loads(_manifest().read_text())
    (database,) = {m["node_relation"]["database"] for m in manifest["semantic_models"]}
    return database


@pytest.fixture(scope="module")
def mf_env(demo_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the demo warehouse (MetricFlow's dbt-duckdb connection opens it for writing),
    named for the catalog the manifest's SQL uses."""
    root = tmp_path_factory.mktemp("semantic")
    warehouse = root / "warehouse" / f"{manifest_database()}.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(demo_paths.warehouse, warehouse)
    env = {
        **os.environ,
        WAREHOUSE_VAR: str(warehouse),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
        "RELIABILITY_TARGET": "duckdb",
    }
    return {"project": _project_dir(root / "project"), "env": env, "root": root}


@pytest.fixture(scope="module")
def results(mf_env: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every query of QUERIES run through MetricFlow's Python API (one subprocess)."""
    names = list(QUERIES)
    runner = Path(__file__).with_name("semantic_query.py")
    done = subprocess.run(
        [sys.executable, str(runner), str(mf_env["project"])],
        input=json.dumps([QUERIES[n] for n in names]),
        capture_output=True,
        text=True,
        env=mf_env["env"],
        cwd=mf_env["project"],
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(zip(names, json.loads(done.stdout), strict=True))


@pytest.fixture(scope="module")
def marts(demo_paths: Paths) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(demo_paths.warehouse), read_only=True)
    yield con
    con.close()


def _records(result: dict[str, Any], keys: list[str]) -> dict[tuple, dict[str, Any]]:
    """MetricFlow rows by their group-by values (weeks as ISO dates)."""
    out: dict[tuple, dict[str, Any]] = {}
    for row in result["rows"]:
        record = dict(zip(result["columns"], row, strict=True))
        key = tuple(str(record[k])[:10] if k == "metric_time__week" else record[k] for k in keys)
        assert key not in out, f"two MetricFlow rows for {key}"
        out[key] = record
    return out


def _mart(con: duckdb.DuckDBPyConnection, sql: str, keys: list[str]) -> dict[tuple, dict]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    out = {}
    for row in cursor.fetchall():
        record = dict(zip(columns, row, strict=True))
        out[tuple(str(record[k]) if k == "week_start" else record[k] for k in keys)] = record
    return out


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


def _compare(
    mf: dict[tuple, dict], mart: dict[tuple, dict], columns: dict[str, str], zero: set[str]
) -> int:
    """Every mart value equals MetricFlow's; a (scope, week) MetricFlow lacks must be a quiet
    week of the mart (counts 0, the rest null). Returns the number of values compared."""
    assert mart, "no mart rows to compare"
    extra = set(mf) - set(mart)
    assert not extra, f"MetricFlow rows that are not in the mart: {sorted(extra)[:5]}"
    mismatches, compared = [], 0
    for key, row in mart.items():
        got = mf.get(key)
        for metric, column in columns.items():
            if got is None:
                expected_absent = 0 if metric in zero else None
                if not _same(row[column], expected_absent):
                    mismatches.append((key, metric, None, row[column]))
                continue
            compared += 1
            if not _same(got[metric], row[column]):
                mismatches.append((key, metric, got[metric], row[column]))
    assert not mismatches, f"{len(mismatches)} differences, e.g. {mismatches[:5]}"
    return compared


DORA_SQL = "SELECT * FROM marts.dora_weekly WHERE scope = '{scope}'"


@pytest.mark.parametrize(
    ("query", "scope", "key"),
    [
        ("dora_service", "service", "service"),
        ("dora_team", "team", "team"),
        ("dora_all", "all", None),
    ],
)
def test_dora_metrics_equal_dora_weekly(
    results: dict, marts: duckdb.DuckDBPyConnection, query: str, scope: str, key: str | None
) -> None:
    mf_keys = ([key] if key else []) + ["metric_time__week"]
    mf = _records(results[query], mf_keys)
    if key == "team":  # deployments without a team: in no team's rows of dora_weekly
        mf = {k: v for k, v in mf.items() if k[0] is not None}
    mart_keys = (["scope_name"] if key else []) + ["week_start"]
    mart = _mart(marts, DORA_SQL.format(scope=scope), mart_keys)
    compared = _compare(mf, mart, DORA_COLUMNS, COUNTS)
    assert compared >= len(mart) // 2 * len(DORA_METRICS)
    # the comparison saw real values: failures, incidents and restore times, not only zeros
    assert any((r["change_fail_rate"] or 0) > 0 for r in mf.values())
    assert any(r["time_to_restore_median_minutes"] is not None for r in mf.values())


def test_slo_metrics_equal_weekly_slo_review(
    results: dict, marts: duckdb.DuckDBPyConnection
) -> None:
    """SLI and remaining budget per SLO and week: the SLO's status on the week's last day."""
    mf = _records(results["slo"], ["slo", "metric_time__week"])
    mart = _mart(
        marts,
        "SELECT slo_id, week_start, service, sli, remaining_fraction FROM marts.weekly_slo_review",
        ["slo_id", "week_start"],
    )
    assert set(mf) == set(mart)
    _compare(mf, mart, {"sli": "sli", "error_budget_remaining": "remaining_fraction"}, set())
    assert all(mf[k]["slo__service"] == mart[k]["service"] for k in mart)
    # the status is the week's last day, not the lowest day of the week: somewhere they differ
    daily_min = marts.execute(
        "SELECT count(*) FROM marts.weekly_slo_review w WHERE w.remaining_fraction > ("
        " SELECT min(h.remaining_fraction) FROM marts.error_budget_status_history h"
        " WHERE h.slo_id = w.slo_id AND date_trunc('week', h.day_date) = w.week_start)"
    ).fetchone()[0]
    assert daily_min > 0


BUSINESS_COLUMNS = {
    "conversions_started": "conversions_started",
    "conversions_completed": "conversions_completed",
    "conversion_rate": "conversion_rate",
    "revenue": "revenue",
}


@pytest.mark.parametrize(
    ("query", "scope"), [("business_journey", "journey"), ("business_all", "all")]
)
def test_business_metrics_equal_journey_kpis_weekly(
    results: dict, marts: duckdb.DuckDBPyConnection, query: str, scope: str
) -> None:
    """Per journey, and for all journeys (the sum of the journeys = the mart's 'all' rows)."""
    keys = ["journey", "metric_time__week"] if scope == "journey" else ["metric_time__week"]
    mf = _records(results[query], keys)
    mart = _mart(
        marts,
        f"SELECT * FROM marts.journey_kpis_weekly WHERE scope = '{scope}'",
        (["journey"] if scope == "journey" else []) + ["week_start"],
    )
    zero = {"conversions_started", "conversions_completed", "revenue"}
    _compare(mf, mart, BUSINESS_COLUMNS, zero)
    assert any((r["revenue"] or 0) > 0 for r in mf.values())


def test_retention_rate_equals_journey_retention_weekly(
    results: dict, marts: duckdb.DuckDBPyConnection
) -> None:
    """Per journey, return window and cohort week, for the complete windows (null otherwise)."""
    keys = ["journey", "journey_cohort__return_window_days", "metric_time__week"]
    mf = _records(results["retention"], keys)
    mart = _mart(
        marts,
        "SELECT * FROM marts.journey_retention_weekly WHERE scope = 'journey'"
        " AND retention_rate IS NOT NULL",
        ["journey", "return_window_days", "week_start"],
    )
    assert set(mf) == set(mart)
    _compare(mf, mart, {"retention_rate": "retention_rate"}, set())
    windows = {k[1] for k in mart}
    assert len(windows) >= 1 and all(0 <= r["retention_rate"] <= 1 for r in mf.values())


def test_mf_query_cli_equals_dora_weekly(
    mf_env: dict[str, Any], marts: duckdb.DuckDBPyConnection
) -> None:
    """The analyst's path: `mf query ... --csv` on the warehouse (docs/semantic-layer.md)."""
    out = mf_env["root"] / "cli.csv"
    mf = Path(sys.executable).with_name("mf")
    done = subprocess.run(
        [
            str(mf), "query", "--metrics", "deployments,change_fail_rate",
            "--group-by", "team,metric_time__week", "--csv", str(out),
        ],
        capture_output=True, text=True, env=mf_env["env"], cwd=mf_env["project"], timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert rows
    mart = _mart(marts, DORA_SQL.format(scope="team"), ["scope_name", "week_start"])
    for row in rows:
        if not row["team"]:
            continue
        expected = mart[(row["team"], row["metric_time__week"][:10])]
        assert int(row["deployments"]) == expected["deployments"]
        assert _same(float(row["change_fail_rate"]), expected["change_fail_rate"])


def serving_sql(sql: str, database: str) -> str:
    """MetricFlow's SQL names the warehouse's tables `"<database>"."marts".<table>`; the serving
    copy (reliability.duckdb, so catalog "reliability") holds them in its `main` schema."""
    return sql.replace(f'"{database}"."marts".', '"reliability"."main".')


@pytest.mark.parametrize("query", ["dora_service", "slo", "retention"])
def test_compiled_sql_runs_on_the_serving_copy(
    results: dict, demo_paths: Paths, query: str
) -> None:
    """A BI tool's path: MetricFlow's compiled SQL, run by the locked-down `reliability sql`
    reader on the read-only serving copy, gives MetricFlow's rows."""
    from reliability.cli.sql import run_query
    from reliability.serving import SERVING_FILE

    sql, database = results[query]["sql"], manifest_database()
    assert f'"{database}"."marts".' in sql and '"marts"' not in serving_sql(sql, database)
    serving = demo_paths.serving / SERVING_FILE
    columns, rows = run_query(serving, serving_sql(sql, database))
    assert columns == results[query]["columns"]

    def normal(row: list | tuple) -> tuple:
        return tuple(
            v.isoformat() if hasattr(v, "isoformat") else round(v, 9) if isinstance(v, float) else v
            for v in row
        )

    expected = sorted((normal(r) for r in results[query]["rows"]), key=repr)
    assert sorted((normal(r) for r in rows), key=repr) == expected
    assert len(expected) > 0
