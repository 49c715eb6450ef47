"""Connector outputs meet the contract (through the real loader), and the Dagster assets."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml
from connector_fakes import FIXTURES, Sleeps, clock
from pytest_httpserver import HTTPServer
from test_connectors_github import config as github_config
from test_connectors_github import runtime as github_runtime
from test_connectors_github import serve_repo

from orchestration.assets.connectors import build_connector_assets
from orchestration.resources import WarehouseResource
from reliability.config import load_config
from reliability.config.connectors import FourKeysConfig
from reliability.connectors import fourkeys, github
from reliability.connectors.runner import Runtime
from reliability.ingest.loader import connect, load_dataset
from reliability.settings import CONFIG_VAR, DEFAULTS


def test_connector_files_load_through_the_real_loader(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    serve_repo(httpserver)
    [gh] = github.run(github_config(httpserver), github_runtime(landing))
    fk_cfg = FourKeysConfig(paths=(FIXTURES / "fourkeys" / "events_raw.csv",),
                            repositories={"acme/checkout": "checkout-api"})
    [fk] = fourkeys.run(fk_cfg, Runtime(landing=landing, environ={}, sleep=Sleeps(),
                                        clock=clock()))
    assert gh.error is None and fk.error is None

    con = connect(tmp_path / "wh.duckdb")
    results = {ds: load_dataset(con, ds, landing) for ds in ("deployments", "changes", "incidents")}
    assert {ds: (r.rows_rejected, r.table_rows) for ds, r in results.items()} == {
        "deployments": (0, 6), "changes": (0, 5), "incidents": (0, 4)}
    row = con.execute(
        "SELECT status, environment, finished_at::VARCHAR FROM raw.deployments "
        "WHERE deployment_id = 'github:acme/checkout:deployment:1001'").fetchone()
    assert row == ("success", "production", "2026-03-01 09:05:00")
    extra = con.execute("SELECT _extra FROM raw.incidents WHERE incident_id = "
                        "'acme/checkout#50'").fetchone()[0]
    assert '"source":"github"' in extra.replace(" ", "")
    # Running the loader again over the same files changes nothing (checksums).
    again = load_dataset(con, "deployments", landing)
    assert again.files_skipped == len(results["deployments"].files) and not again.files


def _config_with_fourkeys(tmp_path: Path) -> Path:
    raw = yaml.safe_load(DEFAULTS[CONFIG_VAR].read_text())
    raw["connectors"] = {"fourkeys": {
        "paths": [str(FIXTURES / "fourkeys" / "events_raw.jsonl")],
        "repositories": {"acme/checkout": "checkout-api"}}}
    path = tmp_path / "reliability.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_connector_asset_materializes_with_metadata(tmp_path: Path) -> None:
    cfg_path = _config_with_fourkeys(tmp_path)
    assets = build_connector_assets(load_config(cfg_path).connectors)
    assert [a.key.to_user_string() for a in assets] == ["connectors/fourkeys"]
    resource = WarehouseResource(warehouse_path=str(tmp_path / "wh.duckdb"),
                                 landing_path=str(tmp_path / "landing"),
                                 config_path=str(cfg_path))
    result = dg.materialize(assets, resources={"warehouse": resource})
    assert result.success
    [mat] = result.asset_materializations_for_node(assets[0].op.name)
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert meta["rows_fetched"] == 3 + 3 + 2 and meta["rows_deployments"] == 3
    assert {"pages", "requests", "retries", "cursor"} <= set(meta)
    assert "imported_sha256" in meta["cursor"]["fourkeys"]


def test_no_connector_assets_when_the_section_is_absent() -> None:
    assert build_connector_assets(load_config(DEFAULTS[CONFIG_VAR]).connectors) == []
