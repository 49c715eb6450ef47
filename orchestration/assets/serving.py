"""Publishing the marts to the read-only serving copy after a successful build."""

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.serving import publish


@dg.asset(
    key=["serving", "reliability"],
    group_name="serving",
    deps=[dbt_models],
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "parquet"},
    description=(
        "Read-only copy of the marts for SQL and BI readers (data/serving/reliability.duckdb) "
        "and Parquet files (data/serving/parquet/<table>.parquet): each publish is a new "
        "version under data/serving/versions/, switched to atomically (docs/faults.md). Runs "
        "only after dbt build (models and their tests) succeeded."
    ),
)
def serving_copy(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Write a complete new serving version and switch to it."""
    with warehouse.writing():  # one publisher at a time, like every writer of the warehouse
        published = publish(warehouse.warehouse, warehouse.serving, context.run.run_id)
    context.log.info(
        f"Published {len(published.tables)} tables to {published.path} "
        f"(version {published.version})"
    )
    return dg.MaterializeResult(
        metadata={
            "path": str(published.path),
            "parquet_dir": str(published.parquet_dir),
            "version": published.version,
            "tables": len(published.tables),
            "row_counts": dg.MetadataValue.json(published.tables),
        }
    )
