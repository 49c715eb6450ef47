"""Every dora_weekly number against an independent plain-Python computation.

The computation reads the demo's landing files (not the warehouse), applies the input contract's
row rules (required values, parsable timestamps, allowed values, last version of a key wins) and
then the documented definitions (docs/metrics-dora.md) with plain loops, searches
and sorting:
no SQL and no code shared with the dbt models.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from reliability.config import ReliabilityConfig, load_config
from reliability.settings import PROJECT_ROOT, Paths

BANDS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "dora_performance_bands.csv"
FIRST_DEPLOYMENT_LOOKBACK = timedelta(days=14)  # dbt var dora_first_deployment_lookback_days
TRAILING_WEEKS = 4
ABS_TOLERANCE = 1e-6  # minutes / ratios; the warehouse stores doubles


# ---------------------------------------------------------------------------------------------
# Reading the landing files under the input contract
# ---------------------------------------------------------------------------------------------


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 (UTC when no offset) or epoch seconds / milliseconds, as an aware UTC datetime."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text)  # raises ValueError on bad values
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    seconds = number / 1000 if abs(number) >= 1e11 else number
    return datetime.fromtimestamp(seconds, tz=UTC)


def text(value: Any) -> str | None:
    """A trimmed string, None when empty."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8")
    return path.open(encoding="utf-8", newline="")


def read_records(folder: Path) -> Iterator[dict[str, Any]]:
    """Records of every CSV / JSON Lines / Parquet file (plain or gzipped) in a dataset folder."""
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        name = path.name.removesuffix(".gz")
        if name.endswith(".parquet"):
            yield from pq.read_table(path).to_pylist()
        elif name.endswith(".csv"):
            with _open_text(path) as handle:
                yield from csv.DictReader(handle)
        elif name.endswith((".jsonl", ".json", ".ndjson")):
            with _open_text(path) as handle:
                for line in handle:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(record, dict):
                        yield record


def valid_rows(
    folder: Path,
    key: str,
    required: tuple[str, ...],
    timestamps: tuple[str, ...],
    allowed: dict[str, set[str]],
) -> dict[str, dict[str, Any]]:
    """Rows that pass the contract's row rules, by key; a later version of a key replaces it."""
    rows: dict[str, dict[str, Any]] = {}
    for record in read_records(folder):
        row = {k: text(v) for k, v in record.items()}
        if any(row.get(col) is None for col in required):
            continue
        try:
            for col in timestamps:
                row[col] = parse_timestamp(row.get(col))
        except ValueError:
            continue
        for col in allowed:
            if row.get(col) is not None:
                row[col] = row[col].lower()
        if any(row.get(col) not in {None, *values} for col, values in allowed.items()):
            continue
        rows[row[key]] = row
    return rows


@dataclass(frozen=True)
class Deployment:
    id: str
    service: str
    team: str | None
    finished: datetime
    sha: str | None
    type: str
    fixes: str | None
    counted: bool


@dataclass(frozen=True)
class Change:
    id: str
    service: str
    first_commit: datetime
    merged: datetime | None
    explicit: str | None


@dataclass(frozen=True)
class Incident:
    id: str
    service: str
    started: datetime
    resolved: datetime | None
    caused_by: str | None
    root_cause_sha: str | None


def load_deployments(landing: Path, config: ReliabilityConfig) -> list[Deployment]:
    rows = valid_rows(
        landing / "deployments", "deployment_id",
        ("deployment_id", "service", "environment", "status", "finished_at"),
        ("finished_at", "started_at"),
        {"status": {"success", "failure"}, "deployment_type": {"normal", "hotfix", "rollback"}},
    )
    production = {env.lower() for env in config.production_environments}
    return [
        Deployment(
            id=r["deployment_id"], service=r["service"],
            team=r.get("team") or config.team_of(r["service"]),
            finished=r["finished_at"], sha=r.get("commit_sha"),
            type=r.get("deployment_type") or "normal", fixes=r.get("fixes_incident_id"),
            counted=r["status"] == "success" and r["environment"].lower() in production,
        )
        for r in rows.values()
    ]


def load_changes(landing: Path) -> list[Change]:
    rows = valid_rows(
        landing / "changes", "change_id", ("change_id", "service", "first_committed_at"),
        ("first_committed_at", "opened_at", "merged_at"), {},
    )
    return [
        Change(r["change_id"], r["service"], r["first_committed_at"], r.get("merged_at"),
               r.get("deployment_id"))
        for r in rows.values()
    ]


def load_incidents(landing: Path) -> list[Incident]:
    rows = valid_rows(
        landing / "incidents", "incident_id", ("incident_id", "service", "started_at"),
        ("started_at", "detected_at", "resolved_at"), {},
    )
    return [
        Incident(r["incident_id"], r["service"], r["started_at"], r.get("resolved_at"),
                 r.get("caused_by_deployment_id"), r.get("root_cause_sha"))
        for r in rows.values()
    ]


