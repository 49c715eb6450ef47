"""The summary `reliability run` prints: where the raw tables and the marts are."""

from __future__ import annotations

from pathlib import Path

from reliability.cli.summary import DatasetCounts, format_summary

COUNTS = [DatasetCounts("requests", 2, 1_234_567, 8), DatasetCounts("changes", 1, 10, 0)]
WAREHOUSE = Path("/srv/reliability/warehouse.duckdb")


def test_duckdb_summary_points_at_the_warehouse_for_everything() -> None:
    text = format_summary(COUNTS, WAREHOUSE)
    assert "requests          2    1,234,567         8" in text
    assert f"duckdb -readonly {WAREHOUSE}" in text
    assert "reliability gate" in text


def test_other_engine_summary_names_where_the_marts_are() -> None:
    engine = "PostgreSQL (reliability@db:5432/reliability)"
    text = format_summary(COUNTS, WAREHOUSE, engine)
    assert f"Marts, in the schema/database marts: {engine}" in text
    assert f"Raw tables and rejects: {WAREHOUSE}" in text
    assert "duckdb -readonly" not in text  # the DuckDB file holds no marts on this engine
