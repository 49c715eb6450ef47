"""Shared fixtures: the dbt manifest prepared once, per-test paths, and one demo warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.dbt_project import prepare_manifest
from reliability.settings import CONFIG_VAR, DEFAULTS, Paths

DEMO_END = date(2026, 11, 23)  # a Monday: fixed so the demo warehouse is the same on every run


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """`dbt parse` once per test session, as the build does before Dagster loads."""
    return prepare_manifest()


def make_paths(root: Path) -> Paths:
    return Paths(
        landing=root / "landing",
        warehouse=root / "warehouse" / "reliability.duckdb",
        config=DEFAULTS[CONFIG_VAR],
    )


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A fresh landing folder and warehouse file under tmp_path, with the repository's config."""
    p = make_paths(tmp_path)
    p.landing.mkdir(parents=True)
    return p


@pytest.fixture(scope="session")
def demo_paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A warehouse built once from small demo data (read-only for the tests that use it)."""
    from orchestration.pipeline import failure_messages, run_pipeline
    from reliability.demo import generate_demo
    from reliability.demo.postmortems import write_demo_postmortems

    p = make_paths(tmp_path_factory.mktemp("demo"))
    generate_demo(p.landing, weeks=6, end=DEMO_END, seed=7, scale=0.1)
    write_demo_postmortems(p.landing)
    result = run_pipeline(p)
    assert result.success, failure_messages(result)
    return p
