"""The Parquet lake: every loaded batch of a raw table, for engines that cannot read DuckDB.

Layout: ``<lake>/<table>/date=YYYY-MM-DD/batch-<loaded_at>.parquet`` for the datasets, the load
bookkeeping (rejects, loaded_files) and anything else loaded in batches; ``<lake>/<table>/
snapshot.parquet`` for tables that are replaced whole (the configuration tables). The lake is a
local folder or an object-store URL (``s3://bucket/prefix``, ``gs://...``, ``abfs://...``), written
through pyarrow's file systems. The Spark target reads it (dbt macro create_lake_sources).

A batch is the rows of one load: the loader stamps them all with the load transaction's time
(``_loaded_at``, the same as ``raw.loaded_files.loaded_at``), which names the batch file, so
writing a batch again replaces its file. Upserts are appended as new versions; the staging
models keep the latest version of each key, exactly as in DuckDB where the older row is replaced.
Timestamps are written as UTC instants (Parquet isAdjustedToUTC), so every engine reads the same
instant whatever its session time zone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from reliability.settings import LAKE_VAR

SNAPSHOT_FILE = "snapshot.parquet"
EMPTY_FILE = "schema.parquet"  # 0 rows: lets an engine see a table that has no batch yet
INDEX_DIR = "_tables"  # one <table>.txt per table in the lake: the Spark hook reads this list
_ROWS_PER_GROUP = 1_000_000


@dataclass(frozen=True)
class Lake:
    """A lake root: a local folder or an object-store URL."""

    url: str

    @classmethod
    def from_env(cls) -> Lake | None:
        """The lake named by RELIABILITY_LAKE, or None when it is unset."""
        value = os.environ.get(LAKE_VAR, "").strip()
        return cls(value) if value else None

    @property
    def is_local(self) -> bool:
        return "://" not in self.url or self.url.startswith("file://")

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """The pyarrow file system and the root path inside it."""
        if self.is_local:
            root = Path(self.url.removeprefix("file://")).expanduser().resolve()
            return pafs.LocalFileSystem(), root.as_posix()
        fs, root = pafs.FileSystem.from_uri(self.url)
        return fs, root.rstrip("/")


def batch_relpath(table: str, loaded_at: datetime) -> str:
    """Where the batch loaded at `loaded_at` goes, relative to the lake root."""
    return f"{table}/date={loaded_at:%Y-%m-%d}/batch-{loaded_at:%Y%m%dT%H%M%S%f}.parquet"


def utc_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with naive timestamps marked UTC (the warehouse stores UTC without a zone)."""
    fields = []
    for f in schema:
        if pa.types.is_timestamp(f.type) and f.type.tz is None:
            f = f.with_type(pa.timestamp("us", tz="UTC"))
        elif pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type):
            f = f.with_type(pa.string())
        fields.append(f)
    return pa.schema(fields)


def _write(
    con: duckdb.DuckDBPyConnection, query: str, fs: pafs.FileSystem, path: str,
    params: list[object] | None = None,
) -> int:
    """Stream the query's rows into one Parquet file at `path` (via a hidden temporary name)."""
    reader = con.execute(query, params or []).to_arrow_reader(_ROWS_PER_GROUP)
    schema = utc_schema(reader.schema)
    parent, name = path.rsplit("/", 1)
    fs.create_dir(parent, recursive=True)
    tmp = f"{parent}/.{name}.tmp"
    rows = 0
    with pq.ParquetWriter(tmp, schema, filesystem=fs, compression="zstd") as writer:
        for batch in reader:
            table = pa.Table.from_batches([batch]).cast(schema)
            writer.write_table(table, row_group_size=_ROWS_PER_GROUP)
            rows += table.num_rows
        if rows == 0:
            writer.write_table(schema.empty_table())
    fs.move(tmp, path)
    _register(fs, path)
    return rows


def _register(fs: pafs.FileSystem, path: str) -> None:
    """Record the table of `path` (<root>/<table>/...) in <root>/_tables/<table>.txt."""
    parts = path.split("/")
    depth = 3 if parts[-2].startswith("date=") else 2
    root, table = "/".join(parts[:-depth]), parts[-depth]
    index = f"{root}/{INDEX_DIR}/{table}.txt"
    if fs.get_file_info(index).type != pafs.FileType.File:
        fs.create_dir(f"{root}/{INDEX_DIR}", recursive=True)
        with fs.open_output_stream(index) as out:
            out.write(f"{table}\n".encode())


def _has_files(fs: pafs.FileSystem, folder: str) -> bool:
    infos = fs.get_file_info(pafs.FileSelector(folder, recursive=True, allow_not_found=True))
    return any(
        i.type == pafs.FileType.File and not i.base_name.startswith((".", "_")) for i in infos
    )


def batch_times(lake: Lake, table: str) -> set[datetime]:
    """The load times of the batches of <lake>/<table>/, read from the file names."""
    fs, root = lake.filesystem()
    infos = fs.get_file_info(
        pafs.FileSelector(f"{root}/{table}", recursive=True, allow_not_found=True)
    )
    times = set()
    for info in infos:
        name = info.base_name
        if info.type == pafs.FileType.File and name.startswith("batch-"):
            times.add(datetime.strptime(name[6:].removesuffix(".parquet"), "%Y%m%dT%H%M%S%f"))
    return times


def write_batch(
    con: duckdb.DuckDBPyConnection, lake: Lake, table: str, time_column: str, loaded_at: datetime
) -> tuple[str, int]:
    """Write the rows of raw.<table> whose `time_column` is `loaded_at` as that batch's file.

    Returns the file written and its row count.
    """
    fs, root = lake.filesystem()
    path = f"{root}/{batch_relpath(table, loaded_at)}"
    query = f"SELECT * FROM raw.{table} WHERE {time_column} = ?"
    rows = _write(con, query, fs, path, [loaded_at])
    marker = f"{root}/{table}/{EMPTY_FILE}"
    if fs.get_file_info(marker).type == pafs.FileType.File:
        fs.delete_file(marker)
    return path, rows


def sync_table(
    con: duckdb.DuckDBPyConnection, lake: Lake, table: str, time_column: str
) -> list[tuple[str, int]]:
    """Write every batch of raw.<table> (rows sharing one `time_column` value) that the lake lacks.

    After a load that is the new batch; on a new lake, every batch the warehouse holds. A table
    without rows gets an empty file so engines can still see its columns.
    """
    have = batch_times(lake, table)
    times = [
        r[0] for r in con.execute(
            f"SELECT DISTINCT {time_column} FROM raw.{table} WHERE {time_column} IS NOT NULL "
            "ORDER BY 1"
        ).fetchall()
    ]
    written = [write_batch(con, lake, table, time_column, t) for t in times if t not in have]
    if not times and not have:
        fs, root = lake.filesystem()
        folder = f"{root}/{table}"
        if not _has_files(fs, folder):
            path = f"{folder}/{EMPTY_FILE}"
            written.append((path, _write(con, f"SELECT * FROM raw.{table} LIMIT 0", fs, path)))
    return written


def write_snapshot(con: duckdb.DuckDBPyConnection, lake: Lake, table: str) -> tuple[str, int]:
    """Replace <lake>/<table>/ by one file holding raw.<table> as it is now."""
    fs, root = lake.filesystem()
    path = f"{root}/{table}/{SNAPSHOT_FILE}"
    rows = _write(con, f"SELECT * FROM raw.{table}", fs, path)
    return path, rows
