"""Keep the warehouse current: a sensor on the landing folder and a refresh schedule (hourly by
default, automation.refresh_cron).

Both request runs of `reliability_current`: every asset except the connectors (which fetch on
their own) and the weekly page (the weekly schedule writes it). The raw assets load only new
files and the incremental dbt models recompute only recent days, so a run is a small update.
Nothing is read at import time: the landing folder is resolved when the sensor evaluates.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from reliability.ingest.contract import DATASETS
from reliability.settings import resolve_paths

CURRENT_JOB = "reliability_current"
SENSOR_NAME = "landing_files"
SCHEDULE_NAME = "refresh"
REFRESH_CRON = "0 * * * *"  # hourly: the default of automation.refresh_cron
PAGE_KEY = dg.AssetKey(["reports", "weekly_review"])


def current_selection() -> dg.AssetSelection:
    """Everything that loads and builds the warehouse, without connectors and the weekly page."""
    without = dg.AssetSelection.groups("connectors") | dg.AssetSelection.assets(PAGE_KEY)
    return dg.AssetSelection.all() - without


current_job = dg.define_asset_job(
    name=CURRENT_JOB,
    selection=current_selection(),
    description="Load new landing files and rebuild the models incrementally (no review page).",
)


def landing_fingerprint(landing: Path) -> str:
    """A digest of every landing file's path, size and modification time (new or changed files
    change it); the postmortems folder counts too."""
    entries = []
    for folder in (*DATASETS, "postmortems"):
        root = landing / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            entries.append([str(path.relative_to(landing)), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


@dg.sensor(
    name=SENSOR_NAME,
    job=current_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or changed files in the landing folder: load them and rebuild incrementally.",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """One run per new state of the landing folder (the cursor is its fingerprint)."""
    landing = resolve_paths().landing
    if not landing.is_dir():
        return dg.SkipReason(f"no landing folder at {landing}")
    fingerprint = landing_fingerprint(landing)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed landing files")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)


def build_refresh_schedule(
    cron: str = REFRESH_CRON, timezone: str = "UTC"
) -> dg.ScheduleDefinition:
    """The `refresh` schedule on `cron` (the config's automation.refresh_cron) in `timezone`."""
    return dg.ScheduleDefinition(
        name=SCHEDULE_NAME,
        job=current_job,
        cron_schedule=cron,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"{cron} ({timezone}): load what is new and rebuild the affected models "
        "incrementally (automation.refresh_cron).",
    )


refresh_schedule = build_refresh_schedule()
