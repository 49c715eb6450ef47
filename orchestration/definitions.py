"""Dagster Definitions: extract assets, config tables, dbt models, the job and the schedule."""

from __future__ import annotations

import dagster as dg

from .dbt_project import DBT_PROJECT, dbt_resource

DBT_PROJECT.prepare_if_dev()  # only under `dagster dev`; production prepares at build time

from .assets.config_tables import config_tables  # noqa: E402
from .assets.connectors import connector_assets  # noqa: E402
from .assets.dbt import dbt_models  # noqa: E402
from .assets.raw import raw_assets  # noqa: E402
from .assets.review import PAGE_OP, review_inputs, weekly_review_page  # noqa: E402
from .assets.serving import serving_copy  # noqa: E402
from .assets.slo import slo_definitions  # noqa: E402
from .automation.current import current_job, landing_sensor, refresh_schedule  # noqa: E402
from .notify.defs import notification_assets  # noqa: E402
from .resources import WarehouseResource  # noqa: E402
from .review.schedule import build_weekly_schedule, configured_timezone  # noqa: E402

everything_job = dg.define_asset_job(
    name="reliability_everything",
    selection=dg.AssetSelection.all(),
    description="Load new landing files, then build every dbt model and test.",
)

# Monday 06:00 in the config's review.timezone; the run config names the ISO week just closed.
weekly_schedule = build_weekly_schedule(everything_job, configured_timezone(), PAGE_OP)


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """The code location; tests pass a WarehouseResource pointing into tmp_path."""
    return dg.Definitions(
        assets=[
            config_tables, *connector_assets, *raw_assets, slo_definitions, review_inputs,
            dbt_models, serving_copy, weekly_review_page, *notification_assets,
        ],
        jobs=[everything_job, current_job],
        schedules=[weekly_schedule, refresh_schedule],
        sensors=[landing_sensor],
        resources={
            "warehouse": warehouse or WarehouseResource.from_env(),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions()
