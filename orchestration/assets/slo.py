"""The SLO definitions (OpenSLO files) and the budget policy written into the warehouse."""

from __future__ import annotations

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.engines import publish_tables
from reliability.slo.tables import SLO_TABLES, load_slos, write_slo_tables


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", t],
            group_name="slo",
            kinds={"duckdb"},
            description=f"raw.{t}: from the OpenSLO files and the config's slo: section.",
        )
        for t in SLO_TABLES
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def slo_definitions(warehouse: WarehouseResource):
    """Validate the SLO files (errors name the file, SLO and field) and write raw.slo_*."""
    bundle = load_slos(warehouse.load_config())
    with warehouse.writing(), warehouse.connect() as con:
        counts = write_slo_tables(con, bundle)
        publish_tables(con, SLO_TABLES)  # lake / PostgreSQL, when configured
    for table, n in counts.items():
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"dagster/row_count": n, "slo_folder": str(bundle.settings.folder)},
        )
