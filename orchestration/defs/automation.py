"""Automation across the domains: the `reliability_everything` and `reliability_current` jobs,
the landing-folder sensor and the `refresh` schedule (cron from automation.refresh_cron)."""

from __future__ import annotations

import dagster as dg

from orchestration.automation.current import build_refresh_schedule, current_job, landing_sensor
from orchestration.defs.settings import LoadSettings

EVERYTHING_JOB = "reliability_everything"

everything_job = dg.define_asset_job(
    name=EVERYTHING_JOB,
    selection=dg.AssetSelection.all(),
    description="Fetch (connectors), load new landing files, build every dbt model and test, "
    "publish, and write the review page (of a partition's week, or the week just closed).",
)


def definitions(settings: LoadSettings) -> dg.Definitions:
    return dg.Definitions(
        jobs=[everything_job, current_job],
        schedules=[build_refresh_schedule(settings.automation.refresh_cron, settings.timezone)],
        sensors=[landing_sensor],
    )
