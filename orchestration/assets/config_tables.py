"""The configuration file written into the warehouse so dbt models can join on it."""

from __future__ import annotations

import dagster as dg
import duckdb

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.config import ReliabilityConfig
from reliability.engines import publish_tables
from reliability.ingest.raw_tables import replace_raw_tables

CONFIG_TABLES: dict[str, str] = {
    "config_services": "service VARCHAR PRIMARY KEY, team VARCHAR NOT NULL",
    "config_service_routes": "service VARCHAR NOT NULL, route_pattern VARCHAR NOT NULL",
    "config_journeys": "journey VARCHAR PRIMARY KEY, service VARCHAR",
    "config_journey_routes": "journey VARCHAR NOT NULL, route_pattern VARCHAR NOT NULL",
    "config_journey_steps": "journey VARCHAR NOT NULL, step VARCHAR NOT NULL, step_kind VARCHAR",
    "config_production_environments": "environment VARCHAR PRIMARY KEY",
}


def config_rows(cfg: ReliabilityConfig) -> dict[str, list[tuple]]:
    """The rows of each configuration table."""
    steps = []
    for j in cfg.journeys:
        steps += [(j.name, s, "started") for s in j.started_steps]
        steps += [(j.name, s, "completed") for s in j.completed_steps]
    return {
        "config_services": [(s.name, s.team) for s in cfg.services],
        "config_service_routes": [(s.name, r) for s in cfg.services for r in s.routes],
        "config_journeys": [(j.name, j.service) for j in cfg.journeys],
        "config_journey_routes": [(j.name, r) for j in cfg.journeys for r in j.routes],
        "config_journey_steps": steps,
        "config_production_environments": [
            (e,) for e in dict.fromkeys(cfg.production_environments)
        ],
    }


def write_config_tables(con: duckdb.DuckDBPyConnection, cfg: ReliabilityConfig) -> dict[str, int]:
    """Replace the configuration tables in one transaction; return their row counts."""
    return replace_raw_tables(con, CONFIG_TABLES, config_rows(cfg))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", t], group_name="config", kinds={"duckdb"},
                     description=f"raw.{t}: from the RELIABILITY_CONFIG file.")
        for t in CONFIG_TABLES
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def config_tables(warehouse: WarehouseResource):
    """Validate the config file and write its services, journeys and routes into the warehouse."""
    cfg = warehouse.load_config()
    with warehouse.writing(), warehouse.connect() as con:
        counts = write_config_tables(con, cfg)
        publish_tables(con, CONFIG_TABLES)  # lake / PostgreSQL, when configured
    for table, n in counts.items():
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"dagster/row_count": n, "config_file": str(cfg.path)},
        )
