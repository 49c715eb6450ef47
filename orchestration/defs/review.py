"""Review: postmortems and review settings into raw tables, the weekly-partitioned review page
and the Monday schedule that renders the week just closed."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.review import build_weekly_review_page, review_inputs, weekly_partitions
from orchestration.automation.weekly_review import build_weekly_schedule
from orchestration.defs.automation import everything_job
from orchestration.defs.settings import LoadSettings


def definitions(settings: LoadSettings) -> dg.Definitions:
    partitions = weekly_partitions(settings.automation.review_start, settings.timezone)
    return dg.Definitions(
        assets=[review_inputs, build_weekly_review_page(partitions)],
        schedules=[build_weekly_schedule(everything_job, settings.timezone)],
    )
