"""The RELIABILITY_CONFIG file: services, teams, environments, attribution window, journeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A configuration problem, naming the file, the key and what is expected."""

    def __init__(self, path: Path | str, key: str, expected: str, got: Any = None) -> None:
        got_text = "" if got is None else f" (got {got!r})"
        super().__init__(f"{path}: key '{key}': expected {expected}{got_text}")
        self.path = str(path)
        self.key = key


@dataclass(frozen=True)
class Service:
    name: str
    team: str
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Journey:
    name: str
    service: str | None
    routes: tuple[str, ...]
    started_steps: tuple[str, ...] = ("started",)
    completed_steps: tuple[str, ...] = ("completed",)


@dataclass(frozen=True)
class ReliabilityConfig:
    path: Path
    services: tuple[Service, ...]
    production_environments: tuple[str, ...] = ("production",)
    attribution_window_hours: float = 24.0
    journeys: tuple[Journey, ...] = ()
    default_request_service: str | None = None
    dora_report_year: int = 2023
    user_key_salt: str = "reliability-warehouse"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def team_of(self, service: str) -> str | None:
        return next((s.team for s in self.services if s.name == service), None)

    def dbt_vars(self) -> dict[str, Any]:
        """Settings that dbt models read with var()."""
        return {
            "attribution_window_hours": self.attribution_window_hours,
            "dora_report_year": self.dora_report_year,
        }


def _str_list(path: Path, key: str, value: Any, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(path, key, "a list of non-empty strings", value)
    if not value and not allow_empty:
        raise ConfigError(path, key, "at least one entry", value)
    return tuple(value)


LIKE_PATTERNS = (
    "a list of SQL LIKE route patterns ('%' any characters, '_' one character, '\\' escapes "
    "the next: '\\_' is a literal underscore)"
)


def like_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a SQL LIKE route pattern (escape character '\\'), else None."""
    if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        return f"'{pattern}' ends with a lone '\\' (write '\\\\' for a backslash)"
    return None


def route_patterns_problem(patterns: Any) -> str | None:
    """What is expected and wrong when one of the strings `patterns` is no LIKE pattern."""
    for pattern in patterns:
        if (problem := like_pattern_problem(pattern)) is not None:
            return f"{LIKE_PATTERNS}; {problem}"
    return None


def check_route_patterns(path: Path | str, key: str, patterns: Any) -> None:
    """Raise a ConfigError naming `key` when one of the strings `patterns` is no LIKE pattern."""
    if (problem := route_patterns_problem(patterns)) is not None:
        raise ConfigError(path, key, problem)


def _route_patterns(path: Path, key: str, value: Any) -> tuple[str, ...]:
    patterns = _str_list(path, key, value, allow_empty=True)
    check_route_patterns(path, key, patterns)
    return patterns


def _mapping(path: Path, key: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(path, key, "a mapping", value)
    return value


def _name(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, key, "a non-empty string", value)
    return value.strip()


def _services(path: Path, items: Any) -> tuple[Service, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError(path, "services", "a non-empty list of {name, team, routes}", items)
    services = []
    for i, item in enumerate(items):
        item = _mapping(path, f"services[{i}]", item)
        name = _name(path, f"services[{i}].name", item.get("name"))
        team = _name(path, f"services[{i}].team", item.get("team"))
        routes = _route_patterns(path, f"services[{i}].routes", item.get("routes", []))
        services.append(Service(name=name, team=team, routes=routes))
    names = [s.name for s in services]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(path, "services", "unique service names", dupes)
    return tuple(services)


def _journeys(path: Path, items: Any, service_names: set[str]) -> tuple[Journey, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ConfigError(path, "journeys", "a list of {name, service, routes}", items)
    journeys = []
    for i, item in enumerate(items):
        item = _mapping(path, f"journeys[{i}]", item)
        service = item.get("service")
        if service is not None and service not in service_names:
            raise ConfigError(
                path,
                f"journeys[{i}].service",
                f"one of the services {sorted(service_names)}",
                service,
            )
        journeys.append(
            Journey(
                name=_name(path, f"journeys[{i}].name", item.get("name")),
                service=service,
                routes=_route_patterns(path, f"journeys[{i}].routes", item.get("routes", [])),
                started_steps=_str_list(
                    path, f"journeys[{i}].started_steps", item.get("started_steps", ["started"])
                ),
                completed_steps=_str_list(
                    path,
                    f"journeys[{i}].completed_steps",
                    item.get("completed_steps", ["completed"]),
                ),
            )
        )
    return tuple(journeys)


def load_config(path: Path | str) -> ReliabilityConfig:
    """Read and validate the YAML config; raise ConfigError naming the file and key on problems."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, "(file)", "an existing YAML file (set RELIABILITY_CONFIG)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(path, "(file)", f"valid YAML ({exc})") from exc
    raw = _mapping(path, "(top level)", raw)

    services = _services(path, raw.get("services"))
    envs = _str_list(
        path, "production_environments", raw.get("production_environments", ["production"])
    )

    window = raw.get("attribution_window_hours", 24)
    if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
        raise ConfigError(path, "attribution_window_hours", "a positive number of hours", window)

    requests = _mapping(path, "requests", raw.get("requests"))
    default_service = requests.get("default_service")
    if default_service is not None and default_service not in {s.name for s in services}:
        raise ConfigError(
            path, "requests.default_service", "one of the configured services", default_service
        )

    dora = _mapping(path, "dora", raw.get("dora"))
    year = dora.get("report_year", 2023)
    if year not in (2021, 2023):
        raise ConfigError(path, "dora.report_year", "2021 or 2023", year)

    privacy = _mapping(path, "privacy", raw.get("privacy"))
    salt = privacy.get("user_key_salt", "reliability-warehouse")
    if not isinstance(salt, str):
        raise ConfigError(path, "privacy.user_key_salt", "a string", salt)

    return ReliabilityConfig(
        path=path,
        services=services,
        production_environments=envs,
        attribution_window_hours=float(window),
        journeys=_journeys(path, raw.get("journeys"), {s.name for s in services}),
        default_request_service=default_service,
        dora_report_year=int(year),
        user_key_salt=salt,
        raw=raw,
    )
