"""The asset graph (keys, groups, upstream keys, checks, freshness policies, partitions), jobs,
sensors and schedules against a snapshot.

After an intended change, rewrite the snapshot with
`python3 -m uv run python tests/test_asset_graph_snapshot.py` and review its diff.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "fixtures" / "asset_graph.json"


def current_graph() -> dict[str, object]:
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    graph = defs.resolve_asset_graph()
    assets = {
        key.to_user_string(): asset_entry(graph.get(key))
        for key in sorted(graph.get_all_asset_keys())
    }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in defs.jobs or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
        "schedules": sorted(
            f"{s.name}: {s.cron_schedule} {s.execution_timezone}" for s in defs.schedules or []
        ),
    }


def asset_entry(node: Any) -> dict[str, object]:
    """Group and upstream keys; checks (of non-dbt assets), freshness window and partitions where
    there are any."""
    entry: dict[str, object] = {
        "group": node.group_name,
        "upstream": sorted(p.to_user_string() for p in node.parent_keys),
    }
    if node.check_keys and "dbt" not in node.kinds:  # dbt tests: dbt_project, not this snapshot
        entry["checks"] = sorted(k.name for k in node.check_keys)
    if node.freshness_policy is not None:
        entry["freshness_fail_hours"] = (
            node.freshness_policy.fail_window.to_timedelta() / timedelta(hours=1)
        )
    if node.partitions_def is not None:
        entry["partitions"] = str(node.partitions_def)
    return entry


def test_asset_graph_matches_snapshot() -> None:
    assert current_graph() == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    SNAPSHOT.write_text(json.dumps(current_graph(), indent=1, sort_keys=True) + "\n")
