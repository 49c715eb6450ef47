"""The asset graph (keys, groups, upstream keys), checks, sensors and schedules against a snapshot.

After an intended change, rewrite the snapshot with
`python3 -m uv run python tests/test_asset_graph_snapshot.py` and review its diff.
"""

from __future__ import annotations

import json
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "fixtures" / "asset_graph.json"


def current_graph() -> dict[str, object]:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {
        key.to_user_string(): {
            "group": graph.get(key).group_name,
            "upstream": sorted(p.to_user_string() for p in graph.get(key).parent_keys),
        }
        for key in sorted(graph.get_all_asset_keys())
    }
    return {
        "assets": assets,
        "sensors": sorted(s.name for s in defs.sensors or []),
        "schedules": sorted(s.name for s in defs.schedules or []),
    }


def test_asset_graph_matches_snapshot() -> None:
    assert current_graph() == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    SNAPSHOT.write_text(json.dumps(current_graph(), indent=1, sort_keys=True) + "\n")
