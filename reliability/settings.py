"""Where everything lives: every path the product reads or writes, resolved in one place.

One data folder (RELIABILITY_DATA, default <repo>/data) holds the landing folder, the warehouse
file, the config file, the review reports and the serving copy; each has its own variable to put
it elsewhere. Every path is absolute. docs/configuration.md has the table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

DATA_VAR = "RELIABILITY_DATA"
LANDING_VAR = "RELIABILITY_LANDING"
WAREHOUSE_VAR = "RELIABILITY_WAREHOUSE"
CONFIG_VAR = "RELIABILITY_CONFIG"
REPORTS_VAR = "RELIABILITY_REPORTS"
SERVING_VAR = "RELIABILITY_SERVING"
LAKE_VAR = "RELIABILITY_LAKE"

# The dbt project (dbt_project.yml at the root, its files in dbt_project/) and the manifest that
# `reliability prepare` (`dbt parse`) writes: read by the review page's input list and Dagster.
DBT_TARGET_DIR = PROJECT_ROOT / "dbt_project" / "target"
DBT_MANIFEST = DBT_TARGET_DIR / "manifest.json"

# Each path's place inside the data folder.
IN_DATA: dict[str, str] = {
    LANDING_VAR: "landing",
    WAREHOUSE_VAR: "warehouse/reliability.duckdb",
    CONFIG_VAR: "reliability.yml",
    REPORTS_VAR: "reports",
    SERVING_VAR: "serving",
}
LAKE_IN_DATA = "lake"  # the spark target's lake when neither RELIABILITY_LAKE nor engine.lake
DAGSTER_HOME_IN_DATA = "dagster_home"

# The defaults with RELIABILITY_DATA unset.
DEFAULTS: dict[str, Path] = {var: DATA_DIR / rel for var, rel in IN_DATA.items()}


def _absolute(value: str | Path) -> Path:
    return Path(value).expanduser().resolve()


@dataclass(frozen=True)
class Paths:
    """Absolute paths of the landing folder, warehouse file, config file, reports and serving
    folders, and the lake URL when one is set.

    Built in code (tests) without `data`, the data folder is the warehouse file's folder; reports
    and serving default to their place in the data folder.
    """

    landing: Path
    warehouse: Path
    config: Path
    data: Path | None = None
    reports: Path | None = None
    serving: Path | None = None
    lake: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("landing", "warehouse", "config"):
            set_(self, name, _absolute(getattr(self, name)))
        data = _absolute(self.data) if self.data else self.warehouse.parent
        set_(self, "data", data)
        set_(self, "reports", _absolute(self.reports or data / IN_DATA[REPORTS_VAR]))
        set_(self, "serving", _absolute(self.serving or data / IN_DATA[SERVING_VAR]))

    @property
    def default_lake(self) -> Path:
        """The spark target's lake when neither RELIABILITY_LAKE nor the config's engine.lake."""
        return self.data / LAKE_IN_DATA  # type: ignore[operator]

    @property
    def dagster_home(self) -> Path:
        return self.data / DAGSTER_HOME_IN_DATA  # type: ignore[operator]

    def environment(self) -> dict[str, str]:
        """The variables that make another process (Dagster, dbt) resolve these same paths."""
        env = {
            DATA_VAR: str(self.data),
            LANDING_VAR: str(self.landing),
            WAREHOUSE_VAR: str(self.warehouse),
            CONFIG_VAR: str(self.config),
            REPORTS_VAR: str(self.reports),
            SERVING_VAR: str(self.serving),
        }
        if self.lake:
            env[LAKE_VAR] = self.lake
        return env


def resolve_paths(environ: Mapping[str, str] | None = None) -> Paths:
    """Every path from the environment: each variable, else its place in the data folder."""
    env = os.environ if environ is None else environ
    data = _absolute(env.get(DATA_VAR) or DATA_DIR)

    def pick(var: str) -> Path:
        return _absolute(env.get(var) or data / IN_DATA[var])

    lake = (env.get(LAKE_VAR) or "").strip() or None
    if lake and "://" not in lake:
        lake = str(_absolute(lake))
    return Paths(
        landing=pick(LANDING_VAR),
        warehouse=pick(WAREHOUSE_VAR),
        config=pick(CONFIG_VAR),
        data=data,
        reports=pick(REPORTS_VAR),
        serving=pick(SERVING_VAR),
        lake=lake,
    )


def export_paths(paths: Paths) -> None:
    """Set the variables of `paths` in this process (for Dagster, dbt and child processes)."""
    os.environ.update(paths.environment())


def export_defaults() -> Paths:
    """Set every unset variable to its absolute default so Dagster and dbt see the same paths."""
    paths = resolve_paths()
    export_paths(paths)
    return paths
