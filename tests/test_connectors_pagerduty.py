"""PagerDuty connector against a local server serving recorded REST API v2 payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connector_fakes import Sleeps, clock, fixture, json_response, landing_rows
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reliability.config.connectors import Common, PagerDutyConfig
from reliability.connectors import pagerduty
from reliability.connectors.http import HttpSettings
from reliability.connectors.runner import Runtime
from reliability.connectors.state import CursorStore

TOKEN = "u+pd-test-token-never-printed"
FAST = HttpSettings(backoff_initial_seconds=0.01, max_attempts=4)
LATER = datetime(2026, 3, 6, tzinfo=UTC)


def config(server: HTTPServer) -> PagerDutyConfig:
    return PagerDutyConfig(
        token_env="PD_TEST_TOKEN", base_url=server.url_for("/"),
        services={"PCHK01": "checkout-api", "Signup Service": "signup-service"},
        common=Common(http=FAST))


def runtime(landing: Path, sleeps: Sleeps | None = None, at: datetime | None = None) -> Runtime:
    return Runtime(landing=landing, environ={"PD_TEST_TOKEN": TOKEN},
                   sleep=sleeps if sleeps is not None else Sleeps(),
                   clock=clock(at) if at else clock())


def serve_account(server: HTTPServer, *, new: bool = False) -> None:
    pages = ([fixture("pagerduty", "incidents_new.json")] if new else
             [fixture("pagerduty", "incidents_page1.json"),
              fixture("pagerduty", "incidents_page2.json")])
    by_offset = {p["offset"]: p for p in pages}

    def incidents(request: Request) -> Response:
        return json_response(by_offset[int(request.args.get("offset", "0"))])

    server.expect_request("/incidents").respond_with_handler(incidents)
    logs = fixture("pagerduty", "log_entries.json")
    for key, entries in logs.items():
        inc_id, _, suffix = key.partition("_")
        if (suffix == "new") != new and f"{inc_id}_new" in logs:
            continue
        server.expect_request(f"/incidents/{inc_id}/log_entries").respond_with_json(
            {"log_entries": entries, "limit": 100, "offset": 0, "more": False, "total": None})


def test_full_run_offset_pages_and_mapping(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_oneshot_request("/incidents").respond_with_response(json_response(
        {"error": {"message": "Rate Limit Exceeded", "code": 2020}}, 429, {"Retry-After": "1"}))
    httpserver.expect_oneshot_request("/incidents/Q1ABC/log_entries").respond_with_data(
        "Bad Gateway", status=502)
    serve_account(httpserver)
    sleeps = Sleeps()

    [outcome] = pagerduty.run(config(httpserver), runtime(tmp_path, sleeps))

    assert outcome.error is None, outcome.error
    assert sleeps[0] == 1.0 and outcome.stats.retries == 2
    first = httpserver.log[0][0]
    assert first.headers["Authorization"] == f"Token token={TOKEN}"
    assert first.headers["Accept"] == "application/vnd.pagerduty+json;version=2"
    assert first.args["date_range"] == "all"  # first run, no start date
    rows = {r["incident_id"]: r for r in landing_rows(tmp_path, "incidents")}
    assert set(rows) == {"pagerduty:Q1ABC", "pagerduty:Q2DEF", "pagerduty:Q3GHI"}  # two pages
    q1 = rows["pagerduty:Q1ABC"]
    assert (q1["service"], q1["severity"], q1["started_at"]) == (
        "checkout-api", "sev1", "2026-03-01T09:22:00Z")
    assert (q1["acknowledged_at"], q1["resolved_at"]) == (
        "2026-03-01T09:26:00Z", "2026-03-01T10:31:00Z")
    q2 = rows["pagerduty:Q2DEF"]
    assert (q2["service"], q2["severity"], q2["acknowledged_at"]) == (
        "signup-service", "sev4", None)  # no priority: urgency low
    q3 = rows["pagerduty:Q3GHI"]
    assert q3["resolved_at"] is None and q3["severity"] == "sev2"
    # The open incident holds the cursor at its creation time.
    assert CursorStore(tmp_path, "pagerduty").load() == {"incidents": "2026-03-03T18:00:00Z"}


def test_resumed_run_from_cursor(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_account(httpserver)
    pagerduty.run(config(httpserver), runtime(tmp_path))
    httpserver.clear()
    serve_account(httpserver, new=True)

    [outcome] = pagerduty.run(config(httpserver), runtime(tmp_path, at=LATER))

    assert outcome.error is None
    req = next(r for r, _ in httpserver.log if r.path == "/incidents")
    assert req.args["since"] == "2026-03-03T17:45:00Z"  # oldest open incident - overlap
    assert req.args["until"] == "2026-03-06T00:00:00Z"
    logs_read = {r.path for r, _ in httpserver.log if r.path.endswith("log_entries")}
    assert logs_read == {"/incidents/Q3GHI/log_entries", "/incidents/Q4JKL/log_entries"}
    newest = sorted((tmp_path / "incidents").glob("*.jsonl"))[-1].read_text()
    assert '"resolved_at": "2026-03-04T01:00:00Z"' in newest
    assert CursorStore(tmp_path, "pagerduty").load() == {"incidents": "2026-03-05T07:00:00Z"}


def test_expired_token(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/incidents").respond_with_json(
        {"error": {"message": "Unauthorized", "code": 2006}}, status=401)
    [outcome] = pagerduty.run(config(httpserver), runtime(tmp_path))
    assert "pagerduty" in outcome.error and "PD_TEST_TOKEN" in outcome.error
    assert TOKEN not in outcome.error and not list(tmp_path.rglob("*.jsonl"))


def test_windows_split_long_ranges() -> None:
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    parts = pagerduty.windows(start, end)
    assert len(parts) == 3 and parts[0][0] == "2025-01-01T00:00:00Z"
    assert parts[-1][1] == "2026-01-01T00:00:00Z"
