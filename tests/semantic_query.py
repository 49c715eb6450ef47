"""Run MetricFlow queries through its Python API and print the results as JSON.

Run as a subprocess by tests/test_semantic_layer.py, so that dbt's in-process adapter state stays
out of the test session:

    python tests/semantic_query.py PROJECT_DIR < queries.json > results.json

PROJECT_DIR is a dbt project folder with target/semantic_manifest.json (where MetricFlow looks
for it); profiles.yml is found through DBT_PROFILES_DIR and names the warehouse through
RELIABILITY_WAREHOUSE, as for `mf query`. Each query is {"metrics": [...], "group_by": [...]};
each result is {"columns": [...], "rows": [[...], ...], "sql": "..."}, dates and times as ISO
strings.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "__float__") and not isinstance(value, int | float | bool):
        return float(value)  # Decimal
    return value


def main(project_dir: Path, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    config = CLIConfiguration()
    config.setup(dbt_project_path=project_dir, configure_file_logging=False)
    engine = config.mf
    results = []
    for query in queries:
        result = engine.query(
            MetricFlowQueryRequest.create(
                metric_names=query["metrics"], group_by_names=query.get("group_by") or None
            )
        )
        table = result.result_df
        assert table is not None, query
        results.append(
            {
                "columns": list(table.column_names),
                "rows": [[_cell(v) for v in row] for row in table.rows],
                "sql": result.sql,
            }
        )
    return results


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), json.load(sys.stdin))))