# ---------------------------------------------------------------------------------------------
# The definitions, in plain Python
# ---------------------------------------------------------------------------------------------


def minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def week_of(moment: datetime) -> date:
    """Monday of the ISO week (UTC)."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (SQL percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def shipping_deployment(change: Change, counted: dict[str, list[Deployment]],
                        by_id: dict[str, Deployment]) -> Deployment | None:
    """Explicit counted deployment, else the first counted one of the service at/after the anchor
    (the service's first counted deployment only within the look-back)."""
    explicit = by_id.get(change.explicit) if change.explicit else None
    if explicit is not None and explicit.counted:
        return explicit
    anchor = change.merged or change.first_commit
    sequence = counted.get(change.service, [])
    for index, deployment in enumerate(sequence):
        if deployment.finished >= anchor:
            if index == 0 and deployment.finished - anchor > FIRST_DEPLOYMENT_LOOKBACK:
                return None
            return deployment
    return None


def causing_deployment(incident: Incident, counted_list: list[Deployment],
                       window: timedelta) -> tuple[Deployment | None, str | None]:
    """The one counted deployment an incident is attributed to, and the rule that found it."""
    for deployment in counted_list:
        if deployment.id == incident.caused_by:
            return deployment, "explicit"
    sha = incident.root_cause_sha
    same_sha = [d for d in counted_list if sha and d.sha == sha]
    if same_sha:
        return min(same_sha, key=lambda d: (d.finished, d.id)), "root_cause_sha"
    earliest, latest = incident.started - window, incident.started
    in_window = [
        d for d in counted_list
        if d.service == incident.service and earliest <= d.finished <= latest
    ]
    if in_window:
        return max(in_window, key=lambda d: (d.finished, d.id)), "time_window"
    return None, None


@dataclass
class Facts:
    """Fact rows with the scope names (service, team) they belong to."""

    deployments: list[dict[str, Any]] = field(default_factory=list)  # counted only
    changes: list[dict[str, Any]] = field(default_factory=list)  # valid lead times only
    incidents: list[dict[str, Any]] = field(default_factory=list)
    data_weeks: set[date] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)
    non_positive_lead_times: set[str] = field(default_factory=set)
    undeployed_changes: set[str] = field(default_factory=set)
    unattributed_incidents: set[str] = field(default_factory=set)
    open_incidents: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)


def build_facts(landing: Path, config: ReliabilityConfig) -> Facts:
    deployments = load_deployments(landing, config)
    by_id = {d.id: d for d in deployments}
    counted_list = sorted((d for d in deployments if d.counted), key=lambda d: (d.finished, d.id))
    counted: dict[str, list[Deployment]] = {}
    for d in counted_list:
        counted.setdefault(d.service, []).append(d)
    window = timedelta(hours=config.attribution_window_hours)
    facts = Facts()
    facts.services |= {s.name for s in config.services} | {d.service for d in deployments}
    facts.teams |= {s.team for s in config.services} | {d.team for d in deployments if d.team}
    facts.data_weeks |= {week_of(d.finished) for d in deployments}

    failed: set[str] = set()
    for incident in load_incidents(landing):
        cause, method = causing_deployment(incident, counted_list, window)
        team = config.team_of(incident.service) or (cause.team if cause else None)
        resolved = incident.resolved
        ttr = minutes(incident.started, resolved) if resolved else None
        recovery = minutes(cause.finished, resolved) if cause and resolved else None
        facts.incidents.append({
            "service": incident.service, "team": team, "week": week_of(incident.started),
            "is_open": resolved is None,
            "ttr": ttr if ttr is not None and ttr >= 0 else None,
            "recovery": recovery if recovery is not None and recovery >= 0 else None,
        })
        facts.data_weeks.add(week_of(incident.started))
        facts.services.add(incident.service)
        facts.teams |= {team} if team else set()
        if cause:
            failed.add(cause.id)
            facts.methods.add(method or "")
        else:
            facts.unattributed_incidents.add(incident.id)
        if resolved is None:
            facts.open_incidents.add(incident.id)

    for sequence in counted.values():
        for previous, current in zip(sequence, sequence[1:], strict=False):
            if current.type == "rollback" and current.fixes is None:
                failed.add(previous.id)

    for d in counted_list:
        facts.deployments.append({
            "service": d.service, "team": d.team, "week": week_of(d.finished),
            "day": d.finished.astimezone(UTC).date(), "failed": d.id in failed,
            "rework": d.type in ("hotfix", "rollback") or d.fixes is not None,
        })

    for change in load_changes(landing):
        shipped = shipping_deployment(change, counted, by_id)
        if shipped is None:
            facts.undeployed_changes.add(change.id)
            continue
        facts.services.add(change.service)
        facts.teams |= {shipped.team} if shipped.team else set()
        lead = minutes(change.first_commit, shipped.finished)
        if lead <= 0:
            facts.non_positive_lead_times.add(change.id)
            continue
        facts.changes.append({
            "service": change.service, "team": shipped.team, "week": week_of(shipped.finished),
            "lead": lead,
        })
    return facts


