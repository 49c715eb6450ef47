"""The raw schema of the warehouse: its bookkeeping tables, one table per dataset, the connection
the loader writes through, and what a load reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from reliability.ingest.contract import DATASETS, SQL_TYPES
from reliability.ingest.parsing import ident, quote

# Nearly unique text (ids, hashed user keys, the `_extra` JSON) is stored zstd-compressed: DuckDB's
# automatic choice (dictionary/FSST analysis) costs twice the CPU to write, for a similar size.
ZSTD = " USING COMPRESSION zstd"
META_COLUMNS = (
    f"_source_file VARCHAR, _source_record BIGINT, _extra VARCHAR{ZSTD}, _loaded_at TIMESTAMP"
)

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.loaded_files (
    dataset VARCHAR NOT NULL, file_path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    size_bytes BIGINT, format VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
    rows_rejected BIGINT, rows_duplicate BIGINT, loaded_at TIMESTAMP,
    PRIMARY KEY (dataset, sha256)
);
CREATE TABLE IF NOT EXISTS raw.landing_files (
    dataset VARCHAR NOT NULL, file_path VARCHAR NOT NULL, size_bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL, sha256 VARCHAR NOT NULL, checked_at TIMESTAMP,
    PRIMARY KEY (dataset, file_path)
);
CREATE TABLE IF NOT EXISTS raw.rejects (
    dataset VARCHAR NOT NULL, file_path VARCHAR NOT NULL, line_number BIGINT,
    raw_text VARCHAR, reason VARCHAR NOT NULL, file_sha256 VARCHAR, rejected_at TIMESTAMP
);
"""

class LoadError(Exception):
    """A load that failed as a whole; nothing it did was kept."""


@dataclass
class FileResult:
    path: Path
    sha256: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0


@dataclass
class LoadResult:
    dataset: str
    files: list[FileResult] = field(default_factory=list)
    files_skipped: int = 0
    table_rows: int = 0
    rejects_total: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_duplicate(self) -> int:
        return sum(f.rows_duplicate for f in self.files)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)


# DuckDB's default is 80% of the machine's memory; a large file's stage spills to disk instead.
MEMORY_LIMIT = "1GB"


def connect(warehouse: Path, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file for writing: UTC session time zone, bounded memory.

    Beyond `memory_limit`, DuckDB spills to a temporary folder next to the warehouse file.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = {quote(memory_limit)}")
    con.execute(f"SET temp_directory = {quote(str(warehouse) + '.tmp')}")
    return con


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, bookkeeping tables and one table per dataset (if missing)."""
    con.execute(SCHEMA_SQL)
    for ds in DATASETS.values():
        cols = ", ".join(
            f"{ident(c.name)} {SQL_TYPES[c.kind]}"
            + (ZSTD if c.name == ds.key or c.kind == "user_key" else "")
            for c in ds.columns
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS {ds.table} ({cols}, {META_COLUMNS})")
