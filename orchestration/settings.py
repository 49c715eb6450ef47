"""Where the warehouse lives: the three environment variables and their defaults under data/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

LANDING_VAR = "RELIABILITY_LANDING"
WAREHOUSE_VAR = "RELIABILITY_WAREHOUSE"
CONFIG_VAR = "RELIABILITY_CONFIG"

DEFAULTS: dict[str, Path] = {
    LANDING_VAR: DATA_DIR / "landing",
    WAREHOUSE_VAR: DATA_DIR / "warehouse" / "reliability.duckdb",
    CONFIG_VAR: DATA_DIR / "reliability.yml",
}


@dataclass(frozen=True)
class Paths:
    """Absolute paths of the landing folder, the warehouse file and the config file."""

    landing: Path
    warehouse: Path
    config: Path


def resolve_paths(environ: dict[str, str] | None = None) -> Paths:
    """Read the three variables (falling back to the defaults), as absolute paths."""
    env = os.environ if environ is None else environ

    def pick(var: str) -> Path:
        value = env.get(var) or str(DEFAULTS[var])
        return Path(value).expanduser().resolve()

    return Paths(landing=pick(LANDING_VAR), warehouse=pick(WAREHOUSE_VAR), config=pick(CONFIG_VAR))


def export_defaults() -> Paths:
    """Set any unset variable to its absolute default so Dagster and dbt see the same paths."""
    paths = resolve_paths()
    os.environ[LANDING_VAR] = str(paths.landing)
    os.environ[WAREHOUSE_VAR] = str(paths.warehouse)
    os.environ[CONFIG_VAR] = str(paths.config)
    return paths
