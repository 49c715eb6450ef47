"""The same dbt project on Spark (dbt-spark, session) and PostgreSQL gives DuckDB's models.

Each engine gets its own warehouse under tmp_path, loaded from the landing folder of the shared
DuckDB warehouse (conftest.demo_paths: the demo data and its postmortems) and built through the
same Dagster pipeline with `target=...`. Every table model (intermediate and marts) is then read
back from the engine and compared with DuckDB's, row for row, floats within 1e-9 relative.
PostgreSQL is a real server started with initdb / pg_ctl on a free port, built twice (the second
run is the incremental one) and compared after the second run; Spark runs in local mode inside
the dbt process. Without Java or the PostgreSQL server programs the test skips, saying
what is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import local_postgres as lp
import pytest
from conftest import make_paths
from engine_compare import differences

from orchestration.dbt_project import DBT_PROJECT
from orchestration.pipeline import failure_messages, run_pipeline
from reliability.engines.spark import java_available
from reliability.settings import PROJECT_ROOT, Paths


@dataclass
class Build:
    """What an engine built: per relation, its column names and rows (or why it is missing)."""

    engine: str
    success: bool
    failures: list[str]
    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # weekly review Markdown, by file name
    metricflow: dict[str, Any] | None = None  # MetricFlow's DORA-by-service query (PostgreSQL)


def review_pages(paths: Paths) -> dict[str, str]:
    """The weekly review pages (Markdown) a build wrote, by file name."""
    folder = paths.reports
    return {f.name: f.read_text() for f in sorted(folder.glob("weekly-review-*.md"))}


MODELS = Path(__file__).resolve().parents[1] / "dbt_project" / "models"


def table_models() -> list[str]:
    """schema.name of the intermediate and mart models (tables by dbt_project.yml) and of the
    semantic layer's time spine (a table in marts by its config), from the files: known at
    collection time, before the manifest is prepared."""
    return sorted(
        f"{_schema(sql, folder)}.{sql.stem}"
        for folder in ("intermediate", "marts", "semantic")
        for sql in (MODELS / folder).rglob("*.sql")
        if _materialized(sql) in ("table", "incremental")
    )


def _schema(sql: Path, folder: str) -> str:
    """The model's schema: its config(schema=...), else its folder's."""
    m = re.search(r"config\([^)]*\bschema\s*=\s*['\"](\w+)['\"]", sql.read_text())
    return m[1] if m else folder


def _materialized(sql: Path) -> str:
    """The model's materialization: its config(materialized=...), else the folder's (table).
    cross_db_delete_insert_materialization() is incremental (a table on Spark: both compared)."""
    text = sql.read_text()
    if re.search(r"materialized\s*=\s*cross_db_delete_insert_materialization\(\)", text):
        return "incremental"
    m = re.search(r"materialized\s*=\s*['\"](\w+)['\"]", text)
    return m[1] if m else "table"


def manifest_table_models() -> list[str]:
    """schema.name of every model materialized as a table, from the prepared manifest."""
    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    return sorted(
        f"{n['schema']}.{n['alias']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] in ("table", "incremental")
    )


@contextmanager
def environment(extra: dict[str, str]) -> Iterator[None]:
    """Set variables for a build; restore the whole environment afterwards (targets.activate
    exports more)."""
    saved = dict(os.environ)
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def demo_copy(demo: Paths, root: Path) -> Paths:
    """A fresh warehouse under `root` that loads conftest.demo_paths' landing folder (read only:
    the demo config has no connectors, the only writers of landing files). The same files, so
    the same rows, including the landing paths that the postmortem tables keep."""
    return replace(make_paths(root), landing=demo.landing, config=demo.config)


def build(engine: str, paths: Paths, extra_env: dict[str, str]) -> Build:
    with environment(extra_env):
        result = run_pipeline(paths, target=engine)
    return Build(engine, result.success, failure_messages(result), pages=review_pages(paths))


@pytest.fixture(scope="module")
def duckdb_build(demo_paths: Paths) -> Build:
    out = Build("duckdb", True, [], pages=review_pages(demo_paths))
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as con:
        for rel in table_models():
            cur = con.execute(f"SELECT * FROM {rel}")
            out.tables[rel] = ([d[0] for d in cur.description], cur.fetchall())
    return out


@pytest.fixture(scope="module")
def postgres_build(demo_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    missing = lp.missing_programs()
    if missing:
        pytest.skip(f"PostgreSQL server programs not found ({', '.join(missing)}): install "
                    "PostgreSQL (Debian: apt-get install postgresql) to run the engine test")
    import psycopg2

    with lp.local_postgres() as server:
        paths = demo_copy(demo_paths, tmp_path_factory.mktemp("postgres"))
        first = build("postgres", paths, server.env)
        # A second run, as the daily schedule does: no new files, and int_slo__sli_minute runs
        # incrementally (delete+insert of its last day). The tables compared below are the ones
        # after it, so an incremental run that duplicates or loses rows fails the comparison.
        second = build("postgres", paths, server.env)
        out = Build("postgres", first.success and second.success,
                    first.failures + second.failures, pages=second.pages)
        con = psycopg2.connect(host="127.0.0.1", port=server.port, user=lp.USER,
                               dbname=lp.DATABASE)
        try:
            for rel in table_models():
                with con.cursor() as cur:
                    try:
                        cur.execute(f"SELECT * FROM {rel}")
                    except psycopg2.Error:
                        con.rollback()
                        continue
                    out.tables[rel] = ([d[0] for d in cur.description], cur.fetchall())
        finally:
            con.close()
        out.metricflow = metricflow_dora_by_service(
            server.env, tmp_path_factory.mktemp("metricflow-postgres")
        )
        yield out


def metricflow_dora_by_service(server_env: dict[str, str], root: Path) -> dict[str, Any]:
    """The semantic layer on PostgreSQL: a semantic manifest parsed for the postgres target (its
    SQL names PostgreSQL's database), then MetricFlow's DORA-by-service query against the built
    marts (tests/semantic_query.py, as the DuckDB semantic-layer test runs it)."""
    from test_semantic_layer import QUERIES

    env = {
        **os.environ, **server_env, "RELIABILITY_TARGET": "postgres",
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
    }
    project = root / "project"
    project.mkdir()
    (project / "dbt_project.yml").symlink_to(PROJECT_ROOT / "dbt_project.yml")
    (project / "dbt_project").symlink_to(PROJECT_ROOT / "dbt_project")
    dbt = Path(sys.executable).with_name("dbt")
    parsed = subprocess.run(
        [str(dbt), "--quiet", "parse", "--target-path", str(project / "target")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    assert parsed.returncode == 0, parsed.stdout[-2000:] + parsed.stderr[-2000:]
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("semantic_query.py")), str(project)],
        input=json.dumps([QUERIES["dora_service"]]), capture_output=True, text=True,
        env=env, cwd=project, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)[0]


@pytest.fixture(scope="module")
def spark_build(demo_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not java_available():
        pytest.skip("Java not found: Spark needs Java 17 (Debian: apt-get install "
                    "openjdk-17-jre-headless) to run the engine test")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not installed (uv sync installs the dev group)")
    from reliability.engines.spark import local_session, read_table

    paths = demo_copy(demo_paths, tmp_path_factory.mktemp("spark"))
    spark_dir = paths.warehouse.parent / "spark"
    # Data tests run on DuckDB in the main suite and on PostgreSQL here; on Spark each is a Spark
    # job of about a second, so this build is models, seeds and the unit tests (the metric math,
    # where an engine's own semantics, e.g. an aggregate's order, show first).
    out = build("spark", paths, {"DBT_EXCLUDE_RESOURCE_TYPES": "test"})
    spark = local_session(spark_dir)
    try:
        # Read what was built even when some model failed (a failed model must not hide the
        # others: their comparison still runs).
        existing: set[str] = set()
        for schema in ("intermediate", "marts"):
            if spark.catalog.databaseExists(schema):
                existing |= {f"{schema}.{t.name}" for t in spark.catalog.listTables(schema)}
        for rel in table_models():
            if rel in existing:
                out.tables[rel] = read_table(spark, rel)
    finally:
        spark.stop()
    return out


ENGINES = ["postgres", "spark"]


@pytest.fixture(params=ENGINES)
def engine_build(request: pytest.FixtureRequest) -> Build:
    return request.getfixturevalue(f"{request.param}_build")


def test_engine_builds_every_model(engine_build: Build) -> None:
    assert engine_build.success, engine_build.failures


def test_review_page_equals_duckdb(engine_build: Build, duckdb_build: Build) -> None:
    """The weekly review page of a Spark or PostgreSQL run is rendered from that engine's marts
    and reads exactly as the DuckDB run's page of the same week."""
    assert engine_build.pages, f"{engine_build.engine} run wrote no weekly review page"
    for name, markdown in engine_build.pages.items():
        assert name in duckdb_build.pages, f"DuckDB wrote no {name}"
        assert markdown == duckdb_build.pages[name], f"{name} differs on {engine_build.engine}"


def test_metricflow_on_postgres_equals_dora_weekly(
    postgres_build: Build, demo_paths: Paths
) -> None:
    """MetricFlow's metrics on the PostgreSQL marts equal DuckDB's dora_weekly (service scope)."""
    from test_semantic_layer import COUNTS, DORA_COLUMNS, DORA_SQL, _compare, _mart, _records

    assert postgres_build.metricflow is not None
    mf = _records(postgres_build.metricflow, ["service", "metric_time__week"])
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as con:
        mart = _mart(con, DORA_SQL.format(scope="service"), ["scope_name", "week_start"])
    assert _compare(mf, mart, DORA_COLUMNS, COUNTS) > 0


@pytest.mark.parametrize("relation", table_models())
@pytest.mark.parametrize("engine", ENGINES)
def test_model_equals_duckdb(
    engine: str, relation: str, duckdb_build: Build, request: pytest.FixtureRequest
) -> None:
    other: Build = request.getfixturevalue(f"{engine}_build")
    assert relation in other.tables, f"{relation} was not built on {engine}: {other.failures}"
    columns, expected = duckdb_build.tables[relation]
    other_columns, actual = other.tables[relation]
    assert other_columns == columns
    assert expected, f"{relation} is empty on DuckDB: the comparison would prove nothing"
    assert differences(columns, expected, actual) == []


def test_compared_models_are_the_manifests_tables() -> None:
    assert table_models() == manifest_table_models()


def test_every_value_kind_is_compared(duckdb_build: Build) -> None:
    """The demo marts hold the kinds the comparison normalizes (a guard against vacuous checks)."""
    kinds: set[Any] = set()
    for _, rows in duckdb_build.tables.values():
        for row in rows[:50]:
            kinds.update(type(v).__name__ for v in row if v is not None)
    assert {"str", "float", "int", "bool", "datetime", "date"} <= kinds
