"""The serving copy: the marts published to a read-only DuckDB file and Parquet files.

The pipeline writes `data/warehouse/reliability.duckdb`; readers (BI tools, notebooks, the `sql`
command) open `data/serving/reliability.duckdb`. Each publish writes a complete new version into
its own folder and then switches one symbolic link to it, atomically:

    serving/versions/<published at>-<run>/reliability.duckdb, parquet/<table>.parquet
    serving/current            -> versions/<the newest complete version>   (switched by rename)
    serving/reliability.duckdb -> current/reliability.duckdb               (stable path)
    serving/parquet            -> current/parquet                          (stable path)

A reader sees either the previous complete version or the new one, never a mix, and never holds a
lock the pipeline needs. Because every version is a different file, a new connection sees the new
version even while another connection of the same process still has the old one open (DuckDB
shares one open database per file and process, and resolves the links to the version's file).
The last KEEP_VERSIONS versions are kept; older ones are deleted (a reader that still has one
open keeps reading it: the file goes away only when it is closed). docs/faults.md.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from reliability.fault_points import fault_point
from reliability.ingest.parsing import ident, quote

PUBLISHED_SCHEMAS = ("marts",)
SERVING_FILE = "reliability.duckdb"
PARQUET_DIR = "parquet"
VERSIONS_DIR = "versions"
CURRENT_LINK = "current"
KEEP_VERSIONS = 3  # the current version and the two before it


@dataclass(frozen=True)
class Published:
    path: Path
    parquet_dir: Path
    run_id: str
    published_at: datetime
    tables: dict[str, int]
    version: str = ""


def current_version(target_dir: Path) -> str | None:
    """The name of the version `current` points to (None before the first publish)."""
    try:
        return Path(os.readlink(target_dir / CURRENT_LINK)).name
    except OSError:
        return None


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    schemas = ", ".join(quote(s) for s in PUBLISHED_SCHEMAS)
    return [
        (r[0], r[1])
        for r in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            f"WHERE database_name = 'src' AND schema_name IN ({schemas}) ORDER BY 1, 2"
        ).fetchall()
    ]


def _write_version(warehouse: Path, folder: Path, run_id: str, published_at: datetime) -> dict:
    """The marts as `folder`/reliability.duckdb (with _published) and `folder`/parquet/."""
    counts: dict[str, int] = {}
    parquet = folder / PARQUET_DIR
    parquet.mkdir(parents=True)
    with duckdb.connect(str(folder / SERVING_FILE)) as con:
        con.execute(f"ATTACH {quote(str(warehouse))} AS src (READ_ONLY)")
        tables = _tables(con)
        if not tables:
            raise RuntimeError(f"{warehouse} has no tables in schema(s) {PUBLISHED_SCHEMAS}")
        for schema, table in tables:
            source = f"src.{ident(schema)}.{ident(table)}"
            con.execute(f"CREATE TABLE main.{ident(table)} AS SELECT * FROM {source}")
            counts[table] = con.execute(f"SELECT count(*) FROM main.{ident(table)}").fetchone()[0]
            out = parquet / f"{table}.parquet"
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
    return counts


def _link(target: str, link: Path) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one)."""
    tmp = link.with_name(f".{link.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():  # a Parquet folder of the layout before versions
        old = link.with_name(f".{link.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(link, old)
        os.replace(tmp, link)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, link)


def publish(warehouse: Path, target_dir: Path, run_id: str) -> Published:
    """Write the marts as a new complete version, then switch `current` to it atomically."""
    versions = target_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    safe_run = "".join(c for c in run_id if c.isalnum() or c in "-_")[:8] or "run"
    name = f"{published_at:%Y%m%dT%H%M%S%f}-{safe_run}"
    tmp = versions / f".{name}.tmp"
    final = versions / name
    try:
        counts = _write_version(warehouse, tmp, run_id, published_at)
        os.replace(tmp, final)
        fault_point("publish")  # tests only: kill -9 with the new version not yet switched to
        _link(f"{VERSIONS_DIR}/{name}", target_dir / CURRENT_LINK)
        _link(f"{CURRENT_LINK}/{SERVING_FILE}", target_dir / SERVING_FILE)
        _link(f"{CURRENT_LINK}/{PARQUET_DIR}", target_dir / PARQUET_DIR)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if current_version(target_dir) != name:
            shutil.rmtree(final, ignore_errors=True)
        raise
    prune_versions(target_dir)
    return Published(
        target_dir / SERVING_FILE, target_dir / PARQUET_DIR, run_id, published_at, counts, name
    )


def prune_versions(target_dir: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Delete all but the current version and the newest `keep - 1` others, and the leftovers of
    publishes that were killed half-way; return the names deleted."""
    current = current_version(target_dir)
    folders = sorted(p for p in (target_dir / VERSIONS_DIR).iterdir() if p.is_dir())
    leftovers = [p for p in folders if p.name.startswith(".")]
    complete = [p for p in folders if not p.name.startswith(".") and p.name != current]
    doomed = leftovers + complete[: max(0, len(complete) - (keep - 1))]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return [p.name for p in doomed]


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
    # The version the stable path points to now (docs/faults.md: a new connection, a new version).
    return duckdb.connect(str(path.resolve()), read_only=True, config=READER_CONFIG)


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
