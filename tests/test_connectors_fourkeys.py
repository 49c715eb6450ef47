"""Four Keys import: events_raw exports (CSV from BigQuery, JSON Lines) into the contract."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from connector_fakes import FIXTURES, Sleeps, clock, landing_rows

from reliability.config.connectors import FourKeysConfig
from reliability.connectors import fourkeys
from reliability.connectors.runner import Runtime

C0 = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
C1 = "1b2c3d4e5f60718293a4b5c6d7e8f90123456789"
C2 = "2c3d4e5f60718293a4b5c6d7e8f9012345678901"


def config(path: Path) -> FourKeysConfig:
    return FourKeysConfig(paths=(path,), repositories={"acme/checkout": "checkout-api"},
                          production_environments=("production", "prod"))


def runtime(landing: Path) -> Runtime:
    return Runtime(landing=landing, environ={}, sleep=Sleeps(), clock=clock())


@pytest.mark.parametrize("name", ["events_raw.csv", "events_raw.jsonl"])
def test_events_become_deployments_changes_and_incidents(name: str, tmp_path: Path) -> None:
    [outcome] = fourkeys.run(config(FIXTURES / "fourkeys" / name), runtime(tmp_path))
    assert outcome.error is None, outcome.error

    deps = {r["deployment_id"]: r for r in landing_rows(tmp_path, "deployments")}
    # Only successful deployment_status events, keyed by the event id as in Four Keys.
    assert set(deps) == {"fourkeys:github:9001", "fourkeys:github:9003", "fourkeys:github:9004"}
    d = deps["fourkeys:github:9001"]
    assert (d["service"], d["environment"], d["status"], d["finished_at"], d["commit_sha"]) == (
        "checkout-api", "production", "success", "2026-03-01T09:00:00Z", C1)
    assert deps["fourkeys:github:9003"]["environment"] == "staging"

    changes = {r["change_id"]: r for r in landing_rows(tmp_path, "changes")}
    assert set(changes) == {C0, C1, C2}  # every commit of every push
    assert changes[C0]["first_committed_at"] == "2026-02-28T14:00:00Z"
    # Linked through the push whose head commit was deployed; production wins over staging.
    assert changes[C0]["deployment_id"] == changes[C1]["deployment_id"] == "fourkeys:github:9001"
    assert changes[C2]["deployment_id"] == "fourkeys:github:9004"

    incidents = {r["incident_id"]: r for r in landing_rows(tmp_path, "incidents")}
    assert set(incidents) == {"acme/checkout#77", "acme/checkout#79"}  # #78 has no Incident label
    i77 = incidents["acme/checkout#77"]
    assert i77["root_cause_sha"] == C2
    assert i77["caused_by_deployment_id"] == "fourkeys:github:9004"
    # Four Keys: the incident starts at the earlier of the root-cause deployment and the issue.
    assert (i77["started_at"], i77["detected_at"], i77["resolved_at"]) == (
        "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z")
    i79 = incidents["acme/checkout#79"]
    assert (i79["started_at"], i79["resolved_at"], i79["root_cause_sha"]) == (
        "2026-03-03T08:00:00Z", None, None)


def test_unchanged_export_is_not_imported_twice(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    with (FIXTURES / "fourkeys" / "events_raw.jsonl").open("rb") as src, \
            gzip.open(export / "events_raw.jsonl.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    landing = tmp_path / "landing"
    fourkeys.run(config(export), runtime(landing))
    files = sorted(landing.rglob("*.jsonl"))
    assert len(files) == 3
    [again] = fourkeys.run(config(export), runtime(landing))
    assert again.error is None and sorted(landing.rglob("*.jsonl")) == files


def test_not_an_export_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text("foo,bar\n1,2\n")
    [outcome] = fourkeys.run(config(bad), runtime(tmp_path / "landing"))
    assert "not an events_raw export" in outcome.error
    assert not (tmp_path / "landing").exists() or not list((tmp_path / "landing").rglob("*.jsonl"))