def in_scope(row: dict[str, Any], scope: str, name: str) -> bool:
    return scope == "all" or row[scope] == name


Bands = dict[str, list[tuple[str, str, float]]]  # metric -> [(band, comparison, threshold)]


def load_bands(year: int) -> Bands:
    """metric -> [(band, comparison, threshold)] by rank, from the seed file."""
    with BANDS_SEED.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["report_year"]) == year]
    bands: Bands = {}
    for r in sorted(rows, key=lambda r: int(r["band_rank"])):
        bands.setdefault(r["metric"], []).append(
            (r["band"], r["comparison"], float(r["threshold"])))
    return bands


COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t, ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t, "<": lambda v, t: v < t,
}


def band(bands: Bands, metric: str, value: float | None) -> str | None:
    if value is None:
        return None
    return next((name for name, op, limit in bands[metric] if COMPARE[op](value, limit)), None)


def week_metrics(facts: Facts, scope: str, name: str, weeks: Iterable[date]) -> dict[str, Any]:
    """Counts and samples over the given weeks for one scope."""
    wanted = set(weeks)
    deps = [d for d in facts.deployments if d["week"] in wanted and in_scope(d, scope, name)]
    leads = [c["lead"] for c in facts.changes if c["week"] in wanted and in_scope(c, scope, name)]
    incs = [i for i in facts.incidents if i["week"] in wanted and in_scope(i, scope, name)]
    return {
        "deployments": len(deps),
        "deploy_days": len({d["day"] for d in deps}),
        "failed": sum(d["failed"] for d in deps),
        "rework": sum(d["rework"] for d in deps),
        "leads": leads,
        "incidents": len(incs),
        "open": sum(i["is_open"] for i in incs),
        "ttr": [i["ttr"] for i in incs if i["ttr"] is not None],
        "recovery": [i["recovery"] for i in incs if i["recovery"] is not None],
    }


