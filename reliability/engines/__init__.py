"""Choosing the engine that runs the dbt models: DuckDB (default), Spark or PostgreSQL.

Raw data is always loaded and validated in the DuckDB warehouse (reliability/ingest). After
each load the extract assets call `publish_load` / `publish_tables`, which hand the new batch on:
to the Parquet lake when one is configured (the Spark target reads its sources there), and into
PostgreSQL's raw schema when PostgreSQL is the target. dbt then builds the models on the target
named by RELIABILITY_TARGET (dbt_project/profiles.yml).

Settings, first found wins: the `--target` flag; the RELIABILITY_TARGET / RELIABILITY_LAKE
environment variables; the config file's `engine:` section (`target`, `lake`, a lake path being
relative to the config file); the defaults (duckdb; for spark, the lake `data/lake`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from reliability.engines.lake import Lake, sync_table, write_snapshot
from reliability.ingest.contract import DATASETS
from reliability.settings import LAKE_VAR, Paths

TARGET_VAR = "RELIABILITY_TARGET"
SPARK_DIR_VAR = "RELIABILITY_SPARK_DIR"
TARGETS = ("duckdb", "spark", "postgres")
DEFAULT_TARGET = "duckdb"

# Raw tables loaded in batches, and the column holding each row's load time.
BOOKKEEPING = {"rejects": "rejected_at", "loaded_files": "loaded_at"}

Say = Callable[[str], None]


class TargetError(ValueError):
    """An unknown target or an incomplete engine setting."""


def engine_section(config_raw: dict[str, Any] | None) -> dict[str, Any]:
    """The config file's optional `engine:` mapping."""
    section = (config_raw or {}).get("engine") or {}
    if not isinstance(section, dict):
        raise TargetError("config key 'engine': expected a mapping with target and lake")
    return section


def resolve_target(flag: str | None = None, config_raw: dict[str, Any] | None = None) -> str:
    """The target: the flag, else RELIABILITY_TARGET, else engine.target, else duckdb."""
    target = (
        flag
        or os.environ.get(TARGET_VAR)
        or engine_section(config_raw).get("target")
        or DEFAULT_TARGET
    )
    if target not in TARGETS:
        raise TargetError(f"unknown target {target!r}: expected one of {', '.join(TARGETS)}")
    return target


def resolve_lake(
    target: str, paths: Paths, config_raw: dict[str, Any] | None = None
) -> str | None:
    """The lake URL: RELIABILITY_LAKE, else engine.lake, else <data>/lake for spark, else none."""
    value = paths.lake or os.environ.get(LAKE_VAR) or engine_section(config_raw).get("lake")
    if value:
        value = str(value)
        if "://" not in value:
            value = str((paths.config.parent / Path(value).expanduser()).resolve())
        return value
    if target == "spark":
        return str(paths.default_lake)
    return None


def activate(target: str, paths: Paths, config_raw: dict[str, Any] | None = None) -> dict[str, str]:
    """Export the settings of `target` for the assets and for dbt; return what was set."""
    if target not in TARGETS:
        raise TargetError(f"unknown target {target!r}: expected one of {', '.join(TARGETS)}")
    values = {TARGET_VAR: target}
    lake = resolve_lake(target, paths, config_raw)
    if lake:
        values[LAKE_VAR] = lake
    if target == "spark":
        values[SPARK_DIR_VAR] = os.environ.get(SPARK_DIR_VAR) or str(
            paths.warehouse.parent / "spark"
        )
    os.environ.update(values)
    return values


def current_target() -> str:
    """The target the running process was configured for (RELIABILITY_TARGET)."""
    return resolve_target()


def _lake() -> Lake | None:
    lake = Lake.from_env()
    if lake is None and current_target() == "spark":
        raise TargetError(f"the spark target needs a lake: set {LAKE_VAR}")
    return lake


def publish_load(con: duckdb.DuckDBPyConnection, dataset: str, say: Say | None = None) -> None:
    """After loading `dataset` into DuckDB: send its new batches (the dataset's rows, its rejects
    and its loaded-file records) to the lake and/or PostgreSQL, as configured."""
    say = say or (lambda _m: None)
    tables = {DATASETS[dataset].name: "_loaded_at", **BOOKKEEPING}
    lake = _lake()
    if lake is not None:
        for table, time_column in tables.items():
            for path, rows in sync_table(con, lake, table, time_column):
                say(f"lake: wrote {rows} rows of raw.{table} to {path}")
    if current_target() == "postgres":
        from reliability.engines.postgres import connect, sync_batches

        with connect() as pg:
            for table, time_column in tables.items():
                key = DATASETS[table].key if table in DATASETS and DATASETS[table].upsert else None
                n = sync_batches(con, pg, table, time_column, key=key)
                if n:
                    say(f"postgres: copied {n} rows into raw.{table}")


def publish_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], say: Say | None = None
) -> None:
    """After replacing whole raw tables (configuration): replace them in the lake and PostgreSQL."""
    say = say or (lambda _m: None)
    tables = list(tables)
    lake = _lake()
    if lake is not None:
        for table in tables:
            path, rows = write_snapshot(con, lake, table)
            say(f"lake: wrote {rows} rows of raw.{table} to {path}")
    if current_target() == "postgres":
        from reliability.engines.postgres import connect, replace_table

        with connect() as pg:
            for table in tables:
                say(f"postgres: replaced raw.{table} ({replace_table(con, pg, table)} rows)")


def describe(target: str) -> str:
    """Where `target` builds the models, for the CLI's progress lines."""
    if target == "spark":
        master = os.environ.get("RELIABILITY_SPARK_MASTER", "local[2]")
        return (f"Spark ({master}; sources from the lake {os.environ.get(LAKE_VAR)}, tables in "
                f"{os.environ.get(SPARK_DIR_VAR)})")
    if target == "postgres":
        from reliability.engines.postgres import connection_params

        p = connection_params()
        return f"PostgreSQL ({p['user']}@{p['host']}:{p['port']}/{p['dbname']})"
    return "DuckDB (the warehouse file)"


def activate_for_cli(flag: str | None, paths: Paths, say: Say) -> str:
    """Resolve the target from the flag, environment and config file; export it; report it."""
    from reliability.config import load_config

    raw = load_config(paths.config).raw
    target = resolve_target(flag, raw)
    activate(target, paths, raw)
    say(f"Engine: {describe(target)}")
    return target


def default_selection(target: str) -> str | None:
    """What a full run materializes on `target`: everything on DuckDB; elsewhere everything but
    the serving copy, which copies the marts out of the DuckDB warehouse (where the other
    engines do not build them: they serve their marts themselves)."""
    return None if target == DEFAULT_TARGET else "not group:serving"
