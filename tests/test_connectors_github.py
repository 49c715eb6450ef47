"""GitHub connector against a local server serving recorded GitHub REST API payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connector_fakes import (
    NOW,
    Sleeps,
    clock,
    fixture,
    json_response,
    landing_rows,
    requested_paths,
    serve_pages,
)
from pytest_httpserver import HTTPServer

from reliability.config.connectors import Common, GitHubConfig, GitHubRepo
from reliability.connectors import github
from reliability.connectors.http import HttpSettings
from reliability.connectors.runner import Runtime
from reliability.connectors.state import CursorStore

TOKEN = "ghp_test_token_never_printed"
REPO = "/repos/acme/checkout"
KEY = "github-acme/checkout"
FAST = HttpSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05, max_attempts=4,
                    max_rate_limit_wait_seconds=60)


def config(server: HTTPServer, **repo_kwargs) -> GitHubConfig:
    repo = GitHubRepo(repo="acme/checkout", service="checkout-api", incident_label="incident",
                      **repo_kwargs)
    return GitHubConfig(repositories=(repo,), token_env="GH_TEST_TOKEN",
                        base_url=server.url_for("/"), common=Common(http=FAST))


def runtime(landing: Path, sleeps: Sleeps | None = None) -> Runtime:
    return Runtime(landing=landing, environ={"GH_TEST_TOKEN": TOKEN},
                   sleep=sleeps if sleeps is not None else Sleeps(), clock=clock())


def serve_repo(server: HTTPServer, *, new: bool = False) -> None:
    """The repository's deployments, statuses, pull requests, commits and issues."""
    deps = [fixture("github", "deployments_page1.json"),
            fixture("github", "deployments_page2.json")]
    pulls = [fixture("github", "pulls_page1.json"), fixture("github", "pulls_page2.json")]
    if new:
        deps = [fixture("github", "deployments_new.json"), *deps]
        pulls = [fixture("github", "pulls_new.json"), *pulls]
    serve_pages(server, f"{REPO}/deployments", deps)
    for dep_id, statuses in fixture("github", "deployment_statuses.json").items():
        serve_pages(server, f"{REPO}/deployments/{dep_id}/statuses", [statuses])
    serve_pages(server, f"{REPO}/pulls", pulls)
    for number, commits in fixture("github", "pull_commits.json").items():
        serve_pages(server, f"{REPO}/pulls/{number}/commits", [commits])
    serve_pages(server, f"{REPO}/issues", [fixture("github", "issues.json")])


