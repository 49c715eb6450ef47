"""The serving copy: the marts published to a read-only DuckDB file and Parquet files.

The pipeline writes `data/warehouse/reliability.duckdb`; readers (BI tools, notebooks, the `sql`
command) open `data/serving/reliability.duckdb`. Each publish writes a complete new file and renames
it into place (an atomic rename on the same file system), so a reader sees either the previous
complete version or the new one, and never holds a lock the pipeline needs.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .ingest.parsing import ident, quote

PUBLISHED_SCHEMAS = ("marts",)
SERVING_FILE = "reliability.duckdb"


@dataclass(frozen=True)
class Published:
    path: Path
    parquet_dir: Path
    run_id: str
    published_at: datetime
    tables: dict[str, int]


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    schemas = ", ".join(quote(s) for s in PUBLISHED_SCHEMAS)
    return [
        (r[0], r[1])
        for r in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            f"WHERE database_name = 'src' AND schema_name IN ({schemas}) ORDER BY 1, 2"
        ).fetchall()
    ]


def publish(warehouse: Path, target_dir: Path, run_id: str) -> Published:
    """Copy the marts into a new serving file and Parquet files, then swap them in atomically."""
    target_dir.mkdir(parents=True, exist_ok=True)
    final = target_dir / SERVING_FILE
    tmp = target_dir / f".{SERVING_FILE}.{run_id}.tmp"
    parquet_final = target_dir / "parquet"
    parquet_tmp = target_dir / f".parquet.{run_id}.tmp"
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(parquet_tmp, ignore_errors=True)
    parquet_tmp.mkdir()
    published_at = datetime.now(UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"ATTACH {quote(str(warehouse))} AS src (READ_ONLY)")
            tables = _tables(con)
            if not tables:
                raise RuntimeError(f"{warehouse} has no tables in schema(s) {PUBLISHED_SCHEMAS}")
            for schema, table in tables:
                source = f"src.{ident(schema)}.{ident(table)}"
                con.execute(f"CREATE TABLE main.{ident(table)} AS SELECT * FROM {source}")
                counts[table] = con.execute(f"SELECT count(*) FROM main.{ident(table)}").fetchone()[
                    0
                ]
                out = parquet_tmp / f"{table}.parquet"
                con.execute(f"COPY main.{ident(table)} TO {quote(str(out))} (FORMAT parquet)")
            con.execute(
                "CREATE TABLE main._published (published_at TIMESTAMP, run_id VARCHAR, "
                "table_name VARCHAR, row_count BIGINT, source_warehouse VARCHAR)"
            )
            con.executemany(
                "INSERT INTO main._published VALUES (?, ?, ?, ?, ?)",
                [(published_at, run_id, t, n, str(warehouse)) for t, n in counts.items()],
            )
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        _swap_parquet(parquet_tmp, parquet_final)
        os.replace(tmp, final)  # atomic: readers see the old file or the new one
    except BaseException:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(parquet_tmp, ignore_errors=True)
        raise
    return Published(final, parquet_final, run_id, published_at, counts)


def _swap_parquet(new: Path, final: Path) -> None:
    """Move each new Parquet file over the old one (one atomic rename per file)."""
    final.mkdir(exist_ok=True)
    names = {f.name for f in new.iterdir()}
    for name in sorted(names):
        os.replace(new / name, final / name)
    for stale in final.glob("*.parquet"):
        if stale.name not in names:  # a table that no longer exists
            stale.unlink()
    shutil.rmtree(new, ignore_errors=True)


# What a reader's connection may do: read the published tables, nothing else. With external access
# off, DuckDB refuses read_csv/read_parquet/read_text/glob of any path, COPY TO, EXPORT DATABASE,
# ATTACH and INSTALL/LOAD; the locked configuration refuses SET/RESET (docs/security.md).
READER_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


class ReadOnlyQueryError(ValueError):
    """A reader's query that is not exactly one read-only SELECT."""


def connect_serving(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only, locked-down connection to the serving copy (READER_CONFIG)."""
    if not path.exists():
        raise FileNotFoundError(
            f"No serving copy at {path}: run `reliability run` (or `reliability demo`) first."
        )
    return duckdb.connect(str(path), read_only=True, config=READER_CONFIG)


def check_read_only_query(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Raise ReadOnlyQueryError unless `query` is exactly one SELECT (DuckDB's own parser decides:
    SELECT, WITH ... SELECT, FROM t, DESCRIBE and SHOW parse as SELECT)."""
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(first_line(str(exc))) from exc
    if len(statements) != 1:
        raise ReadOnlyQueryError(
            f"expected exactly one SELECT statement, got {len(statements)} statements"
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise ReadOnlyQueryError(f"only a read-only SELECT is allowed ({kind.name} is not)")


def first_line(message: str) -> str:
    """The first non-empty line of a DuckDB error (the rest repeats the query with a caret)."""
    return next((line.strip() for line in message.splitlines() if line.strip()), message)
