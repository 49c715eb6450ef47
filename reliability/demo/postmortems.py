"""Demo postmortems, written next to the demo generator's incidents.

`write_demo_postmortems(landing)` reads `<landing>/incidents/demo-incidents.csv` (written by
reliability/demo/) and writes `<landing>/postmortems/demo-<incident>.md` for the resolved
incidents that have a postmortem link, except the most recent one (its postmortem is "still being
written", so the review shows it as missing when its severity requires one). It also writes one
deliberately bad file (no root cause) so the rejects path has something to show. Output depends
only on the incidents file, so running it twice changes nothing.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

from reliability.demo import SERVICES

INCIDENTS_FILE = Path("incidents") / "demo-incidents.csv"
_TEAM = {s.name: s.team for s in SERVICES}

# (words in the incident title, cause category, root cause, lesson, action item)
_CAUSES = (
    (
        "database failover",
        "database-failover",
        "A primary database failover took longer than the connection pool's retry budget.",
        "Failovers are routine: clients must ride them out without user-visible errors.",
        "Retry with backoff across failovers in the connection pool",
    ),
    (
        "upstream timeouts",
        "upstream-dependency",
        "An upstream dependency slowed down and our timeouts were longer than the caller's.",
        "Timeouts must shrink along the call chain; a slow dependency must fail fast.",
        "Set per-dependency timeouts and a circuit breaker",
    ),
    (
        "slow responses",
        "capacity",
        "A release added a query per item, and latency grew with cart and form size.",
        "Load tests must use realistic payload sizes before a release.",
        "Add a latency budget check to the release pipeline",
    ),
    (
        "5xx",
        "bad-deploy",
        "A release shipped a code path that failed for a share of requests.",
        "Canary releases would have caught this on a few percent of traffic.",
        "Roll out through a canary stage with automatic rollback",
    ),
    (
        "notification",
        "queue-backlog",
        "The delivery queue backed up behind a slow consumer.",
        "Queue depth needs an alert before users notice delays.",
        "Alert on queue depth and consumer lag",
    ),
)


def _cause(title: str) -> tuple[str, str, str, str]:
    lowered = title.lower()
    for words, category, root, lesson, action in _CAUSES:
        if words in lowered:
            return category, root, lesson, action
    return "other", "Under investigation.", "To be written.", "Write the follow-up plan"


def _parse(ts: str) -> datetime | None:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None


def _postmortem(row: dict[str, str], newest_day: date) -> str:
    started, resolved = _parse(row["started_at"]), _parse(row["resolved_at"])
    assert started is not None and resolved is not None
    minutes = round((resolved - started).total_seconds() / 60)
    category, root, lesson, action = _cause(row["title"])
    team = _TEAM.get(row["service"], "platform")
    major = row["severity"] in ("sev1", "sev2")
    due = resolved.date() + timedelta(days=14 if major else 28)
    status = "done" if due < newest_day else "open"
    journey = row["journey"] or "no journey"
    return f"""---
incident_id: {row["incident_id"]}
title: "{row["title"]}"
date: {(resolved.date() + timedelta(days=2)).isoformat()}
cause: {category}
summary: "{row["service"]} degraded for {minutes} minutes ({row["severity"]})."
impact: "Users of {row["service"]} ({journey}) saw failures or slow pages for {minutes} minutes."
root_cause: "{root}"
lessons:
  - "{lesson}"
  - "Alerts on the SLO burn rate would have paged sooner than the first user report."
action_items:
  - title: "{action}"
    owner: {team}
    priority: {"high" if major else "medium"}
    due_date: {due.isoformat()}
    status: {status}
  - title: "Add a regression test for this failure mode"
    owner: {team}
    priority: medium
    due_date: {(due + timedelta(days=7)).isoformat()}
    status: open
---

# {row["incident_id"]}: {row["title"]}

Timeline, graphs and discussion go here (free Markdown; only the front matter is loaded).
"""


_BAD = """---
incident_id: {incident_id}
title: "Draft postmortem"
summary: "Started, never finished."
impact: "Unknown."
lessons: []
action_items:
  - title: "Find out what happened"
    owner: someone
    priority: urgent
    due_date: next week
---
A draft without a root cause: the loader rejects it and says why.
"""


def write_demo_postmortems(landing: Path) -> list[Path]:
    """Write the demo postmortems for the demo incidents in `landing`; return the files written.

    Does nothing (returns []) when the landing folder has no demo incidents file. Earlier
    ``demo-*`` postmortems are replaced; other files are left alone.
    """
    source = landing / INCIDENTS_FILE
    if not source.is_file():
        return []
    with source.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("incident_id") and _safe(r)]
    folder = landing / "postmortems"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("demo-*.md"):
        old.unlink()
    done = sorted(
        (r for r in rows if r["resolved_at"] and r["postmortem_url"]), key=lambda r: r["started_at"]
    )
    written = []
    if done:
        newest_day = max(_parse(r["resolved_at"]).date() for r in done)  # type: ignore[union-attr]
        for row in done[:-1]:  # the newest one is still being written
            path = folder / f"demo-{row['incident_id'].lower()}.md"
            path.write_text(_postmortem(row, newest_day), encoding="utf-8")
            written.append(path)
    drafts = [r for r in rows if not r["postmortem_url"]]
    if drafts:
        path = folder / "demo-draft.md"
        path.write_text(_BAD.format(incident_id=drafts[0]["incident_id"]), encoding="utf-8")
        written.append(path)
    return written


def _safe(row: dict[str, str]) -> bool:
    """Rows the loader accepted (the demo writes a few malformed incidents on purpose)."""
    try:
        return _parse(row["started_at"]) is not None and (
            not row["resolved_at"] or _parse(row["resolved_at"]) is not None
        )
    except ValueError:
        return False
