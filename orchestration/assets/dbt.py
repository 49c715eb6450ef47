"""The dbt models (staging, intermediate, marts) as Dagster assets."""

import json
import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ..dbt_project import DBT_PROJECT
from ..resources import WAREHOUSE_POOL, WarehouseResource
from ..settings import WAREHOUSE_VAR

if not DBT_PROJECT.manifest_path.exists():
    raise FileNotFoundError(
        f"dbt manifest not found at {DBT_PROJECT.manifest_path}. Prepare it first with "
        "`reliability prepare` (or `dagster-dbt project prepare-and-package --file "
        "orchestration/dbt_project.py`); `reliability run` and `reliability dev` do it for you."
    )


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, pool=WAREHOUSE_POOL)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build` (models, seeds, data tests and unit tests) against the warehouse file."""
    # dbt's profiles.yml opens env_var('RELIABILITY_WAREHOUSE'): make it the resource's file.
    os.environ[WAREHOUSE_VAR] = str(warehouse.warehouse)
    dbt_vars = json.dumps(warehouse.load_config().dbt_vars())
    yield from dbt.cli(["build", "--vars", dbt_vars], context=context).stream()