def test_full_run_maps_every_stream_across_pages_with_429_and_502(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # The first deployments request is rate limited, a PR commits request fails once with 502.
    httpserver.expect_oneshot_request(f"{REPO}/deployments").respond_with_response(
        json_response({"message": "You have exceeded a secondary rate limit."}, 429,
                      {"Retry-After": "1"}))
    httpserver.expect_oneshot_request(f"{REPO}/pulls/42/commits").respond_with_data(
        "<html>502 Bad Gateway</html>", status=502)
    serve_repo(httpserver)
    sleeps = Sleeps()

    [outcome] = github.run(config(httpserver), runtime(tmp_path, sleeps))

    assert outcome.error is None
    stats = outcome.stats
    assert stats.retries == 2 and sleeps[0] == 1.0 and len(sleeps) == 2
    assert stats.pages >= 4  # deployments and pulls each span two pages
    deployments = {r["deployment_id"]: r for r in landing_rows(tmp_path, "deployments")}
    assert set(deployments) == {f"github:acme/checkout:deployment:{i}" for i in (1001, 1002, 1003)}
    d1001 = deployments["github:acme/checkout:deployment:1001"]
    # Superseded deployments get an `inactive` status: the last final status counts.
    assert d1001["status"] == "success" and d1001["finished_at"] == "2026-03-01T09:05:00Z"
    assert d1001["environment"] == "production" and d1001["commit_sha"].startswith("a1b2c3")
    assert deployments["github:acme/checkout:deployment:1002"]["status"] == "failure"
    assert deployments["github:acme/checkout:deployment:1002"]["environment"] == "staging"

    changes = {r["change_id"]: r for r in landing_rows(tmp_path, "changes")}
    assert set(changes) == {"acme/checkout#42", "acme/checkout#40"}  # #41 closed unmerged
    assert changes["acme/checkout#42"]["first_committed_at"] == "2026-02-28T17:10:00Z"
    assert changes["acme/checkout#42"]["opened_at"] == "2026-03-01T08:00:00Z"
    assert changes["acme/checkout#42"]["merged_at"] == "2026-03-03T09:30:00Z"
    assert changes["acme/checkout#42"]["commit_sha"].startswith("c3d4e5")

    incidents = {r["incident_id"]: r for r in landing_rows(tmp_path, "incidents")}
    assert set(incidents) == {"acme/checkout#50", "acme/checkout#51"}  # #52 is a pull request
    inc = incidents["acme/checkout#50"]
    assert inc["started_at"] == "2026-03-01T09:20:00Z"
    assert inc["resolved_at"] == "2026-03-01T10:35:00Z"
    assert inc["severity"] == "sev2" and inc["root_cause_sha"] == "a1b2c3d4e5f6"
    assert incidents["acme/checkout#51"]["resolved_at"] is None
    assert incidents["acme/checkout#51"]["severity"] == "sev3"

    cursors = CursorStore(tmp_path, KEY).load()
    assert cursors == {"deployments": "2026-03-03T10:00:00Z", "pulls": "2026-03-03T09:30:00Z",
                       "issues": "2026-03-03T11:30:00Z"}
    # The token is sent as a header and appears in no file written.
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r, _ in httpserver.log)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text()


