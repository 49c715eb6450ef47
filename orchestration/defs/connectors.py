"""Connectors: one asset per connector enabled in the config, the datasets each one feeds, and
their own `connectors` job and schedule (fetch, then load what they fetched)."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.connectors import build_connector_assets
from orchestration.defs.settings import LoadSettings
from reliability.config.connectors import ConnectorsConfig

CONNECTORS_JOB = "connectors"
CONNECTORS_SCHEDULE = "connectors"

# The landing datasets each connector kind writes (reliability/connectors/<kind>.py).
FEEDS: dict[str, tuple[str, ...]] = {
    "github": ("deployments", "changes", "incidents"),
    "gitlab": ("deployments", "changes", "incidents"),
    "pagerduty": ("incidents",),
    "fourkeys": ("deployments", "changes", "incidents"),
}


def feeding(connectors: ConnectorsConfig) -> dict[str, list[dg.AssetKey]]:
    """dataset -> the connector assets upstream of raw/<dataset>."""
    upstream: dict[str, list[dg.AssetKey]] = {}
    for kind in connectors.enabled():
        for dataset in FEEDS[kind]:
            upstream.setdefault(dataset, []).append(dg.AssetKey(["connectors", kind]))
    return upstream


def definitions(settings: LoadSettings) -> dg.Definitions:
    assets = build_connector_assets(settings.connectors)
    if not assets:
        return dg.Definitions()
    fed = sorted({d for kind in settings.connectors.enabled() for d in FEEDS[kind]})
    job = dg.define_asset_job(
        name=CONNECTORS_JOB,
        # the connectors, then the raw datasets they feed (and what those raw loads need)
        selection=dg.AssetSelection.groups("connectors")
        | dg.AssetSelection.assets(*(dg.AssetKey(["raw", d]) for d in fed)),
        description="Fetch from the configured APIs into landing files, then load them.",
    )
    schedule = dg.ScheduleDefinition(
        name=CONNECTORS_SCHEDULE,
        job=job,
        cron_schedule=settings.automation.connectors_cron,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"{settings.automation.connectors_cron} ({settings.timezone}): fetch from "
        "the connectors and load what they wrote (automation.connectors_cron).",
    )
    return dg.Definitions(assets=assets, jobs=[job], schedules=[schedule])
