"""Dagster resources: the DuckDB warehouse, landing folder and config file, from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from reliability.config import ReliabilityConfig, load_config
from reliability.ingest.loader import connect
from reliability.settings import CONFIG_VAR, LANDING_VAR, WAREHOUSE_VAR, resolve_paths
from reliability.writer_lock import writing

# Every asset that writes the warehouse runs in this pool; the instance limits it to one slot
# (dagster.yaml: concurrency.pools.default_limit = 1) because DuckDB allows one writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse (dagster-duckdb's `database`), the landing folder and the YAML config.

    `warehouse_path=` is accepted as another name of `database` (the name before dagster-duckdb).
    """

    landing_path: str
    config_path: str

    def __init__(
        self,
        *,
        database: str | dg.EnvVar | None = None,
        warehouse_path: str | dg.EnvVar | None = None,
        landing_path: str | dg.EnvVar,
        config_path: str | dg.EnvVar,
        connection_config: dict[str, Any] | None = None,
    ) -> None:
        chosen = database if database is not None else warehouse_path
        if chosen is None:
            raise TypeError("WarehouseResource needs database (or warehouse_path)")
        super().__init__(
            database=chosen,
            landing_path=landing_path,
            config_path=config_path,
            connection_config=connection_config or {},
        )

    @classmethod
    def from_env(cls) -> WarehouseResource:
        """Configured from RELIABILITY_WAREHOUSE / _LANDING / _CONFIG (read when the run starts)."""
        return cls(
            database=dg.EnvVar(WAREHOUSE_VAR),
            landing_path=dg.EnvVar(LANDING_VAR),
            config_path=dg.EnvVar(CONFIG_VAR),
        )

    @property
    def warehouse_path(self) -> str:
        return self.database

    @property
    def warehouse(self) -> Path:
        return Path(self.database).resolve()

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
        """A read-write connection to the warehouse (UTC session, bounded memory); the
        resource's `get_connection()` opens a plain one."""
        return connect(self.warehouse)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the warehouse's writer lock (reliability.writer_lock) while an asset writes:
        a step of a second run stops at once with "another run is writing ..."."""
        with writing(self.warehouse):
            yield

    def load_config(self) -> ReliabilityConfig:
        return load_config(Path(self.config_path))
