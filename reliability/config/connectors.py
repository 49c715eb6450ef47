"""The `connectors:` section, and the settings each connector runs with.

A connector is enabled when its section is present and `enabled` is not false (a disabled section
is not read further). Tokens are never in the file: each API connector names the environment
variable that holds its token (`token_env`). The HTTP and cursor settings (CommonKeys) can be set
under `connectors:` for every connector and overridden in a connector's own section.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import model_validator

from reliability.config.types import (
    Flag,
    NonNegative,
    OptText,
    Section,
    StrMap,
    Text,
    Texts,
    expect,
    nonempty_list,
    number,
    one_of,
    problem,
)
from reliability.connectors.http import HttpSettings
from reliability.connectors.timeutil import iso, parse_ts

KINDS = ("github", "gitlab", "pagerduty", "fourkeys")


@dataclass(frozen=True)
class Common:
    """Settings every API connector shares (overridable per connector)."""

    http: HttpSettings = field(default_factory=HttpSettings)
    overlap_minutes: float = 15.0
    start_date: str | None = None
    hold_open_days: float = 14.0


def _start_date(value: Any) -> str | None:
    return None if value is None else iso(parse_ts(str(value)))


class CommonKeys(Section):
    """HTTP and cursor settings; unset keys inherit from `connectors:` or the defaults."""

    overlap_minutes: NonNegative | None = None
    start_date: Annotated[str | None, expect("an ISO date or timestamp", _start_date)] = None
    hold_open_days: NonNegative | None = None
    timeout_seconds: NonNegative | None = None
    max_attempts: Annotated[
        float | None, number("a whole number of attempts, at least 1", lambda v: v >= 1)
    ] = None
    backoff_initial_seconds: NonNegative | None = None
    backoff_max_seconds: NonNegative | None = None
    max_rate_limit_wait_seconds: NonNegative | None = None

    def common(self, base: Common | None = None) -> Common:
        """`base` (or the defaults) with the keys set here."""
        base = base or Common()
        http = {f.name: getattr(base.http, f.name) for f in fields(HttpSettings)}
        http.update({k: getattr(self, k) for k in http if getattr(self, k, None) is not None})
        http["max_attempts"] = int(http["max_attempts"])
        return Common(
            http=HttpSettings(**http),
            overlap_minutes=_pick(self.overlap_minutes, base.overlap_minutes),
            start_date=_pick(self.start_date, base.start_date),
            hold_open_days=_pick(self.hold_open_days, base.hold_open_days),
        )


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


def _repo(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or value.strip().count("/") != 1:
        raise ValueError
    return value.strip()


@dataclass(frozen=True)
class GitHubRepo:
    repo: str
    service: str
    deployments_from: str = "deployments"  # deployments | workflow_runs | none
    workflow_name: str | None = None
    workflow_environment: str = "production"
    environments: tuple[str, ...] = ()
    pull_requests: bool = True
    base_branch: str | None = None
    incident_label: str | None = None


class GitHubRepoSection(Section):
    """One `connectors.github.repositories` entry (the keys of GitHubRepo)."""

    repo: Annotated[str, expect("owner/name", _repo)]
    service: Text
    deployments_from: Annotated[
        Literal["deployments", "workflow_runs", "none"],
        one_of("deployments", "workflow_runs", "none",
               expected="deployments, workflow_runs or none"),
    ] = "deployments"
    workflow_name: OptText = None
    workflow_environment: Text = "production"
    environments: Texts = ()
    pull_requests: Flag = True
    base_branch: OptText = None
    incident_label: OptText = None

    @model_validator(mode="after")
    def _workflow_named(self) -> GitHubRepoSection:
        if self.deployments_from == "workflow_runs" and not self.workflow_name:
            raise problem("the workflow name when deployments_from is workflow_runs",
                          ("workflow_name",))
        return self

    def build(self) -> GitHubRepo:
        return GitHubRepo(**dict(self))


@dataclass(frozen=True)
class GitHubConfig:
    repositories: tuple[GitHubRepo, ...]
    token_env: str = "GITHUB_TOKEN"
    base_url: str = "https://api.github.com"
    common: Common = field(default_factory=Common)


class GitHubSection(CommonKeys):
    enabled: Flag = True
    token_env: Text = "GITHUB_TOKEN"
    base_url: Text = "https://api.github.com"
    repositories: Annotated[tuple[GitHubRepoSection, ...], nonempty_list("a non-empty list")]

    def build(self, common: Common) -> GitHubConfig:
        repos = tuple(r.build() for r in self.repositories)
        return GitHubConfig(repos, self.token_env, self.base_url, self.common(common))


@dataclass(frozen=True)
class GitLabProject:
    project: str
    service: str
    deployments: bool = True
    environments: tuple[str, ...] = ()
    merge_requests: bool = True
    target_branch: str | None = None
    incidents: bool = True


class GitLabProjectSection(Section):
    """One `connectors.gitlab.projects` entry (the keys of GitLabProject)."""

    project: Text
    service: Text
    deployments: Flag = True
    environments: Texts = ()
    merge_requests: Flag = True
    target_branch: OptText = None
    incidents: Flag = True

    def build(self) -> GitLabProject:
        return GitLabProject(**dict(self))


@dataclass(frozen=True)
class GitLabConfig:
    projects: tuple[GitLabProject, ...]
    token_env: str = "GITLAB_TOKEN"
    base_url: str = "https://gitlab.com/api/v4"
    common: Common = field(default_factory=Common)


class GitLabSection(CommonKeys):
    enabled: Flag = True
    token_env: Text = "GITLAB_TOKEN"
    base_url: Text = "https://gitlab.com/api/v4"
    projects: Annotated[tuple[GitLabProjectSection, ...], nonempty_list("a non-empty list")]

    def build(self, common: Common) -> GitLabConfig:
        projects = tuple(p.build() for p in self.projects)
        return GitLabConfig(projects, self.token_env, self.base_url, self.common(common))


DEFAULT_PD_SEVERITY = {
    "P1": "sev1", "P2": "sev2", "P3": "sev3", "P4": "sev4", "P5": "sev4",
    "high": "sev2", "low": "sev4",
}


@dataclass(frozen=True)
class PagerDutyConfig:
    token_env: str = "PAGERDUTY_TOKEN"
    base_url: str = "https://api.pagerduty.com"
    service_ids: tuple[str, ...] = ()
    services: dict[str, str] = field(default_factory=dict)
    default_service: str | None = None
    severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PD_SEVERITY))
    common: Common = field(default_factory=Common)


class PagerDutySection(CommonKeys):
    enabled: Flag = True
    token_env: Text = "PAGERDUTY_TOKEN"
    base_url: Text = "https://api.pagerduty.com"
    service_ids: Texts = ()
    services: StrMap = {}
    default_service: OptText = None
    severity: StrMap = {}

    def build(self, common: Common) -> PagerDutyConfig:
        return PagerDutyConfig(
            token_env=self.token_env,
            base_url=self.base_url,
            service_ids=self.service_ids,
            services=dict(self.services),
            default_service=self.default_service,
            severity={**DEFAULT_PD_SEVERITY, **self.severity},
            common=self.common(common),
        )


@dataclass(frozen=True)
class FourKeysConfig:
    paths: tuple[Path, ...]
    repositories: dict[str, str] = field(default_factory=dict)
    default_service: str | None = None
    incident_label: str = "Incident"
    production_environments: tuple[str, ...] = ("production",)


class FourKeysSection(Section):
    enabled: Flag = True
    paths: Annotated[
        tuple[str, ...],
        expect("one or more events_raw export files/folders", lambda v: _paths(v)),
    ]
    repositories: StrMap = {}
    default_service: OptText = None
    incident_label: Text = "Incident"

    def build(self, config_dir: Path, production: tuple[str, ...]) -> FourKeysConfig:
        paths = tuple(
            p if p.is_absolute() else config_dir / p
            for p in (Path(s).expanduser() for s in self.paths)
        )
        return FourKeysConfig(
            paths, dict(self.repositories), self.default_service, self.incident_label, production
        )


def _paths(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v
                                                           for v in value):
        raise ValueError
    return tuple(value)


@dataclass(frozen=True)
class ConnectorsConfig:
    github: GitHubConfig | None = None
    gitlab: GitLabConfig | None = None
    pagerduty: PagerDutyConfig | None = None
    fourkeys: FourKeysConfig | None = None

    def enabled(self) -> list[str]:
        return [k for k in KINDS if getattr(self, k) is not None]


class ConnectorsSection(CommonKeys):
    """`connectors:` the shared settings and one optional section per connector."""

    github: GitHubSection | None = None
    gitlab: GitLabSection | None = None
    pagerduty: PagerDutySection | None = None
    fourkeys: FourKeysSection | None = None

    @model_validator(mode="before")
    @classmethod
    def _skip_disabled(cls, data: Any) -> Any:
        """A section with `enabled: false` is off and not read further."""
        if not isinstance(data, dict):
            return data
        return {
            k: None if k in KINDS and isinstance(v, dict) and v.get("enabled") is False else v
            for k, v in data.items()
        }

    def service_references(self) -> list[tuple[str, str]]:
        """(key path, service) of every service a connector names, for the root's check."""
        refs = [
            (f"connectors.github.repositories[{i}].service", r.service)
            for i, r in enumerate(self.github.repositories if self.github else ())
        ]
        refs += [
            (f"connectors.gitlab.projects[{i}].service", p.service)
            for i, p in enumerate(self.gitlab.projects if self.gitlab else ())
        ]
        if self.pagerduty:
            refs += [("connectors.pagerduty.services", s) for s in self.pagerduty.services.values()]
            if self.pagerduty.default_service:
                refs.append(("connectors.pagerduty.default_service",
                             self.pagerduty.default_service))
        return refs

    def build(self, config_dir: Path, production: tuple[str, ...]) -> ConnectorsConfig:
        """The enabled connectors with their resolved settings."""
        common = self.common()
        return ConnectorsConfig(
            github=self.github.build(common) if self.github else None,
            gitlab=self.gitlab.build(common) if self.gitlab else None,
            pagerduty=self.pagerduty.build(common) if self.pagerduty else None,
            fourkeys=self.fourkeys.build(config_dir, production) if self.fourkeys else None,
        )
