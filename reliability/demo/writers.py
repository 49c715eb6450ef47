"""Writers for the small datasets: deployments (CSV), changes (gzipped JSON Lines) and
incidents (CSV)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from reliability.demo.model import (
    _JOURNEYS,
    _SERVICE,
    _Change,
    _Deploy,
    _Incident,
    _iso,
    _pick_offset,
    _sha,
    _write,
)

# --------------------------------------------------------------------------------------------
# Writers for the small datasets
# --------------------------------------------------------------------------------------------


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _write_deployments(
    landing: Path, deploys: list[_Deploy], rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """deployments/demo-deployments.csv, with three malformed rows."""
    header = [
        "deployment_id",
        "service",
        "environment",
        "status",
        "started_at",
        "finished_at",
        "commit_sha",
        "deployment_type",
        "fixes_incident_id",
        "team",
    ]
    rows = []
    for d in deploys:
        offset = _pick_offset(rng)
        dtype = "" if d.dtype == "normal" and rng.random() < 0.2 else d.dtype
        team = _SERVICE[d.service].team if rng.random() < 0.5 else ""
        rows.append(
            [
                d.id,
                d.service,
                d.environment,
                d.status,
                _iso(d.started, offset),
                _iso(d.finished, offset),
                d.sha,
                dtype,
                d.fixes.id if d.fixes else "",
                team,
            ]
        )
    n = len(deploys)
    year = deploys[-1].finished.year if deploys else 2026
    bad = [
        [
            f"dep-{n + 1:05d}",
            "catalog-api",
            "production",
            "success",
            "",
            f"{year}-02-31T10:15:00Z",
            _sha(rng),
            "normal",
            "",
            "",
        ],
        [
            f"dep-{n + 2:05d}",
            "checkout-api",
            "production",
            "maybe",
            "",
            _iso(deploys[n // 2].finished) if deploys else "",
            _sha(rng),
            "normal",
            "",
            "payments",
        ],
        [
            f"dep-{n + 3:05d}",
            "",
            "production",
            "success",
            "",
            _iso(deploys[-1].finished) if deploys else "",
            _sha(rng),
            "",
            "",
            "",
        ],
    ]
    for row in bad:
        rows.insert(int(rng.integers(0, len(rows) + 1)), row)
    path = _write(landing / "deployments" / "demo-deployments.csv", _csv_bytes(header, rows))
    return [path], len(rows), len(bad)


def _write_changes(
    landing: Path, changes: list[_Change], rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """changes/demo-changes.jsonl.gz (with an extra `repository` field), three malformed lines."""
    lines = []
    for c in changes:
        offset = _pick_offset(rng)
        record = {
            "change_id": c.id,
            "service": c.service,
            "first_committed_at": _iso(c.first_commit, offset),
            "opened_at": _iso(c.opened, offset) or None,
            "merged_at": _iso(c.merged, offset) or None,
            "commit_sha": c.sha,
            "deployment_id": c.deploy.id if c.deploy else None,
            "repository": _SERVICE[c.service].repo,
        }
        lines.append(json.dumps(record, separators=(",", ":")))
    sample = changes[len(changes) // 2] if changes else None
    when = _iso(sample.merged or sample.first_commit) if sample else ""
    bad = [
        '{"change_id":"acme/catalog-api#99999","service":"catalog-api","first_committed_at":"20',
        json.dumps(
            {
                "change_id": "acme/signup-service#99998",
                "service": "signup-service",
                "first_committed_at": "last tuesday",
                "opened_at": None,
                "merged_at": when,
                "commit_sha": _sha(rng),
                "deployment_id": None,
                "repository": "acme/signup-service",
            },
            separators=(",", ":"),
        ),
        json.dumps(
            {
                "change_id": "acme/checkout-api#99997",
                "service": None,
                "first_committed_at": when,
                "opened_at": None,
                "merged_at": when,
                "commit_sha": _sha(rng),
                "deployment_id": None,
                "repository": "acme/checkout-api",
            },
            separators=(",", ":"),
        ),
    ]
    for text in bad:
        lines.insert(int(rng.integers(0, len(lines) + 1)), text)
    data = ("\n".join(lines) + "\n").encode()
    path = _write(landing / "changes" / "demo-changes.jsonl.gz", data, compress=True)
    return [path], len(lines), len(bad)


def _write_incidents(
    landing: Path, incidents: list[_Incident], t1: datetime, rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """incidents/demo-incidents.csv, with two malformed rows."""
    header = [
        "incident_id",
        "service",
        "started_at",
        "detected_at",
        "resolved_at",
        "severity",
        "title",
        "journey",
        "caused_by_deployment_id",
        "root_cause_sha",
        "postmortem_url",
    ]
    journeys = {svc: name for name, svc, *_ in _JOURNEYS}
    rows = []
    for inc in incidents:
        offset = 60 if rng.random() < 0.1 else 0
        major = inc.severity in ("sev1", "sev2")
        journey = journeys.get(inc.service, "") if major or rng.random() < 0.3 else ""
        wants_pm = inc.severity in ("sev1", "sev2") or rng.random() < 0.2
        postmortem = (
            f"https://wiki.example.com/postmortems/{inc.id.lower()}"
            if wants_pm and inc.resolved is not None
            else ""
        )
        cause = inc.cause
        rows.append(
            [
                inc.id,
                inc.service,
                _iso(inc.start, offset),
                _iso(inc.detected, offset),
                _iso(inc.resolved, offset),
                inc.severity,
                inc.title,
                journey,
                cause.id if cause is not None and inc.link == "explicit" else "",
                cause.sha if cause is not None and inc.link == "sha" else "",
                postmortem,
            ]
        )
    n = len(incidents)
    mid = _iso(t1 - timedelta(days=3))
    bad = [
        [
            f"INC-{n + 1:04d}",
            "catalog-api",
            "2026-13-01T09:00:00Z",
            "",
            "",
            "sev3",
            "Imported from the old tracker",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "checkout-api",
            mid,
            mid,
            "",
            "sev4",
            "Incident without an id",
            "checkout",
            "",
            "",
            "",
        ],
    ]
    for row in bad:
        rows.insert(int(rng.integers(0, len(rows) + 1)), row)
    path = _write(landing / "incidents" / "demo-incidents.csv", _csv_bytes(header, rows))
    return [path], len(rows), len(bad)
