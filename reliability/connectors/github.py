"""GitHub: deployments (Deployments API or Actions workflow runs), merged pull requests, and
issues with an incident label.

Endpoints (REST API 2022-11-28): `GET /repos/{o}/{r}/deployments` + `/deployments/{id}/statuses`,
`GET /repos/{o}/{r}/actions/workflows` + `/actions/workflows/{id}/runs`,
`GET /repos/{o}/{r}/pulls?state=closed` + `/pulls/{n}/commits`,
`GET /repos/{o}/{r}/issues?labels=...&state=all&since=...`.
"""

from __future__ import annotations

import re
from typing import Any

from reliability.config.connectors import Common, GitHubConfig, GitHubRepo
from reliability.connectors.http import ApiClient, ConnectorError
from reliability.connectors.runner import Outcome, Runtime, run_source
from reliability.connectors.state import SourceResult, held_cursor, since_for
from reliability.connectors.timeutil import before, earliest, iso, latest, parse_ts

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
PER_PAGE = 100

# A deployment's final state from its latest status; `inactive` (set by GitHub on a deployment
# superseded by a newer one) and the in-progress states are not final and are skipped.
DEPLOYMENT_STATES = {"success": "success", "failure": "failure", "error": "failure"}
RUN_CONCLUSIONS = {
    "success": "success", "failure": "failure", "timed_out": "failure",
    "startup_failure": "failure",
}
ROOT_CAUSE = re.compile(r"root cause:\s*([0-9a-f]{7,40})\b", re.IGNORECASE)
SEVERITY_LABEL = re.compile(r"^(?:sev|severity)[\s:_-]*([0-9])$", re.IGNORECASE)


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def source_key(repo: GitHubRepo) -> str:
    return f"github-{repo.repo}"


# ---- pure mappings: API JSON -> contract rows ---------------------------------------------


