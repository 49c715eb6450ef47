"""Every path comes from one data folder (RELIABILITY_DATA), each overridable, all absolute: a
warehouse elsewhere (RELIABILITY_WAREHOUSE=/tmp/x/wh.duckdb) no longer puts reports and the serving
copy next to its folder (/tmp/reports)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from reliability.engines import resolve_lake
from reliability.settings import DATA_DIR, Paths, resolve_paths

VARS = {
    "landing": "RELIABILITY_LANDING",
    "warehouse": "RELIABILITY_WAREHOUSE",
    "config": "RELIABILITY_CONFIG",
    "reports": "RELIABILITY_REPORTS",
    "serving": "RELIABILITY_SERVING",
}


def test_defaults_are_under_the_repository_data_folder() -> None:
    p = resolve_paths({})
    assert p.data == DATA_DIR
    assert (p.landing, p.warehouse, p.config, p.reports, p.serving) == (
        DATA_DIR / "landing", DATA_DIR / "warehouse" / "reliability.duckdb",
        DATA_DIR / "reliability.yml", DATA_DIR / "reports", DATA_DIR / "serving",
    )
    assert p.lake is None and p.default_lake == DATA_DIR / "lake"


def test_a_warehouse_elsewhere_moves_only_the_warehouse(tmp_path: Path) -> None:
    p = resolve_paths({"RELIABILITY_WAREHOUSE": str(tmp_path / "x" / "wh.duckdb")})
    assert p.warehouse == tmp_path / "x" / "wh.duckdb"
    assert p.reports == DATA_DIR / "reports" and p.serving == DATA_DIR / "serving"
    assert tmp_path / "reports" not in (p.reports, p.serving)


def test_everything_follows_the_data_folder_and_each_variable_wins(tmp_path: Path) -> None:
    data = tmp_path / "d"
    p = resolve_paths({"RELIABILITY_DATA": str(data),
                       "RELIABILITY_WAREHOUSE": str(tmp_path / "x" / "wh.duckdb")})
    assert (p.landing, p.config, p.reports, p.serving, p.default_lake) == (
        data / "landing", data / "reliability.yml", data / "reports", data / "serving",
        data / "lake",
    )
    assert p.warehouse == tmp_path / "x" / "wh.duckdb"
    for field, var in VARS.items():
        own = tmp_path / "own" / field
        assert getattr(resolve_paths({"RELIABILITY_DATA": str(data), var: str(own)}), field) == own


def test_every_path_is_absolute_and_round_trips_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    p = resolve_paths({"RELIABILITY_DATA": "rel", "RELIABILITY_REPORTS": "~/r",
                       "RELIABILITY_LAKE": "lake-here"})
    for value in (p.data, p.landing, p.warehouse, p.config, p.reports, p.serving):
        assert value.is_absolute(), value
    assert p.data == tmp_path / "rel" and p.reports == Path.home() / "r"
    assert p.lake == str(tmp_path / "lake-here")
    assert resolve_paths(p.environment()) == p


def test_paths_built_in_code_keep_everything_by_their_warehouse(tmp_path: Path) -> None:
    p = Paths(tmp_path / "landing", tmp_path / "w" / "wh.duckdb", tmp_path / "c.yml")
    assert (p.data, p.reports, p.serving) == (
        tmp_path / "w", tmp_path / "w" / "reports", tmp_path / "w" / "serving")


def test_spark_lake_defaults_to_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELIABILITY_LAKE", raising=False)
    p = resolve_paths({"RELIABILITY_DATA": str(tmp_path / "d"),
                       "RELIABILITY_WAREHOUSE": str(tmp_path / "x" / "wh.duckdb")})
    assert resolve_lake("spark", p) == str(tmp_path / "d" / "lake")
    assert resolve_lake("duckdb", p) is None


def test_serving_copy_of_a_warehouse_elsewhere_goes_to_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The /tmp/x case end to end: RELIABILITY_WAREHOUSE=<tmp>/x/wh.duckdb with RELIABILITY_DATA
    set publishes into <data>/serving, not <tmp>/serving."""
    from orchestration.assets.serving import serving_copy
    from orchestration.resources import WarehouseResource

    warehouse = tmp_path / "x" / "wh.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS n")
    for var in (*VARS.values(), "RELIABILITY_DATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("RELIABILITY_DATA", str(tmp_path / "d"))
    monkeypatch.setenv("RELIABILITY_WAREHOUSE", str(warehouse))
    resource = WarehouseResource(warehouse_path=str(warehouse), landing_path=str(tmp_path / "l"),
                                 config_path=str(DATA_DIR / "reliability.yml"))
    assert resource.reports == tmp_path / "d" / "reports"
    result = dg.materialize([serving_copy], resources={"warehouse": resource})
    assert result.success
    assert (tmp_path / "d" / "serving" / "reliability.duckdb").is_file()
    assert not (tmp_path / "serving").exists() and not (tmp_path / "reports").exists()
