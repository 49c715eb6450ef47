"""Ingest: the config tables and one raw asset per dataset, with freshness policies on raw
requests and deployments and a reject-rate check on every raw dataset."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.config_tables import config_tables
from orchestration.assets.raw import raw_assets
from orchestration.automation.checks import build_reject_rate_check, with_freshness
from orchestration.defs.connectors import feeding
from orchestration.defs.settings import LoadSettings
from reliability.ingest.contract import DATASETS


def raw_definitions(settings: LoadSettings) -> list[dg.AssetsDefinition]:
    """The raw assets: downstream of the enabled connectors that feed them, and with the
    configured freshness windows."""
    upstream = feeding(settings.connectors)

    def add_connectors(spec: dg.AssetSpec) -> dg.AssetSpec:
        extra = upstream.get(spec.key.path[-1], [])
        return spec.replace_attributes(deps=[*spec.deps, *extra]) if extra else spec

    fed = list(dg.map_asset_specs(add_connectors, raw_assets))  # type: ignore[arg-type]
    hours = settings.automation.freshness_hours
    return with_freshness(fed, {"requests": hours.requests, "deployments": hours.deployments})


def definitions(settings: LoadSettings) -> dg.Definitions:
    return dg.Definitions(
        assets=[config_tables, *raw_definitions(settings)],
        asset_checks=[build_reject_rate_check(dataset) for dataset in DATASETS],
    )