def weekly_rows(facts: Facts, year: int) -> dict[tuple[str, str, date], dict[str, Any]]:
    """The expected dora_weekly, by (scope, scope_name, week_start)."""
    bands = load_bands(year)
    first, last = min(facts.data_weeks), max(facts.data_weeks)
    weeks = [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    scopes = ([("service", s) for s in facts.services] + [("team", t) for t in facts.teams]
              + [("all", "all")])
    expected = {}
    for scope, name in scopes:
        for index, week in enumerate(weeks):
            w = week_metrics(facts, scope, name, [week])
            trailing = weeks[max(0, index - TRAILING_WEEKS + 1): index + 1]
            t = week_metrics(facts, scope, name, trailing)
            n = len(trailing)
            row = {
                "deployments": w["deployments"],
                "deploy_days": w["deploy_days"],
                "deployment_frequency_per_day": w["deployments"] / 7,
                "lead_time_changes": len(w["leads"]),
                "lead_time_median_minutes": percentile(w["leads"], 0.5),
                "lead_time_p90_minutes": percentile(w["leads"], 0.9),
                "failed_deployments": w["failed"],
                "change_fail_rate": ratio(w["failed"], w["deployments"]),
                "recovered_failures": len(w["recovery"]),
                "failed_deployment_recovery_median_minutes": percentile(w["recovery"], 0.5),
                "failed_deployment_recovery_p90_minutes": percentile(w["recovery"], 0.9),
                "time_to_restore_median_minutes": percentile(w["ttr"], 0.5),
                "time_to_restore_p90_minutes": percentile(w["ttr"], 0.9),
                "rework_deployments": w["rework"],
                "rework_rate": ratio(w["rework"], w["deployments"]),
                "incidents": w["incidents"],
                "open_incidents": w["open"],
                "trailing_weeks": n,
                "deployments_4w": t["deployments"],
                "deploy_days_4w": t["deploy_days"],
                "deployment_frequency_per_day_4w": t["deployments"] / (7 * n),
                "deploy_days_per_week_4w": t["deploy_days"] / n,
                "lead_time_median_minutes_4w": percentile(t["leads"], 0.5),
                "failed_deployments_4w": t["failed"],
                "change_fail_rate_4w": ratio(t["failed"], t["deployments"]),
                "failed_deployment_recovery_median_minutes_4w": percentile(t["recovery"], 0.5),
                "rework_deployments_4w": t["rework"],
                "rework_rate_4w": ratio(t["rework"], t["deployments"]),
                "band_report_year": year,
            }
            for suffix, days_per_week in (("", w["deploy_days"]), ("_4w", t["deploy_days"] / n)):
                row[f"deployment_frequency_band{suffix}"] = band(
                    bands, "deployment_frequency", days_per_week)
                row[f"lead_time_band{suffix}"] = band(
                    bands, "change_lead_time", row[f"lead_time_median_minutes{suffix}"])
                row[f"change_fail_rate_band{suffix}"] = band(
                    bands, "change_fail_rate", row[f"change_fail_rate{suffix}"])
                row[f"failed_deployment_recovery_band{suffix}"] = band(
                    bands, "failed_deployment_recovery_time",
                    row[f"failed_deployment_recovery_median_minutes{suffix}"])
            expected[(scope, name, week)] = row
    return expected


# ---------------------------------------------------------------------------------------------
# Fixtures and tests
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def config(demo_paths: Paths) -> ReliabilityConfig:
    return load_config(demo_paths.config)


@pytest.fixture(scope="module")
def facts(demo_paths: Paths, config: ReliabilityConfig) -> Facts:
    return build_facts(demo_paths.landing, config)


@pytest.fixture(scope="module")
def expected(facts: Facts, config: ReliabilityConfig) -> dict[tuple[str, str, date], dict]:
    return weekly_rows(facts, config.dora_report_year)


def query(paths: Paths, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def actual(demo_paths: Paths) -> dict[tuple[str, str, date], dict]:
    rows = query(demo_paths, "select * from marts.dora_weekly")
    return {(r["scope"], r["scope_name"], r["week_start"]): r for r in rows}


def test_same_scopes_and_weeks(expected: dict, actual: dict) -> None:
    assert sorted(actual) == sorted(expected)


COLUMNS = [
    "deployments", "deploy_days", "deployment_frequency_per_day", "lead_time_changes",
    "lead_time_median_minutes", "lead_time_p90_minutes", "failed_deployments", "change_fail_rate",
    "recovered_failures", "failed_deployment_recovery_median_minutes",
    "failed_deployment_recovery_p90_minutes", "time_to_restore_median_minutes",
    "time_to_restore_p90_minutes", "rework_deployments", "rework_rate", "incidents",
    "open_incidents", "trailing_weeks", "deployments_4w", "deploy_days_4w",
    "deployment_frequency_per_day_4w", "deploy_days_per_week_4w", "lead_time_median_minutes_4w",
    "failed_deployments_4w", "change_fail_rate_4w",
    "failed_deployment_recovery_median_minutes_4w", "rework_deployments_4w", "rework_rate_4w",
    "deployment_frequency_band", "lead_time_band", "change_fail_rate_band",
    "failed_deployment_recovery_band", "deployment_frequency_band_4w", "lead_time_band_4w",
    "change_fail_rate_band_4w", "failed_deployment_recovery_band_4w", "band_report_year",
]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9,
                                                                 abs_tol=ABS_TOLERANCE)
    return a == b


@pytest.mark.parametrize("column", COLUMNS)
def test_every_number_matches(column: str, expected: dict, actual: dict) -> None:
    mismatches = [
        (key, actual[key][column], row[column])
        for key, row in sorted(expected.items())
        if key in actual and not same(actual[key][column], row[column])
    ]
    assert not mismatches, f"{column}: (key, warehouse, independent) {mismatches[:5]}"


def test_every_column_is_checked(actual: dict) -> None:
    """A new dora_weekly column must be added to the independent computation."""
    columns = set(next(iter(actual.values())))
    assert columns - {"dora_weekly_id", "scope", "scope_name", "week_start"} == set(COLUMNS)


def test_demo_exercises_the_edge_cases(facts: Facts, expected: dict) -> None:
    """The comparison is only meaningful if the demo hits the rules the metrics depend on."""
    assert facts.non_positive_lead_times and facts.undeployed_changes
    assert facts.unattributed_incidents and facts.open_incidents
    assert facts.methods >= {"explicit", "root_cause_sha", "time_window"}
    assert any(row["failed_deployments"] for row in expected.values())
    assert {key[0] for key in expected} == {"service", "team", "all"}


def test_data_quality_lists_what_the_metrics_left_out(demo_paths: Paths, facts: Facts) -> None:
    rows = query(demo_paths, "select item_id, reason from marts.dora_data_quality")
    listed: dict[str, set[str]] = {}
    for r in rows:
        listed.setdefault(r["reason"], set()).add(r["item_id"])
    undeployed = listed.get("never_deployed", set()) | listed.get(
        "outside_first_deployment_lookback", set())
    assert listed.get("non_positive_lead_time", set()) == facts.non_positive_lead_times
    assert undeployed == facts.undeployed_changes
    assert listed.get("unattributed", set()) == facts.unattributed_incidents
    assert listed.get("open", set()) == facts.open_incidents
