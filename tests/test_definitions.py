"""The Dagster code location loads, and every warehouse writer is in the one-slot pool."""

from __future__ import annotations

import dagster as dg
import yaml

from orchestration.resources import WAREHOUSE_POOL
from reliability.settings import PROJECT_ROOT


def test_definitions_load_with_job_and_schedule() -> None:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for dataset in ("deployments", "changes", "incidents", "requests", "conversions"):
        assert f"raw/{dataset}" in keys
        assert f"staging/stg_{dataset}" in keys
    assert defs.resolve_job_def("reliability_everything") is not None
    assert defs.resolve_schedule_def("weekly_review").cron_schedule == "0 6 * * 1"


def test_every_asset_writing_the_warehouse_is_in_the_pool() -> None:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        # connector assets write landing files, not the warehouse: they stay out of the pool
        if node.is_materializable and node.group_name != "connectors":
            assert node.pools == {WAREHOUSE_POOL}, key
    instance = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    assert instance["concurrency"]["pools"]["default_limit"] == 1
