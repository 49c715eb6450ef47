"""Dagster resources: the warehouse file, landing folder and config file, from the environment."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from .config import ReliabilityConfig, load_config
from .ingest.loader import connect
from .settings import CONFIG_VAR, LANDING_VAR, WAREHOUSE_VAR, resolve_paths

# Every asset that writes the warehouse runs in this pool; the instance limits it to one slot
# (dagster.yaml: concurrency.pools.default_limit = 1) because DuckDB allows one writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Paths of the DuckDB warehouse, the landing folder and the YAML config."""

    warehouse_path: str
    landing_path: str
    config_path: str

    @classmethod
    def from_env(cls) -> WarehouseResource:
        """Configured from RELIABILITY_WAREHOUSE / _LANDING / _CONFIG (read when the run starts)."""
        return cls(
            warehouse_path=dg.EnvVar(WAREHOUSE_VAR),
            landing_path=dg.EnvVar(LANDING_VAR),
            config_path=dg.EnvVar(CONFIG_VAR),
        )

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path).resolve()

    @property
    def landing(self) -> Path:
        return Path(self.landing_path).resolve()

    @property
    def reports(self) -> Path:
        """The review reports folder (RELIABILITY_REPORTS, else <RELIABILITY_DATA>/reports)."""
        return resolve_paths().reports  # type: ignore[return-value]

    @property
    def serving(self) -> Path:
        """The serving copy's folder (RELIABILITY_SERVING, else <RELIABILITY_DATA>/serving)."""
        return resolve_paths().serving  # type: ignore[return-value]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the warehouse (UTC session)."""
        return connect(self.warehouse)

    def load_config(self) -> ReliabilityConfig:
        return load_config(Path(self.config_path))
