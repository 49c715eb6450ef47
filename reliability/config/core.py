"""The core sections: services, journeys, requests, dora, privacy, retention, engine."""

from __future__ import annotations

from typing import Annotated, Any

from reliability.config.types import (
    OptText,
    Routes,
    Section,
    Text,
    expect,
    nonempty_list,
    one_of,
    texts_check,
)

Steps = Annotated[tuple[str, ...], expect("a list of non-empty strings", texts_check(False))]


class Service(Section):
    """A service, the team that owns it and the request routes (SQL LIKE patterns) it serves."""

    name: Text
    team: Text
    routes: Routes = ()


class Journey(Section):
    """A business funnel (conversions dataset) served by a service's routes."""

    name: Text
    service: OptText = None
    routes: Routes = ()
    started_steps: Steps = ("started",)
    completed_steps: Steps = ("completed",)


Services = Annotated[
    tuple[Service, ...], nonempty_list("a non-empty list of {name, team, routes}")
]


class Requests(Section):
    """`requests:` the service of access-log files placed directly in <landing>/requests/."""

    default_service: OptText = None


class Dora(Section):
    """`dora:` the State of DevOps report year whose performance bands are used."""

    report_year: Annotated[int, one_of(2021, 2023)] = 2023


def _salt(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


class Privacy(Section):
    """`privacy:` the salt of the pseudonymous user keys."""

    user_key_salt: Annotated[str, expect("a string", _salt)] = "reliability-warehouse"


DEFAULT_RETURN_DAYS = (7, 28)


def _return_days(value: Any) -> tuple[int, ...]:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 366 for d in value)
        and len(set(value)) == len(value)
    )
    if not ok:
        raise ValueError
    return tuple(value)


class Retention(Section):
    """`retention:` the return windows (days after the cohort week) of journey retention."""

    return_days: Annotated[
        tuple[int, ...],
        expect("a non-empty list of distinct whole numbers of days from 1 to 366", _return_days),
    ] = DEFAULT_RETURN_DAYS


class Engine(Section):
    """`engine:` the dbt target (duckdb, spark, postgres) and the Parquet lake (a folder relative
    to the config file, or an object-store URL); the environment variables override both."""

    target: OptText = None
    lake: OptText = None
