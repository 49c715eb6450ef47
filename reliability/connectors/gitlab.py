"""GitLab: deployments, merged merge requests, and incidents (issues of type incident).

Endpoints (REST API v4), all incremental on `updated_after` with `order_by=updated_at&sort=asc`:
`GET /projects/:id/deployments`, `GET /projects/:id/merge_requests?state=merged` +
`/merge_requests/:iid/commits`, `GET /projects/:id/issues?issue_type=incident&scope=all`.
Pagination follows `X-Next-Page` (offset pagination) or the `Link` header (keyset).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reliability.config.connectors import GitLabConfig, GitLabProject
from reliability.connectors.github import root_cause
from reliability.connectors.http import ApiClient, gitlab_next
from reliability.connectors.runner import Outcome, Runtime, run_source
from reliability.connectors.state import SourceResult, since_for
from reliability.connectors.timeutil import earliest, iso, latest

PER_PAGE = 100
DEPLOYMENT_STATUS = {"success": "success", "failed": "failure"}  # running/created/canceled/...: not
SEVERITY = {"CRITICAL": "sev1", "HIGH": "sev2", "MEDIUM": "sev3", "LOW": "sev4"}


def auth_headers(token: str) -> dict[str, str]:
    return {"PRIVATE-TOKEN": token}


def source_key(project: GitLabProject) -> str:
    return f"gitlab-{project.project}"


def project_path(project: GitLabProject) -> str:
    """`projects/<id or URL-encoded path>`."""
    return f"projects/{quote(project.project, safe='')}"


# ---- pure mappings -------------------------------------------------------------------------


def deployment_row(project: GitLabProject, dep: dict[str, Any]) -> dict[str, Any] | None:
    """A finished deployment (success / failed); running, created, canceled... are None."""
    status = DEPLOYMENT_STATUS.get(dep.get("status") or "")
    if status is None:
        return None
    job = dep.get("deployable") or {}
    return {
        "deployment_id": f"gitlab:{project.project}:deployment:{dep['id']}",
        "service": project.service,
        "environment": (dep.get("environment") or {}).get("name"),
        "status": status,
        "finished_at": iso(dep.get("finished_at") or job.get("finished_at") or dep["updated_at"]),
        "started_at": iso(job.get("started_at") or dep.get("created_at")),
        "commit_sha": dep.get("sha"),
        "source": "gitlab",
        "ref": dep.get("ref"),
        "url": job.get("web_url"),
    }


def merge_request_row(
    project: GitLabProject, mr: dict[str, Any], commits: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A merged merge request as a change (first commit = earliest authored date)."""
    if not mr.get("merged_at"):
        return None
    first = earliest(*(c.get("authored_date") or c.get("created_at") for c in commits))
    return {
        "change_id": f"{project.project}!{mr['iid']}",
        "service": project.service,
        "first_committed_at": first or iso(mr["created_at"]),
        "opened_at": iso(mr.get("created_at")),
        "merged_at": iso(mr["merged_at"]),
        "commit_sha": mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or mr.get("sha"),
        "source": "gitlab",
        "title": mr.get("title"),
        "target_branch": mr.get("target_branch"),
        "url": mr.get("web_url"),
    }


def incident_row(project: GitLabProject, issue: dict[str, Any]) -> dict[str, Any] | None:
    """An issue of type incident: created = started, closed = resolved, severity mapped."""
    if (issue.get("issue_type") or issue.get("type", "").lower()) != "incident":
        return None
    closed = issue.get("closed_at") if issue.get("state") == "closed" else None
    return {
        "incident_id": f"{project.project}#{issue['iid']}",
        "service": project.service,
        "started_at": iso(issue["created_at"]),
        "detected_at": iso(issue["created_at"]),
        "resolved_at": iso(closed),
        "severity": SEVERITY.get((issue.get("severity") or "").upper()),
        "title": issue.get("title"),
        "root_cause_sha": root_cause(issue.get("description")),
        "source": "gitlab",
        "labels": issue.get("labels") or [],
        "url": issue.get("web_url"),
    }


# ---- fetching ------------------------------------------------------------------------------


def _updated(client: ApiClient, url: str, since: str | None, required: tuple[str, ...],
             **params: Any):
    """Items updated after `since`, oldest update first, every page; each with `required`."""
    query = {"order_by": "updated_at", "sort": "asc", "per_page": PER_PAGE, **params}
    if since:
        query["updated_after"] = since
    for page in client.pages(url, query, next_url=gitlab_next, required=required):
        yield from page


def fetch_project(
    cfg: GitLabConfig, project: GitLabProject, runtime: Runtime, cursors: dict[str, str]
) -> SourceResult:
    """Everything configured for one project; raises ConnectorError on any failure."""
    key = source_key(project)
    result = SourceResult(key, cursors=dict(cursors))
    common = cfg.common
    base = project_path(project)

    def since(stream: str) -> str | None:
        return since_for(cursors.get(stream), common.overlap_minutes, common.start_date)

    with runtime.client(key, cfg.base_url, cfg.token_env, auth_headers, common.http) as client:
        if project.deployments:
            newest, rows = None, []
            for dep in _updated(client, f"{base}/deployments", since("deployments"),
                                ("id", "updated_at")):
                newest = latest(newest, dep["updated_at"])
                env = (dep.get("environment") or {}).get("name")
                if project.environments and env not in project.environments:
                    continue
                rows.append(deployment_row(project, dep))
            result.add("deployments", [r for r in rows if r])
            if newest:
                result.cursors["deployments"] = newest
        if project.merge_requests:
            newest, rows = None, []
            extra = {"target_branch": project.target_branch} if project.target_branch else {}
            for mr in _updated(client, f"{base}/merge_requests", since("merge_requests"),
                               ("iid", "created_at", "updated_at"), state="merged", **extra):
                newest = latest(newest, mr["updated_at"])
                commits: list[dict[str, Any]] = []
                for page in client.pages(f"{base}/merge_requests/{mr['iid']}/commits",
                                         {"per_page": PER_PAGE}, next_url=gitlab_next):
                    commits.extend(page)
                rows.append(merge_request_row(project, mr, commits))
            result.add("changes", [r for r in rows if r])
            if newest:
                result.cursors["merge_requests"] = newest
        if project.incidents:
            newest, rows = None, []
            for issue in _updated(client, f"{base}/issues", since("incidents"),
                                  ("iid", "created_at", "updated_at"),
                                  issue_type="incident", scope="all"):
                newest = latest(newest, issue["updated_at"])
                rows.append(incident_row(project, issue))
            result.add("incidents", [r for r in rows if r])
            if newest:
                result.cursors["incidents"] = newest
    result.stats = client.stats
    return result


def run(cfg: GitLabConfig, runtime: Runtime) -> list[Outcome]:
    """Each configured project is one source: fetched and committed on its own."""
    return [
        run_source(runtime, source_key(p),
                   lambda cursors, p=p: fetch_project(cfg, p, runtime, cursors))
        for p in cfg.projects
    ]
