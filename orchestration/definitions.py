"""Dagster Definitions: extract assets, config tables, dbt models, the job and the schedule."""

from __future__ import annotations

import dagster as dg

from .dbt_project import DBT_PROJECT, dbt_resource

DBT_PROJECT.prepare_if_dev()  # only under `dagster dev`; production prepares at build time

from .assets.config_tables import config_tables  # noqa: E402
from .assets.connectors import connector_assets  # noqa: E402
from .assets.dbt import dbt_models  # noqa: E402
from .assets.raw import raw_assets  # noqa: E402
from .assets.review import review_inputs  # noqa: E402
from .resources import WarehouseResource  # noqa: E402

everything_job = dg.define_asset_job(
    name="reliability_everything",
    selection=dg.AssetSelection.all(),
    description="Load new landing files, then build every dbt model and test.",
)

weekly_schedule = dg.ScheduleDefinition(
    name="weekly_review",
    job=everything_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    description="Monday 06:00: materialize everything for the ISO week just closed.",
)


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """The code location; tests pass a WarehouseResource pointing into tmp_path."""
    return dg.Definitions(
        assets=[config_tables, *connector_assets, *raw_assets, review_inputs, dbt_models],
        jobs=[everything_job],
        schedules=[weekly_schedule],
        resources={
            "warehouse": warehouse or WarehouseResource.from_env(),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions()
