"""GitLab connector against a local server serving recorded GitLab REST API v4 payloads."""

from __future__ import annotations

from pathlib import Path

from connector_fakes import Sleeps, clock, fixture, json_response, landing_rows, serve_pages
from pytest_httpserver import HTTPServer

from reliability.config.connectors import Common, GitLabConfig, GitLabProject
from reliability.connectors import gitlab
from reliability.connectors.http import HttpSettings
from reliability.connectors.runner import Runtime
from reliability.connectors.state import CursorStore

TOKEN = "glpat-test-token-never-printed"
# werkzeug decodes %2F in the path; the raw request line is checked separately.
PROJECT = "/api/v4/projects/acme/checkout-web"
KEY = "gitlab-acme/checkout-web"
FAST = HttpSettings(backoff_initial_seconds=0.01, max_attempts=4)


def config(server: HTTPServer) -> GitLabConfig:
    return GitLabConfig(
        projects=(GitLabProject("acme/checkout-web", "checkout-api"),), token_env="GL_TEST_TOKEN",
        base_url=server.url_for("/api/v4"), common=Common(http=FAST))


def runtime(landing: Path, sleeps: Sleeps | None = None) -> Runtime:
    return Runtime(landing=landing, environ={"GL_TEST_TOKEN": TOKEN},
                   sleep=sleeps if sleeps is not None else Sleeps(), clock=clock())


def serve_project(server: HTTPServer, *, new: bool = False) -> None:
    pages = ["deployments_new.json"] if new else [
        "deployments_page1.json", "deployments_page2.json"]
    deps = [fixture("gitlab", name) for name in pages]
    serve_pages(server, f"{PROJECT}/deployments", deps, style="gitlab")
    serve_pages(server, f"{PROJECT}/merge_requests",
                [[] if new else fixture("gitlab", "merge_requests.json")], style="gitlab")
    for iid, commits in fixture("gitlab", "merge_request_commits.json").items():
        serve_pages(server, f"{PROJECT}/merge_requests/{iid}/commits", [commits], style="gitlab")
    serve_pages(server, f"{PROJECT}/issues", [[] if new else fixture("gitlab", "incidents.json")],
                style="gitlab")


def test_full_run_pages_retries_and_mapping(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_oneshot_request(f"{PROJECT}/deployments").respond_with_response(
        json_response({"message": "Retry later"}, 429,
                      {"Retry-After": "1", "RateLimit-Remaining": "0"}))
    httpserver.expect_oneshot_request(f"{PROJECT}/merge_requests").respond_with_data(
        "502 Bad Gateway", status=502)
    serve_project(httpserver)
    sleeps = Sleeps()

    [outcome] = gitlab.run(config(httpserver), runtime(tmp_path, sleeps))

    assert outcome.error is None, outcome.error
    assert sleeps[0] == 1.0 and outcome.stats.retries == 2
    raw_uri = httpserver.log[0][0].environ.get("REQUEST_URI") or httpserver.log[0][0].url
    assert "acme%2Fcheckout-web" in raw_uri
    deps = {r["deployment_id"]: r for r in landing_rows(tmp_path, "deployments")}
    assert set(deps) == {f"gitlab:acme/checkout-web:deployment:{i}" for i in (41, 42, 44)}
    d41 = deps["gitlab:acme/checkout-web:deployment:41"]
    assert (d41["status"], d41["environment"], d41["finished_at"]) == (
        "success", "production", "2026-03-01T09:04:10.100000Z")
    assert deps["gitlab:acme/checkout-web:deployment:42"]["status"] == "failure"

    changes = {r["change_id"]: r for r in landing_rows(tmp_path, "changes")}
    assert changes["acme/checkout-web!7"]["first_committed_at"] == "2026-02-26T17:00:00Z"
    assert changes["acme/checkout-web!7"]["merged_at"] == "2026-03-01T08:39:00Z"
    assert changes["acme/checkout-web!8"]["commit_sha"].startswith("8b2c3d")

    incidents = {r["incident_id"]: r for r in landing_rows(tmp_path, "incidents")}
    i12 = incidents["acme/checkout-web#12"]
    assert (i12["severity"], i12["resolved_at"], i12["root_cause_sha"]) == (
        "sev1", "2026-03-02T10:58:00Z", "8b2c3d4e5f")
    assert incidents["acme/checkout-web#13"]["resolved_at"] is None
    assert incidents["acme/checkout-web#13"]["severity"] is None
    assert CursorStore(tmp_path, KEY).load() == {
        "deployments": "2026-03-03T14:30:00Z", "merge_requests": "2026-03-02T09:50:00Z",
        "incidents": "2026-03-03T16:05:00Z"}
    assert all(r.headers["PRIVATE-TOKEN"] == TOKEN for r, _ in httpserver.log)


def test_resumed_run_asks_only_for_updates(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_project(httpserver)
    gitlab.run(config(httpserver), runtime(tmp_path))
    httpserver.clear()
    serve_project(httpserver, new=True)

    [outcome] = gitlab.run(config(httpserver), runtime(tmp_path))

    assert outcome.error is None
    dep_req = next(r for r, _ in httpserver.log if r.path == f"{PROJECT}/deployments")
    assert dep_req.args["updated_after"] == "2026-03-03T14:15:00Z"  # cursor - 15 min overlap
    assert dep_req.args["order_by"] == "updated_at"
    # The deployment that was running is now finished and is written with its final status.
    newest = sorted((tmp_path / "deployments").glob("*.jsonl"))[-1]
    assert '"gitlab:acme/checkout-web:deployment:43"' in newest.read_text()
    assert '"success"' in newest.read_text()
    cursors = CursorStore(tmp_path, KEY).load()
    assert cursors["deployments"] == "2026-03-04T08:00:00Z"
    assert cursors["merge_requests"] == "2026-03-02T09:50:00Z"  # nothing new: unchanged


def test_expired_token(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request(f"{PROJECT}/deployments").respond_with_json(
        {"message": "401 Unauthorized"}, status=401)
    [outcome] = gitlab.run(config(httpserver), runtime(tmp_path))
    assert "gitlab-acme/checkout-web" in outcome.error and "GL_TEST_TOKEN" in outcome.error
    assert TOKEN not in outcome.error
    assert not list(tmp_path.rglob("*.jsonl")) and not CursorStore(tmp_path, KEY).path.exists()
