"""Every section of reliability.yml: an error names the file, the key path and what is expected;
unknown keys are refused with a suggestion; duplicate names are refused naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import yaml
from pydantic import field_validator

from reliability.config import SECTIONS, ConfigError, Section, load_config
from reliability.config.root import root_model
from reliability.config.types import Text, whole
from reliability.settings import DATA_DIR

BASE = "services:\n  - {name: a, team: t}\n"
GH = "{repo: acme/a, service: a}"

# (section, YAML after BASE, key path, words of what is expected)
CASES = [
    ("services", "services:\n  - {name: a, team: ' '}\n", "services[0].team",
     "a non-empty string"),
    ("services", "services:\n  - {name: a, team: t}\n  - {name: a, team: u}\n", "services",
     "unique service names"),
    ("production_environments", BASE + "production_environments: []\n",
     "production_environments", "a list of non-empty strings"),
    ("attribution_window_hours", BASE + "attribution_window_hours: true\n",
     "attribution_window_hours", "a positive number of hours"),
    ("journeys", BASE + "journeys:\n  - {name: j}\n  - {name: j}\n", "journeys",
     "unique journey names"),
    ("journeys", BASE + "journeys:\n  - {name: j, started_steps: []}\n",
     "journeys[0].started_steps", "a list of non-empty strings"),
    ("journeys", BASE + "journeys: {name: j}\n", "journeys", "a list of {name, service, routes}"),
    ("requests", BASE + "requests: {default_service: b}\n", "requests.default_service",
     "one of the services ['a']"),
    ("requests", BASE + "requests: [a]\n", "requests", "a mapping"),
    ("dora", BASE + "dora: {report_year: 2022}\n", "dora.report_year", "2021 or 2023"),
    ("privacy", BASE + "privacy: {user_key_salt: 12}\n", "privacy.user_key_salt", "a string"),
    ("retention", BASE + "retention: {return_days: [7, 400]}\n", "retention.return_days",
     "whole numbers of days from 1 to 366"),
    ("slo", BASE + "slo: {bad_statuses: ['600-700']}\n", "slo.bad_statuses",
     "codes within 100..599"),
    ("slo", BASE + "slo: {exclusions: {statuses: [true]}}\n", "slo.exclusions.statuses",
     "a list of HTTP statuses"),
    ("slo", BASE + "slo: {policy: {caution_at_or_below: 2}}\n",
     "slo.policy.caution_at_or_below", "a fraction between 0 and 1"),
    ("slo", BASE + "slo: {alert_windows: [{severity: page, budget_fraction: 0.1, long: 1h, "
     "short: 1h}]}\n", "slo.alert_windows[0].short", "a window shorter than the long one"),
    ("slo", BASE + "slo: {alert_windows: [{severity: sms, budget_fraction: 0.1, long: 1h, "
     "short: 5m}]}\n", "slo.alert_windows[0].severity", "page or ticket"),
    ("slo", BASE + "slo: {alert_windows: [{severity: page, budget_fraction: 0.1, long: 1h, "
     "short: 5m}, {severity: page, budget_fraction: 0.2, long: 1h, short: 5m}]}\n",
     "slo.alert_windows", "each window (severity, long, short) once"),
    ("review", BASE + "review: {timezone: Mars/Olympus}\n", "review.timezone",
     "an IANA time zone"),
    ("review", BASE + "review: {chart_weeks: 1}\n", "review.chart_weeks",
     "a whole number from 2 to 104"),
    ("review", BASE + "review: {postmortem_severities: [1]}\n", "review.postmortem_severities",
     "a list of severities"),
    ("connectors", BASE + "connectors: {max_attempts: 0}\n", "connectors.max_attempts",
     "at least 1"),
    ("connectors", BASE + "connectors: {start_date: soon}\n", "connectors.start_date",
     "an ISO date or timestamp"),
    ("connectors.github", BASE + "connectors: {github: {repositories: []}}\n",
     "connectors.github.repositories", "a non-empty list"),
    ("connectors.github", BASE + f"connectors: {{github: {{repositories: [{GH}], "
     "timeout_seconds: -1}}\n", "connectors.github.timeout_seconds", "a non-negative number"),
    ("connectors.github", BASE + "connectors: {github: {repositories: [{repo: acme/a, "
     "service: a, deployments_from: releases}]}}\n",
     "connectors.github.repositories[0].deployments_from", "deployments, workflow_runs or none"),
    ("connectors.gitlab", BASE + "connectors: {gitlab: {projects: [{project: p, service: b}]}}\n",
     "connectors.gitlab.projects[0].service", "one of the services ['a']"),
    ("connectors.gitlab", BASE + "connectors: {gitlab: {projects: [{project: p, service: a, "
     "incidents: 'yes'}]}}\n", "connectors.gitlab.projects[0].incidents", "true or false"),
    ("connectors.pagerduty", BASE + "connectors: {pagerduty: {default_service: b}}\n",
     "connectors.pagerduty.default_service", "one of the services ['a']"),
    ("connectors.pagerduty", BASE + "connectors: {pagerduty: {severity: {P1: 1}}}\n",
     "connectors.pagerduty.severity", "a mapping of strings to strings"),
    ("connectors.fourkeys", BASE + "connectors: {fourkeys: {repositories: {}}}\n",
     "connectors.fourkeys.paths", "one or more events_raw export files/folders"),
    ("engine", BASE + "engine: {lake: ''}\n", "engine.lake", "a non-empty string"),
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reliability.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("section", "text", "key", "expected"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_each_section_names_file_key_and_expectation(
    tmp_path: Path, section: str, text: str, key: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    first = str(err.value).splitlines()[0]
    assert err.value.key == key, first
    assert first.startswith(f"{path}: key '{key}': expected "), first
    assert expected in first, first


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        (BASE + "atribution_window_hours: 12\n", "atribution_window_hours",
         "attribution_window_hours"),
        (BASE + "journeys:\n  - {name: j, completed_step: [done]}\n",
         "journeys[0].completed_step", "completed_steps"),
        (BASE + "slo: {policy: {freeze_at_or_bellow: 0}}\n", "slo.policy.freeze_at_or_bellow",
         "freeze_at_or_below"),
        (BASE + "review: {timezon: UTC}\n", "review.timezon", "timezone"),
        (BASE + f"connectors: {{github: {{repositories: [{GH}], tokenenv: X}}}}\n",
         "connectors.github.tokenenv", "token_env"),
        (BASE + "retention: {return_day: [7]}\n", "retention.return_day", "return_days"),
    ],
)
def test_unknown_keys_are_refused_with_a_suggestion(
    tmp_path: Path, text: str, key: str, suggestion: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.key == key
    assert f"did you mean '{suggestion}'?" in str(err.value)


def test_an_unknown_key_far_from_any_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, BASE + "dora: {zzz: 1}\n"))
    assert err.value.key == "dora.zzz" and "did you mean" not in str(err.value)
    assert "keys here: report_year" in str(err.value)


def test_every_error_is_listed_one_per_line(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE + "review: {baseline_weeks: 0, chart_weeks: 1}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = str(err.value).splitlines()
    assert err.value.key == "review.baseline_weeks"
    assert lines == [
        f"{path}: key 'review.baseline_weeks': expected a whole number from 1 to 52 (got 0)",
        f"{path}: key 'review.chart_weeks': expected a whole number from 2 to 104 (got 1)",
    ]


def test_a_binary_config_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "reliability.yml"
    path.write_bytes(b"\xff\xfe\x00services")
    with pytest.raises(ConfigError, match="a UTF-8 text file") as err:
        load_config(path)
    assert str(path) in str(err.value)


def test_the_demo_config_reads_into_every_section(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA_DIR / "reliability.yml").read_text())
    raw["retention"] = {"return_days": [3, 14]}
    raw["connectors"] = {
        "overlap_minutes": 5,
        "github": {"repositories": [{"repo": "acme/checkout", "service": "checkout-api"}],
                   "max_attempts": 2},
        "pagerduty": {"services": {"P1": "catalog-api"}, "severity": {"P1": "sev2"}},
        "fourkeys": {"paths": ["fk/events.csv"]},
        "gitlab": {"enabled": False},  # off: not read further
    }
    cfg = load_config(_write(tmp_path, yaml.safe_dump(raw)))
    assert cfg.return_days == (3, 14)
    assert cfg.dbt_vars() == {"attribution_window_hours": 24.0, "dora_report_year": 2023,
                              "retention_return_days": [3, 14]}
    assert cfg.slo.folder == tmp_path / "slos"
    assert cfg.review.timezone == "Europe/Berlin"
    connectors = cfg.connectors
    assert connectors.enabled() == ["github", "pagerduty", "fourkeys"]
    assert connectors.github.common.http.max_attempts == 2
    assert connectors.pagerduty.common.overlap_minutes == 5
    assert connectors.pagerduty.severity["P1"] == "sev2"
    assert connectors.pagerduty.severity["P2"] == "sev2"  # the defaults stay
    assert connectors.fourkeys.paths == (tmp_path / "fk" / "events.csv",)
    assert connectors.fourkeys.production_environments == ("production", "prod")


class Extra(Section):
    """A section another package would add through SECTIONS."""

    url_env: Text = "HOOK_URL"
    retries: Annotated[int, whole(0, 5)] = 1

    @field_validator("url_env")
    @classmethod
    def _upper(cls, value: str) -> str:
        """A section's own check may raise ConfigError (the file is filled in by load_config)."""
        if not value.isupper():
            raise ConfigError("-", "extra.url_env", "an upper-case variable name", value)
        return value


def test_a_section_added_through_sections_is_validated_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SECTIONS, "extra", f"{__name__}:Extra")
    root_model.cache_clear()
    try:
        assert load_config(_write(tmp_path, BASE)).section("extra") == Extra()
        cfg = load_config(_write(tmp_path, BASE + "extra: {retries: 3}\n"))
        assert cfg.section("extra").retries == 3
        with pytest.raises(ConfigError) as err:
            load_config(_write(tmp_path, BASE + "extra: {retries: 9}\n"))
        assert err.value.key == "extra.retries"
        with pytest.raises(ConfigError, match="did you mean 'url_env'"):
            load_config(_write(tmp_path, BASE + "extra: {url_evn: X}\n"))
        path = _write(tmp_path, BASE + "extra: {url_env: low}\n")
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert str(err.value) == (
            f"{path}: key 'extra.url_env': expected an upper-case variable name (got 'low')")
    finally:
        monkeypatch.delitem(SECTIONS, "extra")
        root_model.cache_clear()
    with pytest.raises(ConfigError, match="key 'extra'"):
        load_config(_write(tmp_path, BASE + "extra: {retries: 3}\n"))
