"""The weekly review schedule: Monday 06:00 in review.timezone, for the ISO week just closed."""

from __future__ import annotations

import dagster as dg

from reliability.config import ConfigError, load_config
from reliability.review.settings import review_settings
from reliability.review.weeks import week_just_closed, week_label
from reliability.settings import resolve_paths

SCHEDULE_NAME = "weekly_review"
CRON = "0 6 * * 1"


def configured_timezone() -> str:
    """review.timezone of RELIABILITY_CONFIG when the code location loads; UTC if the config
    cannot be read (the config assets report that problem when they run)."""
    try:
        return review_settings(load_config(resolve_paths().config)).timezone
    except (ConfigError, OSError):
        return "UTC"


def build_weekly_schedule(
    job: dg.UnresolvedAssetJobDefinition, timezone: str
) -> dg.ScheduleDefinition:
    """Monday 06:00 in `timezone`: run `job` for the page's partition of the week just closed
    (partition key = its Monday; run key and tag `review_week` = its label, e.g. 2026-W47)."""

    @dg.schedule(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule=CRON,
        execution_timezone=timezone,
        description=f"Monday 06:00 ({timezone}): load, build and test everything, then write the "
        "review of the ISO week just closed (its partition of reports/weekly_review).",
    )
    def _weekly_review(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        moment = context.scheduled_execution_time
        if moment is None:  # evaluated outside a tick (e.g. `dagster schedule preview`)
            from datetime import UTC, datetime

            moment = datetime.now(UTC)
        monday = week_just_closed(moment, timezone)
        week = week_label(monday)
        return dg.RunRequest(
            run_key=week, partition_key=monday.isoformat(), tags={"review_week": week}
        )

    return _weekly_review