def test_resumed_run_fetches_only_new_records(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_repo(httpserver)
    github.run(config(httpserver), runtime(tmp_path))
    first_files = {p.name for p in tmp_path.rglob("*.jsonl")}
    httpserver.clear()
    serve_repo(httpserver, new=True)

    [outcome] = github.run(config(httpserver), runtime(tmp_path))

    assert outcome.error is None
    paths = requested_paths(httpserver)
    # Old deployments and pull requests (older than cursor - 15 min overlap) are not re-read.
    assert f"{REPO}/deployments/1001/statuses" not in paths
    assert f"{REPO}/deployments/1002/statuses" not in paths
    assert f"{REPO}/pulls/40/commits" not in paths
    assert f"{REPO}/deployments/1004/statuses" in paths and f"{REPO}/pulls/43/commits" in paths
    assert paths.count(f"{REPO}/deployments") == 2  # stopped before the older last page
    issues_req = next(r for r, _ in httpserver.log if r.path == f"{REPO}/issues")
    assert issues_req.args["since"] == "2026-03-03T11:15:00Z"
    new_files = [p for p in tmp_path.rglob("*.jsonl") if p.name not in first_files]
    new_deps = [json.loads(x) for p in new_files if p.parent.name == "deployments"
                for x in p.read_text().splitlines()]
    ids = {d["deployment_id"].rsplit(":", 1)[1]: d for d in new_deps}
    assert set(ids) == {"1003", "1004"}  # 1003 is inside the overlap, harmless (upsert by key)
    assert ids["1004"]["status"] == "failure"  # `error` status
    assert CursorStore(tmp_path, KEY).load()["deployments"] == "2026-03-05T12:00:00Z"


def test_expired_token_writes_nothing_and_keeps_cursor(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    CursorStore(tmp_path, KEY).save({"pulls": "2026-03-01T00:00:00Z"})
    before = CursorStore(tmp_path, KEY).path.read_text()
    serve_repo(httpserver)
    httpserver.expect_oneshot_request(f"{REPO}/pulls").respond_with_json(
        {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
        status=401)

    [outcome] = github.run(config(httpserver), runtime(tmp_path))

    assert outcome.error is not None
    assert "github-acme/checkout" in outcome.error and "GH_TEST_TOKEN" in outcome.error
    assert "expired" in outcome.error and TOKEN not in outcome.error
    assert not list(tmp_path.rglob("*.jsonl"))
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert CursorStore(tmp_path, KEY).path.read_text() == before


def test_missing_token_variable_is_a_clear_error(tmp_path: Path) -> None:
    cfg = GitHubConfig(repositories=(GitHubRepo("acme/checkout", "checkout-api"),),
                       token_env="GH_TEST_TOKEN", base_url="http://127.0.0.1:9")
    rt = Runtime(landing=tmp_path, environ={}, sleep=Sleeps(), clock=clock())
    [outcome] = github.run(cfg, rt)
    assert "GH_TEST_TOKEN is not set" in (outcome.error or "")


def test_primary_rate_limit_waits_until_reset(httpserver: HTTPServer, tmp_path: Path) -> None:
    reset = int(NOW.timestamp()) + 5
    httpserver.expect_oneshot_request(f"{REPO}/deployments").respond_with_response(json_response(
        {"message": "API rate limit exceeded for user ID 1."}, 403,
        {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
         "X-RateLimit-Reset": str(reset), "X-RateLimit-Resource": "core"}))
    serve_repo(httpserver)
    sleeps = Sleeps()
    [outcome] = github.run(config(httpserver), runtime(tmp_path, sleeps))
    assert outcome.error is None and sleeps == [6.0]


def test_rate_limit_longer_than_max_wait_fails_clearly(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    reset = int(NOW.timestamp()) + 3600
    httpserver.expect_request(f"{REPO}/deployments").respond_with_response(json_response(
        {"message": "API rate limit exceeded"}, 403,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}))
    [outcome] = github.run(config(httpserver), runtime(tmp_path))
    assert "rate limit" in (outcome.error or "") and "max_rate_limit_wait_seconds" in outcome.error
    assert not list(tmp_path.rglob("*.jsonl"))


def test_workflow_runs_as_deployments(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_pages(httpserver, f"{REPO}/actions/workflows", [fixture("github", "workflows.json")])
    serve_pages(httpserver, f"{REPO}/actions/workflows/269289/runs",
                [fixture("github", "runs_page1.json"), fixture("github", "runs_page2.json")])
    cfg = config(httpserver, deployments_from="workflow_runs", workflow_name="Deploy production",
                 pull_requests=False)
    cfg = GitHubConfig(repositories=(
        GitHubRepo("acme/checkout", "checkout-api", deployments_from="workflow_runs",
                   workflow_name="deploy.yml", pull_requests=False),),
        token_env=cfg.token_env, base_url=cfg.base_url, common=cfg.common)

    [outcome] = github.run(cfg, runtime(tmp_path))

    assert outcome.error is None
    rows = {r["deployment_id"]: r for r in landing_rows(tmp_path, "deployments")}
    assert rows == {
        "github:acme/checkout:run:30433641": rows["github:acme/checkout:run:30433641"],
        "github:acme/checkout:run:30433639": rows["github:acme/checkout:run:30433639"],
    }  # in_progress and cancelled runs are not deployments
    ok = rows["github:acme/checkout:run:30433641"]
    assert (ok["status"], ok["environment"], ok["finished_at"]) == (
        "success", "production", "2026-03-03T10:06:00Z")
    assert rows["github:acme/checkout:run:30433639"]["status"] == "failure"
    # The in-progress run holds the cursor so its completion is picked up next time.
    assert CursorStore(tmp_path, KEY).load()["workflow_runs"] == "2026-03-03T12:00:00Z"


@pytest.mark.parametrize(("labels", "expected"), [
    (["incident", "sev1"], "sev1"), (["Severity: 2"], "sev2"), (["SEV-4"], "sev4"),
    (["incident"], None),
])
def test_severity_from_labels(labels: list[str], expected: str | None) -> None:
    assert github.severity_from_labels(labels) == expected
