"""The input contract: the five datasets, their columns, keys and accepted values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["string", "timestamp", "integer", "double", "decimal", "user_key", "currency"]


@dataclass(frozen=True)
class Column:
    """One contract column: its kind decides parsing and validation; `allowed`: accepted values."""

    name: str
    kind: Kind = "string"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    lower: bool = False
    strip_query: bool = False  # a URL path: '?' and what follows (the query string) are dropped


@dataclass(frozen=True)
class Dataset:
    """A contract dataset. `key` de-duplicates; `upsert`: a newer record replaces an older."""

    name: str
    columns: tuple[Column, ...]
    key: str | None
    upsert: bool = True

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def table(self) -> str:
        return f"raw.{self.name}"


DEPLOYMENTS = Dataset(
    "deployments",
    (
        Column("deployment_id", required=True),
        Column("service", required=True),
        Column("environment", required=True, lower=True),
        Column("status", required=True, allowed=("success", "failure"), lower=True),
        Column("finished_at", "timestamp", required=True),
        Column("started_at", "timestamp"),
        Column("commit_sha"),
        Column("deployment_type", allowed=("normal", "hotfix", "rollback"), lower=True),
        Column("fixes_incident_id"),
        Column("team"),
    ),
    key="deployment_id",
)

CHANGES = Dataset(
    "changes",
    (
        Column("change_id", required=True),
        Column("service", required=True),
        Column("first_committed_at", "timestamp", required=True),
        Column("opened_at", "timestamp"),
        Column("merged_at", "timestamp"),
        Column("commit_sha"),
        Column("deployment_id"),
    ),
    key="change_id",
)

INCIDENTS = Dataset(
    "incidents",
    (
        Column("incident_id", required=True),
        Column("service", required=True),
        Column("started_at", "timestamp", required=True),
        Column("detected_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("severity", lower=True),
        Column("title"),
        Column("journey"),
        Column("caused_by_deployment_id"),
        Column("root_cause_sha"),
        Column("postmortem_url"),
    ),
    key="incident_id",
)

REQUESTS = Dataset(
    "requests",
    (
        Column("timestamp", "timestamp", required=True),
        Column("service", required=True),
        Column("route", required=True, strip_query=True),
        Column("status", "integer", required=True),
        Column("method"),
        Column("latency_ms", "double"),
        Column("request_id"),
        Column("user_key", "user_key"),
    ),
    key="request_id",
    upsert=False,
)

CONVERSIONS = Dataset(
    "conversions",
    (
        Column("event_id", required=True),
        Column("timestamp", "timestamp", required=True),
        Column("journey", required=True),
        Column("step", required=True, lower=True),
        Column("user_key", "user_key"),
        Column("revenue", "decimal"),
        Column("currency", "currency"),
    ),
    key="event_id",
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (DEPLOYMENTS, CHANGES, INCIDENTS, REQUESTS, CONVERSIONS)
}

SQL_TYPES: dict[Kind, str] = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "decimal": "DECIMAL(18, 4)",
    "user_key": "VARCHAR",
    "currency": "VARCHAR",
}
