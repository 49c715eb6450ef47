"""Four Keys import: an exported `events_raw` table (CSV or JSON Lines, plain or gzipped) into
deployments, changes and incidents, following Four Keys' own queries (dora-team/fourkeys
`queries/deployments.sql`, `changes.sql`, `incidents.sql`):

- deployments: GitHub `deployment_status` events whose `deployment_status.state` is `success`
  (id = the event id, time = `time_created`, commit = `deployment.sha`, plus
  `deployment.additional_sha`), and GitLab `deployment` events with `status` `success` (commit from
  `commit_url`).
- changes: every commit of every `push` event (id = commit id, time = commit `timestamp`). A change
  is linked to the deployment whose main (or additional) commit is the head commit of its push, as
  Four Keys does; only production deployments (the config's `production_environments`) are linked.
- incidents: `issues` / `issue_comment` (GitHub) and `issue` / `note` (GitLab) events, grouped per
  issue, kept when one of them carries the incident label (Four Keys: `Incident`). Resolved = the
  latest `closed_at`; root cause = `root cause: <sha>` anywhere in the event. Like Four Keys, an
  incident starts at the earlier of the issue's creation and the deployment that shipped its root
  cause; `detected_at` keeps the issue's creation, `caused_by_deployment_id` that deployment.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reliability.config.connectors import FourKeysConfig
from reliability.connectors.http import ConnectorError, describe
from reliability.connectors.runner import Outcome, Runtime
from reliability.connectors.state import CursorStore, SourceResult, commit
from reliability.connectors.timeutil import earliest, iso, latest, parse_ts

SOURCE_KEY = "fourkeys"
COLUMNS = ("event_type", "id", "metadata", "time_created", "signature", "msg_id", "source")
ROOT_CAUSE = re.compile(r"root cause: ([0-9A-Za-z]*)")
GITLAB_COMMIT = re.compile(r".*commit/(.*)")
SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json")


# ---- reading the export --------------------------------------------------------------------


def export_files(paths: Iterable[Path]) -> list[Path]:
    """The export files: given files, and the CSV / JSON Lines files inside given folders."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and _kind(p))
        elif path.is_file():
            out.append(path)
        else:
            raise ConnectorError(f"{SOURCE_KEY}: export file or folder not found: {path}")
    return out


def _kind(path: Path) -> str | None:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    return "jsonl" if name.endswith(SUFFIXES[1:]) else None


