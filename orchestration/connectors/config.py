"""The `connectors:` section of the config file, validated into small frozen dataclasses.

A connector is enabled when its section is present and `enabled` is not false. Tokens are never
in the file: each API connector names the environment variable that holds its token (`token_env`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError, ReliabilityConfig
from .http import HttpSettings
from .timeutil import iso, parse_ts

KINDS = ("github", "gitlab", "pagerduty", "fourkeys")


@dataclass(frozen=True)
class Common:
    """Settings every API connector shares (overridable per connector)."""

    http: HttpSettings = field(default_factory=HttpSettings)
    overlap_minutes: float = 15.0
    start_date: str | None = None
    hold_open_days: float = 14.0


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


@dataclass(frozen=True)
class GitHubConfig:
    repositories: tuple[GitHubRepo, ...]
    token_env: str = "GITHUB_TOKEN"
    base_url: str = "https://api.github.com"
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class GitLabProject:
    project: str
    service: str
    deployments: bool = True
    environments: tuple[str, ...] = ()
    merge_requests: bool = True
    target_branch: str | None = None
    incidents: bool = True


@dataclass(frozen=True)
class GitLabConfig:
    projects: tuple[GitLabProject, ...]
    token_env: str = "GITLAB_TOKEN"
    base_url: str = "https://gitlab.com/api/v4"
    common: Common = field(default_factory=Common)


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


@dataclass(frozen=True)
class FourKeysConfig:
    paths: tuple[Path, ...]
    repositories: dict[str, str] = field(default_factory=dict)
    default_service: str | None = None
    incident_label: str = "Incident"
    production_environments: tuple[str, ...] = ("production",)


@dataclass(frozen=True)
class ConnectorsConfig:
    github: GitHubConfig | None = None
    gitlab: GitLabConfig | None = None
    pagerduty: PagerDutyConfig | None = None
    fourkeys: FourKeysConfig | None = None

    def enabled(self) -> list[str]:
        return [k for k in KINDS if getattr(self, k) is not None]


class _Reader:
    """Typed access to one mapping of the config, with errors naming the full key."""

    def __init__(self, path: Path, prefix: str, data: Any) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(path, prefix, "a mapping", data)
        self.path, self.prefix, self.data = path, prefix, data

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.data.get(name, default)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.path, self.key(name), "a non-empty string", value)
        return value.strip()

    def bool(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.path, self.key(name), "true or false", value)
        return value

    def number(self, name: str, default: float) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(self.path, self.key(name), "a non-negative number", value)
        return float(value)

    def strs(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(self.path, self.key(name), "a list of strings", value)
        return tuple(value)

    def mapping(self, name: str) -> dict[str, str]:
        value = self.data.get(name) or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ConfigError(self.path, self.key(name), "a mapping of strings to strings", value)
        return dict(value)

    def items(self, name: str) -> list[_Reader]:
        value = self.data.get(name)
        if not isinstance(value, list) or not value:
            raise ConfigError(self.path, self.key(name), "a non-empty list", value)
        return [_Reader(self.path, f"{self.key(name)}[{i}]", v) for i, v in enumerate(value)]


def _common(r: _Reader, base: Common | None = None) -> Common:
    base = base or Common()
    h = base.http
    start = r.data.get("start_date", base.start_date)
    if start is not None:
        try:
            start = iso(parse_ts(str(start)))
        except ValueError as exc:
            raise ConfigError(r.path, r.key("start_date"), "an ISO date or timestamp", start) \
                from exc
    attempts = r.number("max_attempts", h.max_attempts)
    if attempts < 1:
        raise ConfigError(r.path, r.key("max_attempts"), "at least 1", attempts)
    return Common(
        http=HttpSettings(
            timeout_seconds=r.number("timeout_seconds", h.timeout_seconds),
            max_attempts=int(attempts),
            backoff_initial_seconds=r.number("backoff_initial_seconds", h.backoff_initial_seconds),
            backoff_max_seconds=r.number("backoff_max_seconds", h.backoff_max_seconds),
            max_rate_limit_wait_seconds=r.number(
                "max_rate_limit_wait_seconds", h.max_rate_limit_wait_seconds
            ),
        ),
        overlap_minutes=r.number("overlap_minutes", base.overlap_minutes),
        start_date=start,
        hold_open_days=r.number("hold_open_days", base.hold_open_days),
    )


def _service(r: _Reader, services: set[str]) -> str:
    name = r.str("service", required=True)
    assert name is not None
    if services and name not in services:
        raise ConfigError(r.path, r.key("service"), f"one of the services {sorted(services)}", name)
    return name


def _github(r: _Reader, common: Common, services: set[str]) -> GitHubConfig:
    repos = []
    for item in r.items("repositories"):
        repo = item.str("repo", required=True) or ""
        if repo.count("/") != 1:
            raise ConfigError(r.path, item.key("repo"), "owner/name", repo)
        source = item.str("deployments_from", "deployments")
        if source not in ("deployments", "workflow_runs", "none"):
            raise ConfigError(r.path, item.key("deployments_from"),
                              "deployments, workflow_runs or none", source)
        workflow = item.str("workflow_name")
        if source == "workflow_runs" and not workflow:
            raise ConfigError(r.path, item.key("workflow_name"),
                              "the workflow name when deployments_from is workflow_runs")
        repos.append(GitHubRepo(
            repo=repo,
            service=_service(item, services),
            deployments_from=source or "deployments",
            workflow_name=workflow,
            workflow_environment=item.str("workflow_environment", "production") or "production",
            environments=item.strs("environments"),
            pull_requests=item.bool("pull_requests", True),
            base_branch=item.str("base_branch"),
            incident_label=item.str("incident_label"),
        ))
    return GitHubConfig(
        repositories=tuple(repos),
        token_env=r.str("token_env", "GITHUB_TOKEN") or "GITHUB_TOKEN",
        base_url=r.str("base_url", "https://api.github.com") or "",
        common=_common(r, common),
    )


def _gitlab(r: _Reader, common: Common, services: set[str]) -> GitLabConfig:
    projects = []
    for item in r.items("projects"):
        projects.append(GitLabProject(
            project=item.str("project", required=True) or "",
            service=_service(item, services),
            deployments=item.bool("deployments", True),
            environments=item.strs("environments"),
            merge_requests=item.bool("merge_requests", True),
            target_branch=item.str("target_branch"),
            incidents=item.bool("incidents", True),
        ))
    return GitLabConfig(
        projects=tuple(projects),
        token_env=r.str("token_env", "GITLAB_TOKEN") or "GITLAB_TOKEN",
        base_url=r.str("base_url", "https://gitlab.com/api/v4") or "",
        common=_common(r, common),
    )


def _pagerduty(r: _Reader, common: Common, services: set[str]) -> PagerDutyConfig:
    mapping = r.mapping("services")
    default = r.str("default_service")
    for target in [*mapping.values(), *([default] if default else [])]:
        if services and target not in services:
            raise ConfigError(r.path, r.key("services"), f"services among {sorted(services)}",
                              target)
    return PagerDutyConfig(
        token_env=r.str("token_env", "PAGERDUTY_TOKEN") or "PAGERDUTY_TOKEN",
        base_url=r.str("base_url", "https://api.pagerduty.com") or "",
        service_ids=r.strs("service_ids"),
        services=mapping,
        default_service=default,
        severity={**DEFAULT_PD_SEVERITY, **r.mapping("severity")},
        common=_common(r, common),
    )


def _fourkeys(r: _Reader, cfg_dir: Path, production: tuple[str, ...]) -> FourKeysConfig:
    paths = tuple(
        (p if p.is_absolute() else cfg_dir / p)
        for p in (Path(s).expanduser() for s in r.strs("paths"))
    )
    if not paths:
        raise ConfigError(r.path, r.key("paths"), "one or more events_raw export files/folders")
    return FourKeysConfig(
        paths=paths,
        repositories=r.mapping("repositories"),
        default_service=r.str("default_service"),
        incident_label=r.str("incident_label", "Incident") or "Incident",
        production_environments=production,
    )


def parse_connectors(cfg: ReliabilityConfig) -> ConnectorsConfig:
    """The enabled connectors of a loaded config (none when there is no `connectors:` key)."""
    top = _Reader(cfg.path, "connectors", cfg.raw.get("connectors"))
    common = _common(top)
    services = {s.name for s in cfg.services}
    out: dict[str, Any] = {}
    for kind in KINDS:
        section = top.data.get(kind)
        if section is None:
            continue
        r = _Reader(cfg.path, f"connectors.{kind}", section)
        if not r.bool("enabled", True):
            continue
        if kind == "github":
            out[kind] = _github(r, common, services)
        elif kind == "gitlab":
            out[kind] = _gitlab(r, common, services)
        elif kind == "pagerduty":
            out[kind] = _pagerduty(r, common, services)
        else:
            out[kind] = _fourkeys(r, cfg.path.parent, cfg.production_environments)
    return ConnectorsConfig(**out)
