"""Issue 17.3: each API connector runs through its real Dagster asset with a distinctive fake token
against a local server that answers 401, 500, garbage (not JSON, JSON of the wrong shape, objects
without the keys), an error body echoing the token, and a redirect to another origin. Every answer
echoes all three tokens. Afterwards the token is searched for in the test's stdout and stderr,
every file of the Dagster instance (sqlite event log, run storage, compute logs), every record of
the run's event log, the landing folder, the warehouse file (bytes, and every text column of every
table) and the requests the other origin received: never found. Positive controls show each
search does find a string that is there."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from connector_apis import APIS, echoes
from dagster._serdes import serialize_value
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.assets.connectors import build_connector_assets
from orchestration.assets.raw import raw_assets
from orchestration.resources import WarehouseResource
from reliability.config import load_config
from reliability.settings import CONFIG_VAR, DEFAULTS

ANY = re.compile(r".*")
TOKENS = [api.token for api in APIS.values()]
MODES = ("401", "500", "not-json", "wrong-shape", "missing-keys", "error-echo", "redirect")
RAW = ("deployments", "changes", "incidents")  # the datasets the connectors write


def all_echoes() -> str:
    return " | ".join(echoes(t) for t in TOKENS)


def kind_of(request: Request) -> str:
    if request.path.startswith("/api/v4"):
        return "gitlab"
    return "pagerduty" if request.path.startswith("/incidents") else "github"


def answer(mode: str, request: Request, elsewhere: str) -> Response:
    """The fake API's answer in `mode`, echoing every token."""
    wrapped = APIS[kind_of(request)].items_key is not None
    text = all_echoes()
    if mode in ("401", "error-echo"):
        status = 401 if mode == "401" else 404
        return Response(f'{{"message": {text!r}, "error": {{"message": "{text}"}}}}'
                        .replace("'", '"'), status=status, content_type="application/json")
    if mode == "500":
        return Response(text, status=500, content_type="text/plain")
    if mode == "not-json":
        return Response(f"<html><body>{text}</body></html>", content_type="text/html")
    if mode == "wrong-shape":
        body = f'["{text}"]' if wrapped else f'{{"message": "{text}"}}'
        return Response(body, content_type="application/json")
    if mode == "missing-keys":
        item = f'[{{"note": "{text}"}}]'
        body = f'{{"incidents": {item}, "more": false}}' if wrapped else item
        return Response(body, content_type="application/json")
    assert mode == "redirect"
    return Response(status=302, headers={"Location": elsewhere + request.path})


@pytest.fixture
def other_origin() -> Iterator[HTTPServer]:
    server = HTTPServer(host="localhost")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def write_config(tmp_path: Path, server: HTTPServer) -> Path:
    raw = yaml.safe_load(DEFAULTS[CONFIG_VAR].read_text())
    raw["connectors"] = {
        "max_attempts": 2, "backoff_initial_seconds": 0.01, "backoff_max_seconds": 0.02,
        **{kind: api.yaml_section(server) for kind, api in APIS.items()},
    }
    path = tmp_path / "reliability.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def found_in_files(root: Path, needle: str) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(str(path.relative_to(root)))
    return hits


def found_in_warehouse(path: Path, needle: str) -> int:
    """Rows of any table whose text (every column cast to VARCHAR) contains `needle`."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        hits = 0
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        for schema, table in tables:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()]
            cond = " OR ".join(f'contains(CAST("{c}" AS VARCHAR), ?)' for c in cols)
            hits += con.execute(f'SELECT count(*) FROM "{schema}"."{table}" WHERE {cond}',
                                [needle] * len(cols)).fetchone()[0]
        return hits
    finally:
        con.close()


def event_log_text(instance: dg.DagsterInstance) -> str:
    """Every event of every run, serialized as the event log stores it."""
    return "\n".join(
        serialize_value(entry)
        for run in instance.get_runs()
        for entry in instance.all_logs(run.run_id)
    )


@pytest.mark.parametrize("mode", MODES)
def test_the_token_is_never_written_anywhere(
    mode: str, httpserver: HTTPServer, other_origin: HTTPServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    for api in APIS.values():
        monkeypatch.setenv(api.token_env, api.token)
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    httpserver.expect_request(ANY).respond_with_handler(
        lambda r: answer(mode, r, other_origin.url_for("").rstrip("/")))
    other_origin.expect_request(ANY).respond_with_handler(lambda r: answer("401", r, ""))
    cfg_path = write_config(tmp_path, httpserver)
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse" / "w.duckdb"
    landing.mkdir()
    warehouse.parent.mkdir()

    connectors = build_connector_assets(load_config(cfg_path).connectors)
    raw = [a for a in raw_assets if a.key.path[-1] in RAW]
    resource = WarehouseResource(warehouse_path=str(warehouse), landing_path=str(landing),
                                 config_path=str(cfg_path))
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        result = dg.materialize([*connectors, *raw], resources={"warehouse": resource},
                                instance=instance, raise_on_error=False)
        logs = event_log_text(instance)
    out, err = capfd.readouterr()

    # the runs did happen: every connector sent its token to the fake API, and failed
    assert sorted(a.key.path[-1] for a in connectors) == sorted(APIS)
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    assert len(failed) == len(APIS), failed
    sent = {kind_of(r): str(r.headers) for r, _ in httpserver.log}
    assert all(api.token in sent[kind] for kind, api in APIS.items())
    if mode == "redirect":
        assert {kind_of(r) for r, _ in other_origin.log} == set(APIS)
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}
    con.close()
    assert set(RAW) <= tables  # the raw assets wrote the warehouse in the same run

    for token in TOKENS:
        for fragment in (token, token[4:20]):  # the token, and a piece of it
            assert fragment not in out and fragment not in err
            assert fragment not in logs
            assert found_in_files(home, fragment) == []
            assert found_in_files(landing, fragment) == []
            assert found_in_files(warehouse.parent, fragment) == []
            assert found_in_warehouse(warehouse, fragment) == 0
            assert not [r for r, _ in other_origin.log
                        if fragment in str(r.headers) or fragment in r.url]
    if mode == "error-echo":  # the API's message is shown, with the token replaced
        assert "[REDACTED]" in logs


def test_the_searches_find_a_string_that_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Positive controls: the same searches on the same kinds of storage do find a canary."""
    canary = "CANARY-control-3b1f9e"
    home = tmp_path / "dagster_home"
    home.mkdir()

    @dg.asset
    def loud(context) -> None:  # noqa: ANN001 (dagster reads the annotation at runtime)
        context.log.info(f"log line with {canary}")
        print(f"stdout with {canary}")
        raise dg.Failure(description=f"failure with {canary}")

    with dg.instance_for_test(temp_dir=str(home)) as instance:
        dg.materialize([loud], instance=instance, raise_on_error=False)
        logs = event_log_text(instance)
    out, _ = capfd.readouterr()
    assert canary in logs and canary in out
    assert found_in_files(home, canary)
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.t (a INTEGER, b VARCHAR)")
    con.execute("INSERT INTO raw.t SELECT i, 'x' || i FROM range(5000) t(i)")
    con.execute("INSERT INTO raw.t VALUES (1, ?)", [f"text {canary} text"])
    con.close()
    assert found_in_warehouse(db, canary) == 1
    shutil.rmtree(home)
