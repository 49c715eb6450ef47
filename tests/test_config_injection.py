"""Config values reach SQL as data: an environment name with quotes is a name, never SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from reliability.settings import DATA_DIR, Paths

INJECTIONS = [
    # on the old main the first counted every deployment as production (exit 0), and the
    # second failed dbt with a parser error
    ["production') or true or ('"],
    ["prod'uction", "production"],
]


@pytest.mark.parametrize("environments", INJECTIONS, ids=["or-true", "quote"])
def test_production_environments_are_data(tmp_path: Path, environments: list[str]) -> None:
    from orchestration.pipeline import failure_messages, run_pipeline
    from reliability.demo import generate_demo

    listed = ", ".join('"' + e.replace('"', '\\"') + '"' for e in environments)
    text = (DATA_DIR / "reliability.yml").read_text()
    text = text.replace("folder: slos", f"folder: {DATA_DIR / 'slos'}")
    text = text.replace("production_environments: [production, prod]",
                        f"production_environments: [{listed}]")
    assert listed in text
    config = tmp_path / "reliability.yml"
    config.write_text(text)
    p = Paths(landing=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", config=config)
    generate_demo(p.landing, weeks=2, end=date(2026, 11, 23), seed=7, scale=0.02)
    result = run_pipeline(p)
    assert result.success, failure_messages(result)
    with duckdb.connect(str(p.warehouse), read_only=True) as con:
        stored = {r[0] for r in con.execute(
            "SELECT environment FROM raw.config_production_environments").fetchall()}
        counted = con.execute(
            "SELECT environment, count(*) FILTER (WHERE is_production), count(*) "
            "FROM staging.stg_deployments GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert stored == set(environments)
    assert len(counted) >= 2  # the demo deploys to more than one environment
    for environment, production, total in counted:
        assert production == (total if environment in environments else 0), environment