def _bad(path: Path, where: str, problem: str) -> ConnectorError:
    return ConnectorError(f"{SOURCE_KEY}: {path}{where}: {problem}. Nothing was written; the "
                          "cursor is unchanged.")


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise _bad(path, "", f"not a complete gzip file ({exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _bad(path, f" line {line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                   "export the table as UTF-8 CSV or JSON Lines") from None


def _json_rows(path: Path, text: str) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise _bad(path, f" line {n}", f"not JSON ({exc.args[0].split(':')[0]}); expected one "
                       "events_raw row as a JSON object per line") from None
        if not isinstance(row, dict):
            raise _bad(path, f" line {n}", f"expected a JSON object (one events_raw row), got "
                       f"{describe(row)}")
        rows.append(row)
    return rows


def read_events(path: Path) -> list[dict[str, Any]]:
    """The rows of one export file, with `metadata` parsed from its JSON string."""
    text = _decode(path)
    if _kind(path) == "csv":
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise _bad(path, "", f"not a readable CSV file ({exc})") from None
    else:
        rows = _json_rows(path, text)
    missing = [c for c in ("event_type", "id", "metadata", "time_created", "source")
               if rows and c not in rows[0]]
    if missing:
        raise ConnectorError(f"{SOURCE_KEY}: {path} is not an events_raw export "
                             f"(missing column(s) {', '.join(missing)})")
    for n, row in enumerate(rows, start=1):
        where = f" row {n} (id {row.get('id')!r})"
        for column in ("event_type", "id", "time_created"):
            if not isinstance(row.get(column), str | int) or row.get(column) == "":
                raise _bad(path, where, f"'{column}' is missing or not text")
        meta = row.get("metadata")
        row["_raw_metadata"] = meta if isinstance(meta, str) else json.dumps(meta)
        try:
            row["metadata"] = json.loads(meta) if isinstance(meta, str) and meta else (meta or {})
        except ValueError:
            raise _bad(path, where, "'metadata' is not JSON; expected the webhook payload as a "
                       "JSON object") from None
        if not isinstance(row["metadata"], dict):
            raise _bad(path, where, f"'metadata': expected a JSON object, got "
                       f"{describe(row['metadata'])}")
    return rows


# ---- pure mappings -------------------------------------------------------------------------


def _repo(meta: dict[str, Any]) -> str | None:
    repo = meta.get("repository") or {}
    project = meta.get("project") or {}
    return repo.get("full_name") or project.get("path_with_namespace") or repo.get("name")


def service_of(cfg: FourKeysConfig, meta: dict[str, Any]) -> str:
    """Mapped from the repository's full name or name, else the default, else the repo name."""
    repo = meta.get("repository") or {}
    project = meta.get("project") or {}
    for key in (repo.get("full_name"), repo.get("name"), project.get("path_with_namespace"),
                project.get("name")):
        if key and key in cfg.repositories:
            return cfg.repositories[key]
    return cfg.default_service or repo.get("name") or project.get("name") or "unknown"


def deployment_of(cfg: FourKeysConfig, event: dict[str, Any]) -> dict[str, Any] | None:
    """A successful deployment event (GitHub deployment_status, GitLab deployment), else None."""
    meta, source = event["metadata"], event.get("source") or ""
    if source.startswith("github") and event["event_type"] == "deployment_status":
        if (meta.get("deployment_status") or {}).get("state") != "success":
            return None
        dep = meta.get("deployment") or {}
        env = dep.get("environment") or meta["deployment_status"].get("environment")
        main, extra = dep.get("sha"), list(dep.get("additional_sha") or [])
        started = dep.get("created_at")
    elif source.startswith("gitlab") and event["event_type"] == "deployment":
        if meta.get("status") != "success":
            return None
        m = GITLAB_COMMIT.match(meta.get("commit_url") or "")
        env, main, extra = meta.get("environment"), (m.group(1) if m else None), []
        started = None
    else:
        return None
    return {
        "deployment_id": f"fourkeys:{source}:{event['id']}",
        "service": service_of(cfg, meta),
        "environment": env or "production",
        "status": "success",
        "finished_at": iso(event["time_created"]),
        "started_at": iso(started),
        "commit_sha": main,
        "source": f"fourkeys:{source}",
        "_commits": [c for c in [main, *extra] if c],
    }


def changes_of(cfg: FourKeysConfig, event: dict[str, Any]) -> list[dict[str, Any]]:
    """Every commit of a push event as a change."""
    if event["event_type"] != "push":
        return []
    meta = event["metadata"]
    return [
        {
            "change_id": c["id"],
            "service": service_of(cfg, meta),
            "first_committed_at": iso(c["timestamp"]),
            "commit_sha": c["id"],
            "source": f"fourkeys:{event.get('source')}",
            "_push": event["id"],
        }
        for c in meta.get("commits") or []
        if c.get("id") and c.get("timestamp")
    ]


def issue_fact(cfg: FourKeysConfig, event: dict[str, Any]) -> dict[str, Any] | None:
    """What one issue event says about its incident (None if not an issue event)."""
    meta, source, kind = event["metadata"], event.get("source") or "", event["event_type"]
    if source.startswith("github") and kind.startswith("issue") and meta.get("issue"):
        issue = meta["issue"]
        number, created, closed = issue.get("number"), issue.get("created_at"), \
            issue.get("closed_at")
        labels = [lab.get("name") for lab in issue.get("labels") or []]
        title = issue.get("title")
    elif source.startswith("gitlab") and (
        kind == "issue" or (kind == "note" and
                            (meta.get("object_attributes") or {}).get("noteable_type") == "Issue")
    ):
        attrs = meta.get("object_attributes") or {}
        issue = meta.get("issue") or attrs if kind == "note" else attrs
        number = issue.get("iid") or attrs.get("noteable_id")
        created, closed = issue.get("created_at"), issue.get("closed_at")
        labels = [lab.get("title") for lab in (issue.get("labels") or meta.get("labels") or [])]
        title = issue.get("title")
    else:
        return None
    m = ROOT_CAUSE.search(event["_raw_metadata"])
    return {
        "incident_id": f"{_repo(meta) or source}#{number}",
        "service": service_of(cfg, meta),
        "created": iso(created or event["time_created"]),
        "closed": iso(closed),
        "root_cause": (m.group(1) or None) if m else None,
        "is_incident": cfg.incident_label in labels,
        "title": title,
        "time": iso(event["time_created"]),
        "source": f"fourkeys:{source}",
    }


def _matches(sha: str, commit_sha: str) -> bool:
    return sha == commit_sha or (len(sha) >= 7 and commit_sha.startswith(sha))


def convert(cfg: FourKeysConfig, events: list[dict[str, Any]]) -> dict[str, list[dict]]:
    """All events -> contract rows for deployments, changes and incidents."""
    deployments = [d for e in events if (d := deployment_of(cfg, e))]
    deployments.sort(key=lambda d: parse_ts(d["finished_at"]))
    changes: dict[str, dict[str, Any]] = {}
    for e in sorted(events, key=lambda e: parse_ts(e["time_created"])):
        for ch in changes_of(cfg, e):
            changes.setdefault(ch["change_id"], ch)

    production = set(cfg.production_environments)
    shipped: dict[str, list[dict[str, Any]]] = {}  # change id -> deployments containing it
    by_push: dict[str, list[dict[str, Any]]] = {}
    for ch in changes.values():
        by_push.setdefault(ch["_push"], []).append(ch)
    for dep in deployments:
        for sha in dep["_commits"]:
            for ch in by_push.get(sha, []):
                shipped.setdefault(ch["change_id"], []).append(dep)
    for ch in changes.values():
        prod = [d for d in shipped.get(ch["change_id"], []) if d["environment"] in production]
        ch["deployment_id"] = prod[0]["deployment_id"] if prod else None

    def root_deployment(sha: str) -> dict[str, Any] | None:
        hits = [d for cid, deps in shipped.items() if _matches(sha, cid) for d in deps]
        hits += [d for d in deployments if any(_matches(sha, c) for c in d["_commits"])]
        return min(hits, key=lambda d: parse_ts(d["finished_at"])) if hits else None

    facts: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if (fact := issue_fact(cfg, e)) is not None:
            facts.setdefault(fact["incident_id"], []).append(fact)
    incidents = []
    for incident_id, group in facts.items():
        if not any(f["is_incident"] for f in group):
            continue
        group.sort(key=lambda f: parse_ts(f["time"]))
        cause = next((f["root_cause"] for f in group if f["root_cause"]), None)
        dep = root_deployment(cause) if cause else None
        detected = earliest(*(f["created"] for f in group))
        incidents.append({
            "incident_id": incident_id,
            "service": group[-1]["service"],
            "started_at": earliest(detected, dep["finished_at"] if dep else None),
            "detected_at": detected,
            "resolved_at": latest(*(f["closed"] for f in group)),
            "title": group[-1]["title"],
            "root_cause_sha": cause,
            "caused_by_deployment_id": dep["deployment_id"] if dep else None,
            "source": group[-1]["source"],
        })

    def public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    return {
        "deployments": [public(d) for d in deployments],
        "changes": [public(c) for c in changes.values()],
        "incidents": incidents,
    }


# ---- running -------------------------------------------------------------------------------


def fetch(cfg: FourKeysConfig, cursors: dict[str, str]) -> SourceResult | None:
    """The import, or None when the export files are unchanged since the last import."""
    files = export_files(cfg.paths)
    if not files:
        raise ConnectorError(f"{SOURCE_KEY}: no CSV or JSON Lines export found in "
                             f"{', '.join(map(str, cfg.paths))}")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    checksum = digest.hexdigest()
    if cursors.get("imported_sha256") == checksum:
        return None
    events = [e for path in files for e in read_events(path)]
    result = SourceResult(SOURCE_KEY, cursors={**cursors, "imported_sha256": checksum})
    for dataset, rows in convert(cfg, events).items():
        result.add(dataset, rows)
    result.stats.pages = len(files)
    return result


def run(cfg: FourKeysConfig, runtime: Runtime) -> list[Outcome]:
    """Import the export (skipped when unchanged); a bad file writes nothing."""
    store = CursorStore(runtime.landing, SOURCE_KEY)
    try:
        result = fetch(cfg, store.load())
    except (ConnectorError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else \
            f"{type(exc).__name__}: {exc}"
        message = str(exc) if isinstance(exc, ConnectorError) else (
            f"{SOURCE_KEY}: cannot import the export "
            f"({', '.join(map(str, cfg.paths))}): an event of an unexpected shape: {detail}. "
            "Nothing was written; the cursor is unchanged.")
        return [Outcome(SOURCE_KEY, error=runtime.secrets.redact(message))]
    if result is None:
        return [Outcome(SOURCE_KEY, result=SourceResult(SOURCE_KEY, cursors=store.load()))]
    commit(runtime.landing, result, runtime.now())
    return [Outcome(SOURCE_KEY, result=result)]
