"""The dbt models (staging, intermediate, marts) as Dagster assets."""

import json
import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_child import PARENT_VAR
from orchestration.dbt_groups import DomainTranslator
from orchestration.dbt_project import DBT_PROJECT
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.engines import DEFAULT_TARGET, current_target
from reliability.fault_points import fault_point
from reliability.settings import WAREHOUSE_VAR
from reliability.slo.backfill import backfill_start, record_build

if not DBT_PROJECT.manifest_path.exists():
    raise FileNotFoundError(
        f"dbt manifest not found at {DBT_PROJECT.manifest_path}. Prepare it first with "
        "`reliability prepare` (or `dagster-dbt project prepare-and-package --file "
        "orchestration/dbt_project.py`); `reliability run` and `reliability dev` do it for you."
    )


SLI_MINUTES = dg.AssetKey(["intermediate", "int_slo__sli_minute"])


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (`reliability run --full-refresh`, or the launchpad)."""

    full_refresh: bool = False
    """Rebuild the incremental models whole (`dbt build --full-refresh`)."""


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    pool=WAREHOUSE_POOL,
    dagster_dbt_translator=DomainTranslator(),
)
def dbt_models(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
) -> Iterator[Any]:
    """`dbt build` (models, seeds, data tests and unit tests) against the warehouse file."""
    with warehouse.writing():  # one writer per warehouse (reliability/writer_lock.py)
        yield from _build(context, config, dbt, warehouse)


def _build(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
) -> Iterator[Any]:
    # dbt's profiles.yml opens env_var('RELIABILITY_WAREHOUSE'): make it the resource's file.
    os.environ[WAREHOUSE_VAR] = str(warehouse.warehouse)
    cfg = warehouse.load_config()
    dbt_vars = json.dumps(cfg.dbt_vars())
    args = ["build", "--vars", dbt_vars] + (["--full-refresh"] if config.full_refresh else [])
    # A backfill check where the SLO minutes are built, and on DuckDB (other engines:
    # docs/metrics-slo.md, "Requests that arrive late").
    check_backfill = (
        current_target() == DEFAULT_TARGET and SLI_MINUTES in context.selected_asset_keys
    )
    if check_backfill:
        with warehouse.connect() as con:
            backfilled = backfill_start(con)
        if backfilled is not None and not config.full_refresh:
            context.log.info(
                f"requests from {backfilled:%Y-%m-%d %H:%M} were loaded since the last build, "
                "before the days the SLO tables recompute: rebuilding them whole (--full-refresh)"
            )
            args.append("--full-refresh")
    # The dbt launcher (orchestration/dbt_child.py) checks that this process still runs.
    os.environ[PARENT_VAR] = str(os.getpid())
    try:
        invocation = dbt.cli(args, context=context)
    finally:
        os.environ.pop(PARENT_VAR, None)
    for i, event in enumerate(invocation.stream()):
        yield event
        if i == 0:
            fault_point("dbt")  # tests only: kill -9 here while dbt goes on building
    if check_backfill:
        with warehouse.connect() as con:
            record_build(con)
