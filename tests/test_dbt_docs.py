"""`dbt docs generate` works on the demo warehouse, and every mart column is documented."""

from __future__ import annotations

import json
import os
import subprocess

from orchestration.dbt_project import DBT_EXECUTABLE, DBT_PROJECT
from reliability.settings import PROJECT_ROOT, WAREHOUSE_VAR, Paths


def test_docs_generate_and_every_mart_column_described(demo_paths: Paths, tmp_path) -> None:
    env = {**os.environ, WAREHOUSE_VAR: str(demo_paths.warehouse)}
    subprocess.run(
        [DBT_EXECUTABLE, "docs", "generate", "--profiles-dir", str(PROJECT_ROOT / "dbt_project"),
         "--target-path", str(tmp_path / "target")],
        cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
    )
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert marts
    for node in marts:
        documented = {c for c, v in node["columns"].items() if v.get("description")}
        in_warehouse = {c.lower() for c in catalog["nodes"][node["unique_id"]]["columns"]}
        assert in_warehouse <= documented, (node["name"], in_warehouse - documented)
    assert {e["name"] for e in manifest["exposures"].values()} >= {"weekly_review", "serving_copy"}


def test_every_metric_definition_is_shown_next_to_a_column() -> None:
    """The {% docs %} blocks (metric definitions) are each rendered into some mart column's
    description, so `dbt docs` shows the definition next to the column."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    blocks = {d["name"]: d["block_contents"].strip() for d in manifest["docs"].values()
              if d["package_name"] == "reliability"}
    expected = {"dora_lead_time", "slo_occurrences", "journey_kpis", "corrective_actions"}
    assert expected <= blocks.keys()
    descriptions = [c.get("description", "") for n in manifest["nodes"].values()
                    if n["resource_type"] == "model" and n["schema"] == "marts"
                    for c in n["columns"].values()]
    unused = [name for name, text in blocks.items() if not any(text in d for d in descriptions)]
    assert not unused, unused
    dora = next(n for n in manifest["nodes"].values() if n["name"] == "dora_weekly")
    assert blocks["dora_lead_time"] in dora["columns"]["lead_time_median_minutes"]["description"]