def final_status(statuses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest status whose state is final (success / failure / error), or None."""
    final = [s for s in statuses if s.get("state") in DEPLOYMENT_STATES]
    if not final:
        return None
    return max(final, key=lambda s: (parse_ts(s["created_at"]), s.get("id") or 0))


def deployment_row(
    repo: GitHubRepo, deployment: dict[str, Any], statuses: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A deployment whose latest final status is success (or failure/error), else None."""
    status = final_status(statuses)
    if status is None:
        return None
    return {
        "deployment_id": f"github:{repo.repo}:deployment:{deployment['id']}",
        "service": repo.service,
        "environment": deployment.get("environment") or deployment.get("original_environment"),
        "status": DEPLOYMENT_STATES[status["state"]],
        "finished_at": iso(status["created_at"]),
        "started_at": iso(deployment.get("created_at")),
        "commit_sha": deployment.get("sha"),
        "source": "github",
        "ref": deployment.get("ref"),
        "url": status.get("log_url") or status.get("target_url") or deployment.get("url"),
    }


def workflow_run_row(repo: GitHubRepo, run: dict[str, Any]) -> dict[str, Any] | None:
    """A completed workflow run as a deployment (success, or failure / timed out); others None."""
    if run.get("status") != "completed":
        return None
    status = RUN_CONCLUSIONS.get(run.get("conclusion") or "")
    if status is None:
        return None
    return {
        "deployment_id": f"github:{repo.repo}:run:{run['id']}",
        "service": repo.service,
        "environment": repo.workflow_environment,
        "status": status,
        "finished_at": iso(run["updated_at"]),
        "started_at": iso(run.get("run_started_at") or run.get("created_at")),
        "commit_sha": run.get("head_sha"),
        "source": "github",
        "ref": run.get("head_branch"),
        "run_attempt": run.get("run_attempt"),
        "url": run.get("html_url"),
    }


def first_commit_time(commits: list[dict[str, Any]]) -> str | None:
    """The earliest author date of a PR's commits (author date survives rebases)."""
    dates = [
        (c.get("commit") or {}).get("author", {}).get("date")
        or (c.get("commit") or {}).get("committer", {}).get("date")
        for c in commits
    ]
    return earliest(*dates)


def pull_request_row(
    repo: GitHubRepo, pr: dict[str, Any], commits: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A merged pull request as a change; an unmerged (closed) one is None."""
    if not pr.get("merged_at"):
        return None
    return {
        "change_id": f"{repo.repo}#{pr['number']}",
        "service": repo.service,
        "first_committed_at": first_commit_time(commits) or iso(pr["created_at"]),
        "opened_at": iso(pr.get("created_at")),
        "merged_at": iso(pr["merged_at"]),
        "commit_sha": pr.get("merge_commit_sha"),
        "source": "github",
        "title": pr.get("title"),
        "base_branch": (pr.get("base") or {}).get("ref"),
        "url": pr.get("html_url"),
    }


def label_names(labels: list[Any]) -> list[str]:
    return [lab["name"] if isinstance(lab, dict) else str(lab) for lab in labels or []]


def severity_from_labels(labels: list[str]) -> str | None:
    """`sev1`, `severity: 2`, `SEV-3` ... -> `sev1`.. ; None when no such label."""
    for name in labels:
        m = SEVERITY_LABEL.match(name.strip())
        if m:
            return f"sev{m.group(1)}"
    return None


def root_cause(text: str | None) -> str | None:
    """The commit named by `root cause: <sha>` in a text (Four Keys' convention)."""
    m = ROOT_CAUSE.search(text or "")
    return m.group(1).lower() if m else None


def issue_row(repo: GitHubRepo, issue: dict[str, Any]) -> dict[str, Any] | None:
    """An issue (not a pull request) as an incident: opened = started, closed = resolved."""
    if "pull_request" in issue:
        return None
    labels = label_names(issue.get("labels", []))
    closed = issue.get("closed_at") if issue.get("state") == "closed" else None
    return {
        "incident_id": f"{repo.repo}#{issue['number']}",
        "service": repo.service,
        "started_at": iso(issue["created_at"]),
        "detected_at": iso(issue["created_at"]),
        "resolved_at": iso(closed),
        "severity": severity_from_labels(labels),
        "title": issue.get("title"),
        "root_cause_sha": root_cause(issue.get("body")),
        "source": "github",
        "labels": labels,
        "url": issue.get("html_url"),
    }


# ---- fetching ------------------------------------------------------------------------------


def _all(client: ApiClient, url: str, required: tuple[str, ...] = ()) -> list[Any]:
    items: list[Any] = []
    for page in client.pages(url, {"per_page": PER_PAGE}, required=required):
        items.extend(page)
    return items


def fetch_deployments(
    client: ApiClient, repo: GitHubRepo, since: str | None, result: SourceResult,
    cursor: str | None, common: Common, runtime: Runtime,
) -> str | None:
    """Deployments created since `since` (the list is newest first: stop at the first older
    page), each with its statuses. Returns the new cursor."""
    base = f"repos/{repo.repo}/deployments"
    newest, pending, rows = None, [], []
    params = {"per_page": PER_PAGE}
    if len(repo.environments) == 1:
        params["environment"] = repo.environments[0]
    for page in client.pages(base, params, required=("id", "created_at")):
        for dep in page:
            if before(dep["created_at"], since):
                continue
            if repo.environments and dep.get("environment") not in repo.environments:
                continue
            newest = latest(newest, dep["created_at"])
            statuses = _all(client, f"{base}/{dep['id']}/statuses", ("state", "created_at"))
            row = deployment_row(repo, dep, statuses)
            if row is None:
                pending.append(dep["created_at"])
            else:
                rows.append(row)
        if not page or before(page[-1]["created_at"], since):
            break
    result.add("deployments", rows)
    return held_cursor(newest, pending, cursor, runtime.now(), common.hold_open_days)


def find_workflow(client: ApiClient, repo: GitHubRepo) -> dict[str, Any]:
    """The workflow whose name (or file name) is the configured `workflow_name`."""
    workflows = []
    for page in client.pages(f"repos/{repo.repo}/actions/workflows", {"per_page": PER_PAGE},
                             items_key="workflows", required=("id",)):
        workflows.extend(page)
    wanted = repo.workflow_name
    for wf in workflows:
        if wanted in (wf.get("name"), (wf.get("path") or "").rsplit("/", 1)[-1]):
            return wf
    names = ", ".join(sorted(w.get("name", "?") for w in workflows)) or "none"
    raise ConnectorError(
        f"{source_key(repo)}: no workflow named {wanted!r} in {repo.repo} (found: {names})"
    )


def fetch_workflow_runs(
    client: ApiClient, repo: GitHubRepo, since: str | None, result: SourceResult,
    cursor: str | None, common: Common, runtime: Runtime,
) -> str | None:
    """Runs of the configured workflow created since `since`, completed ones as deployments."""
    wf = find_workflow(client, repo)
    params: dict[str, Any] = {"per_page": PER_PAGE}
    if since:
        params["created"] = f">={since}"
    newest, running, rows = None, [], []
    for page in client.pages(f"repos/{repo.repo}/actions/workflows/{wf['id']}/runs", params,
                             items_key="workflow_runs",
                             required=("id", "status", "created_at", "updated_at")):
        for run in page:
            newest = latest(newest, run["created_at"])
            row = workflow_run_row(repo, run)
            if row is not None:
                rows.append(row)
            elif run.get("status") != "completed":
                running.append(run["created_at"])
    result.add("deployments", rows)
    return held_cursor(newest, running, cursor, runtime.now(), common.hold_open_days)


def fetch_pulls(
    client: ApiClient, repo: GitHubRepo, since: str | None, result: SourceResult,
    cursor: str | None,
) -> str | None:
    """Closed pull requests updated since `since` (newest first); merged ones become changes,
    each with its commits for the first commit time."""
    params: dict[str, Any] = {
        "state": "closed", "sort": "updated", "direction": "desc", "per_page": PER_PAGE,
    }
    if repo.base_branch:
        params["base"] = repo.base_branch
    newest, rows, done = None, [], False
    for page in client.pages(f"repos/{repo.repo}/pulls", params,
                             required=("number", "created_at", "updated_at")):
        for pr in page:
            if before(pr["updated_at"], since):
                done = True
                break
            newest = latest(newest, pr["updated_at"])
            if pr.get("merged_at"):
                commits = _all(client, f"repos/{repo.repo}/pulls/{pr['number']}/commits")
                rows.append(pull_request_row(repo, pr, commits))
        if done:
            break
    result.add("changes", [r for r in rows if r])
    return newest or cursor


def fetch_issues(
    client: ApiClient, repo: GitHubRepo, since: str | None, result: SourceResult,
    cursor: str | None,
) -> str | None:
    """Issues with the incident label updated since `since`, as incidents."""
    params: dict[str, Any] = {
        "labels": repo.incident_label, "state": "all", "sort": "updated", "direction": "asc",
        "per_page": PER_PAGE,
    }
    if since:
        params["since"] = since
    newest, rows = None, []
    for page in client.pages(f"repos/{repo.repo}/issues", params,
                             required=("number", "created_at", "updated_at")):
        for issue in page:
            newest = latest(newest, issue["updated_at"])
            row = issue_row(repo, issue)
            if row:
                rows.append(row)
    result.add("incidents", rows)
    return newest or cursor


def fetch_repo(
    cfg: GitHubConfig, repo: GitHubRepo, runtime: Runtime, cursors: dict[str, str]
) -> SourceResult:
    """Everything configured for one repository; raises ConnectorError on any failure."""
    key = source_key(repo)
    result = SourceResult(key, cursors=dict(cursors))
    common = cfg.common
    client = runtime.client(key, cfg.base_url, cfg.token_env, auth_headers, common.http,
                            API_HEADERS)
    with client:
        def since(stream: str) -> str | None:
            return since_for(cursors.get(stream), common.overlap_minutes, common.start_date)

        new: dict[str, str | None] = {}
        if repo.deployments_from == "deployments":
            new["deployments"] = fetch_deployments(
                client, repo, since("deployments"), result, cursors.get("deployments"), common,
                runtime)
        elif repo.deployments_from == "workflow_runs":
            new["workflow_runs"] = fetch_workflow_runs(
                client, repo, since("workflow_runs"), result, cursors.get("workflow_runs"),
                common, runtime)
        if repo.pull_requests:
            new["pulls"] = fetch_pulls(client, repo, since("pulls"), result, cursors.get("pulls"))
        if repo.incident_label:
            new["issues"] = fetch_issues(
                client, repo, since("issues"), result, cursors.get("issues"))
    result.cursors.update({k: v for k, v in new.items() if v})
    result.stats = client.stats
    return result


def run(cfg: GitHubConfig, runtime: Runtime) -> list[Outcome]:
    """Each configured repository is one source: fetched and committed on its own."""
    return [
        run_source(runtime, source_key(repo),
                   lambda cursors, repo=repo: fetch_repo(cfg, repo, runtime, cursors))
        for repo in cfg.repositories
    ]
