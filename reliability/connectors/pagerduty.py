"""PagerDuty: incidents with created, acknowledged and resolved times, service, urgency/priority.

Endpoints (REST API v2, classic `offset`/`limit`/`more` pagination): `GET /incidents` (filtered on
creation time with `since`/`until`, at most 6 months per request, so longer spans are split; the
first run without a start date uses `date_range=all`) and `GET /incidents/{id}/log_entries`
(`is_overview=true`): the first `acknowledge_log_entry` gives `acknowledged_at`, the last
`resolve_log_entry` gives `resolved_at` (falling back to the incident's `resolved_at` or
`last_status_change_at` when resolved).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reliability.config.connectors import PagerDutyConfig
from reliability.connectors.http import ApiClient
from reliability.connectors.runner import Outcome, Runtime, run_source
from reliability.connectors.state import SourceResult, held_cursor, since_for
from reliability.connectors.timeutil import earliest, iso, latest, parse_ts

API_HEADERS = {"Accept": "application/vnd.pagerduty+json;version=2"}
WINDOW = timedelta(days=179)  # the API refuses since/until ranges over 6 months
SOURCE_KEY = "pagerduty"


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token token={token}"}


# ---- pure mappings -------------------------------------------------------------------------


def service_of(cfg: PagerDutyConfig, incident: dict[str, Any]) -> str:
    """Our service: mapped from the PagerDuty service id or name, else the default, else the
    PagerDuty service name itself."""
    svc = incident.get("service") or {}
    for key in (svc.get("id"), svc.get("summary")):
        if key and key in cfg.services:
            return cfg.services[key]
    return cfg.default_service or svc.get("summary") or svc.get("id") or "unknown"


def severity_of(cfg: PagerDutyConfig, incident: dict[str, Any]) -> str | None:
    """Priority name (e.g. `P1`) mapped by `severity`, else the urgency (`high`/`low`)."""
    priority = (incident.get("priority") or {}).get("summary")
    if priority and priority in cfg.severity:
        return cfg.severity[priority]
    return cfg.severity.get(incident.get("urgency") or "")


def incident_row(
    cfg: PagerDutyConfig, incident: dict[str, Any], log_entries: list[dict[str, Any]]
) -> dict[str, Any]:
    """One incident; `log_entries` supply the acknowledged and resolved times."""
    acks = [e["created_at"] for e in log_entries if e.get("type") == "acknowledge_log_entry"]
    resolves = [e["created_at"] for e in log_entries if e.get("type") == "resolve_log_entry"]
    resolved = None
    if incident.get("status") == "resolved":
        resolved = latest(*resolves) or incident.get("resolved_at") \
            or incident.get("last_status_change_at")
    return {
        "incident_id": f"pagerduty:{incident['id']}",
        "service": service_of(cfg, incident),
        "started_at": iso(incident["created_at"]),
        "detected_at": iso(incident["created_at"]),
        "resolved_at": iso(resolved),
        "severity": severity_of(cfg, incident),
        "title": incident.get("title") or incident.get("summary"),
        "acknowledged_at": earliest(*acks),
        "source": "pagerduty",
        "status": incident.get("status"),
        "urgency": incident.get("urgency"),
        "priority": (incident.get("priority") or {}).get("summary"),
        "pagerduty_service": (incident.get("service") or {}).get("summary"),
        "incident_number": incident.get("incident_number"),
        "url": incident.get("html_url"),
    }


def windows(since: datetime, until: datetime, size: timedelta = WINDOW) -> list[tuple[str, str]]:
    """[since, until) split into consecutive ranges no longer than `size`."""
    out = []
    start = since
    while start < until:
        end = min(start + size, until)
        out.append((iso(start), iso(end)))
        start = end
    return out


# ---- fetching ------------------------------------------------------------------------------


def _list_params(cfg: PagerDutyConfig) -> dict[str, Any]:
    params: dict[str, Any] = {"sort_by": "created_at:asc", "time_zone": "UTC", "total": "false"}
    if cfg.service_ids:
        params["service_ids[]"] = list(cfg.service_ids)
    return params


def list_incidents(
    client: ApiClient, cfg: PagerDutyConfig, since: str | None, now: datetime
) -> list[dict[str, Any]]:
    """Incidents created since `since` (all of them when None), every page of every window."""
    params = _list_params(cfg)
    ranges: list[dict[str, Any]] = (
        [{"date_range": "all"}] if since is None
        else [{"since": s, "until": u} for s, u in windows(parse_ts(since), now)]  # type: ignore[arg-type]
    )
    incidents: dict[str, dict[str, Any]] = {}
    for extra in ranges:
        for page in client.offset_pages("incidents", {**params, **extra}, "incidents",
                                        required=("id", "created_at")):
            for inc in page:
                incidents[inc["id"]] = inc
    return list(incidents.values())


def log_entries(client: ApiClient, incident_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    params = {"is_overview": "true", "time_zone": "UTC"}
    for page in client.offset_pages(f"incidents/{incident_id}/log_entries", params,
                                    "log_entries", required=("created_at",)):
        entries.extend(page)
    return entries


def fetch(cfg: PagerDutyConfig, runtime: Runtime, cursors: dict[str, str]) -> SourceResult:
    """Incidents created since the cursor (minus the overlap); raises ConnectorError."""
    common = cfg.common
    result = SourceResult(SOURCE_KEY, cursors=dict(cursors))
    now = runtime.now()
    since = since_for(cursors.get("incidents"), common.overlap_minutes, common.start_date)
    with runtime.client(SOURCE_KEY, cfg.base_url, cfg.token_env, auth_headers, common.http,
                        API_HEADERS) as client:
        incidents = list_incidents(client, cfg, since, now)
        rows = [incident_row(cfg, inc, log_entries(client, inc["id"])) for inc in incidents]
    result.add("incidents", rows)
    newest = latest(*(inc["created_at"] for inc in incidents))
    still_open = [inc["created_at"] for inc in incidents if inc.get("status") != "resolved"]
    cursor = held_cursor(newest, still_open, cursors.get("incidents"), now, common.hold_open_days)
    if cursor:
        result.cursors["incidents"] = cursor
    result.stats = client.stats
    return result


def run(cfg: PagerDutyConfig, runtime: Runtime) -> list[Outcome]:
    """The PagerDuty account is one source."""
    return [run_source(runtime, SOURCE_KEY, lambda cursors: fetch(cfg, runtime, cursors))]
