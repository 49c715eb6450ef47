"""The whole RELIABILITY_CONFIG file: its root model, load_config and ReliabilityConfig.

A new top-level section is one line in SECTIONS ("key": "module:Model"): the model (a Section,
or any pydantic model with extra="forbid") is imported when the first config is loaded and
validated under that key like every other section; read it with `cfg.section("key")`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError, create_model, model_validator

from reliability.config.connectors import ConnectorsConfig, ConnectorsSection
from reliability.config.core import (
    Dora,
    Engine,
    Journey,
    Privacy,
    Requests,
    Retention,
    Service,
    Services,
    Steps,
)
from reliability.config.errors import ConfigError, KeyProblem, from_validation_error
from reliability.config.review import ReviewSettings
from reliability.config.slo import SloSection, SloSettings
from reliability.config.types import Section, number, problem

# Sections defined in other packages, one line each: "key": "package.module:ModelClass".
SECTIONS: dict[str, str] = {
    "automation": "reliability.config.automation:AutomationSettings",
    "ingest": "reliability.ingest.settings:IngestSettings",
    "notifications": "reliability.notify.settings:NotificationSettings",
}


def _journey_list(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list):
        raise problem("a list of {name, service, routes}")
    return value


class ReliabilityFile(Section):
    """Every key of reliability.yml (docs/configuration.md)."""

    services: Services
    production_environments: Steps = ("production",)
    attribution_window_hours: Annotated[
        float, number("a positive number of hours", lambda v: v > 0)
    ] = 24.0
    journeys: Annotated[tuple[Journey, ...], BeforeValidator(_journey_list)] = ()
    requests: Requests = Requests()
    dora: Dora = Dora()
    privacy: Privacy = Privacy()
    retention: Retention = Retention()
    slo: SloSection = SloSection()
    review: ReviewSettings = ReviewSettings()
    connectors: ConnectorsSection = ConnectorsSection()
    engine: Engine = Engine()

    @model_validator(mode="after")
    def _names_are_unique_and_known(self) -> ReliabilityFile:
        _unique("services", "unique service names", [s.name for s in self.services])
        _unique("journeys", "unique journey names", [j.name for j in self.journeys])
        names = sorted(s.name for s in self.services)
        refs = [(f"journeys[{i}].service", j.service) for i, j in enumerate(self.journeys)]
        refs.append(("requests.default_service", self.requests.default_service))
        refs += self.connectors.service_references()
        for key, service in refs:
            if service is not None and service not in names:
                raise KeyProblem(key, f"one of the services {names}", service)
        return self


def _unique(key: str, expected: str, names: list[str]) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise KeyProblem(key, expected, dupes)


@cache
def root_model() -> type[ReliabilityFile]:
    """ReliabilityFile with the SECTIONS of other packages added."""
    if not SECTIONS:
        return ReliabilityFile
    extra: dict[str, Any] = {}
    for key, target in SECTIONS.items():
        module, _, name = target.partition(":")
        model: type[BaseModel] = getattr(importlib.import_module(module), name)
        try:
            extra[key] = (model, model())
        except ValidationError:  # a section with required keys is optional as a whole
            extra[key] = (model | None, None)
    return create_model("ReliabilityFileWithSections", __base__=ReliabilityFile, **extra)


@dataclass(frozen=True)
class ReliabilityConfig:
    """A loaded, validated config file: the model, its path and the raw mapping."""

    path: Path
    model: ReliabilityFile
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def services(self) -> tuple[Service, ...]:
        return self.model.services

    @property
    def production_environments(self) -> tuple[str, ...]:
        return self.model.production_environments

    @property
    def attribution_window_hours(self) -> float:
        return self.model.attribution_window_hours

    @property
    def journeys(self) -> tuple[Journey, ...]:
        return self.model.journeys

    @property
    def default_request_service(self) -> str | None:
        return self.model.requests.default_service

    @property
    def dora_report_year(self) -> int:
        return self.model.dora.report_year

    @property
    def user_key_salt(self) -> str:
        return self.model.privacy.user_key_salt

    @property
    def return_days(self) -> tuple[int, ...]:
        """retention.return_days: the return windows of journey retention."""
        return self.model.retention.return_days

    @property
    def review(self) -> ReviewSettings:
        return self.model.review

    @property
    def slo(self) -> SloSettings:
        """The `slo:` settings, the SLO folder resolved against the config file's folder."""
        return self.model.slo.settings(self.path.parent)

    @property
    def connectors(self) -> ConnectorsConfig:
        """The enabled connectors (fourkeys paths resolved against the config file's folder)."""
        return self.model.connectors.build(self.path.parent, self.production_environments)

    @property
    def engine(self) -> Engine:
        return self.model.engine

    def section(self, key: str) -> Any:
        """A section added through SECTIONS (its model instance, or None when absent)."""
        return getattr(self.model, key)

    def team_of(self, service: str) -> str | None:
        return next((s.team for s in self.services if s.name == service), None)

    def dbt_vars(self) -> dict[str, Any]:
        """Settings that dbt models read with var()."""
        return {
            "attribution_window_hours": self.attribution_window_hours,
            "dora_report_year": self.dora_report_year,
            "retention_return_days": list(self.return_days),
        }


def validate(path: Path | str, raw: Any, model: type[BaseModel], prefix: tuple = ()) -> Any:
    """`raw` validated as `model`; a ConfigError naming `path` and the key path on problems."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(path, exc, prefix) from None
    except KeyProblem as exc:
        raise ConfigError(path, exc.key, exc.expected, exc.got) from None


def load_config(path: Path | str) -> ReliabilityConfig:
    """Read and validate the YAML config; raise ConfigError naming the file and key on problems."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, "(file)", "an existing YAML file (set RELIABILITY_CONFIG)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "(file)", f"a UTF-8 text file ({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, "(file)", f"valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(path, "(top level)", "a mapping", raw)
    return ReliabilityConfig(path=path, model=validate(path, raw, root_model()), raw=raw)
