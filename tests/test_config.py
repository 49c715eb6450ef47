"""Config errors name the file, the key and what is expected; paths default under data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.config import ConfigError, load_config
from reliability.settings import DATA_DIR, resolve_paths


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reliability.yml"
    path.write_text(text)
    return path


def test_repository_config_is_valid() -> None:
    cfg = load_config(DATA_DIR / "reliability.yml")
    assert cfg.team_of("checkout-api") == "payments"
    assert {j.name for j in cfg.journeys} == {"checkout", "signup"}
    assert cfg.dbt_vars()["attribution_window_hours"] == 24


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("services: []\n", "services", "a non-empty list"),
        ("services:\n  - name: a\n", "services[0].team", "a non-empty string"),
        ("services:\n  - {name: a, team: t}\nattribution_window_hours: -3\n",
         "attribution_window_hours", "a positive number"),
        ("services:\n  - {name: a, team: t}\njourneys:\n  - {name: j, service: b}\n",
         "journeys[0].service", "one of the services"),
        ("services:\n  - {name: a, team: t}\ndora: {report_year: 2019}\n",
         "dora.report_year", "2021 or 2023"),
        ("services: [\n", "(file)", "valid YAML"),
        ("services:\n  - {name: a, team: t, routes: ['/ok', '/x\\']}\n",
         "services[0].routes", "ends with a lone"),
        ("services:\n  - {name: a, team: t}\njourneys:\n  - {name: j, routes: ['/y\\\\\\']}\n",
         "journeys[0].routes", "SQL LIKE route patterns"),
    ],
)
def test_config_errors_name_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message and f"'{key}'" in message and expected in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RELIABILITY_CONFIG"):
        load_config(tmp_path / "nope.yml")


def test_paths_default_under_data_and_are_absolute(tmp_path: Path) -> None:
    defaults = resolve_paths({})
    assert defaults.warehouse == DATA_DIR / "warehouse" / "reliability.duckdb"
    assert defaults.landing == DATA_DIR / "landing"
    custom = resolve_paths({"RELIABILITY_WAREHOUSE": "rel/wh.duckdb"})
    assert custom.warehouse.is_absolute()
