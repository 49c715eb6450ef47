"""The Dagster UI shows the asset groups: dagster-webserver on a free local port, against a tmp
DAGSTER_HOME, asked through its GraphQL endpoint (bounded waits; the server is stopped at the
end)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.settings import PROJECT_ROOT, Paths

STARTUP_SECONDS = 240  # the code location imports Dagster, dbt and the manifest on a busy machine
ASSETS_QUERY = "{ assetNodes { assetKey { path } groupName } }"
LOCATION_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name
  loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def webserver(paths: Paths, tmp_path: Path) -> Iterator[str]:
    """The GraphQL URL of a dagster-webserver serving orchestration.definitions."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RELIABILITY_WAREHOUSE": str(paths.warehouse),
        "RELIABILITY_LANDING": str(paths.landing),
        "RELIABILITY_CONFIG": str(paths.config),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    log = (tmp_path / "webserver.log").open("w")
    proc = subprocess.Popen(
        [str(bin_dir / "dagster-webserver"), "-m", "orchestration.definitions",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


def _wait_for_assets(url: str, log: Path) -> list[dict]:
    """The asset nodes once the code location has loaded; fails with its error or the log."""
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            entries = _graphql(url, LOCATION_QUERY)["data"]["workspaceOrError"]["locationEntries"]
            loaded = entries and all(e["loadStatus"] == "LOADED" for e in entries)
            errors = [e["locationOrLoadError"] for e in entries
                      if e["locationOrLoadError"]
                      and e["locationOrLoadError"]["__typename"] == "PythonError"]
            if errors:
                pytest.fail(f"code location failed to load: {errors[0]['message']}")
            if loaded:
                return _graphql(url, ASSETS_QUERY)["data"]["assetNodes"]
            last = f"location status {[e['loadStatus'] for e in entries]}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(2)
    pytest.fail(f"no code location after {STARTUP_SECONDS} s ({last}); log: "
                f"{log.read_text()[-2000:]}")


def test_ui_shows_the_asset_groups(webserver: str, tmp_path: Path) -> None:
    nodes = _wait_for_assets(webserver, tmp_path / "webserver.log")
    group = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    assert group["raw/requests"] == "raw"
    assert group["marts/slo_burn_rates"] == "slo"
    assert group["marts/fct_deployments"] == "dora"
    assert group["reports/weekly_review"] == "review"
    assert group["serving/reliability"] == "serving"
    assert {"raw", "config", "slo", "dora", "business", "review", "staging", "serving"} <= set(
        group.values()
    )
    assert "default" not in group.values()
