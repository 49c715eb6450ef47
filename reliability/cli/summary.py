"""What `reliability demo` / `run` print after a run: rows loaded and rejected per dataset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from reliability.ingest.contract import DATASETS


@dataclass(frozen=True)
class DatasetCounts:
    dataset: str
    files: int
    rows: int
    rejected: int


def warehouse_counts(warehouse: Path) -> list[DatasetCounts]:
    """Files loaded, rows held and rows rejected per dataset, read from the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = []
        for name in DATASETS:
            files = con.execute(
                "SELECT count(*) FROM raw.loaded_files WHERE dataset = ?", [name]
            ).fetchone()[0]
            rows = con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
            rejected = con.execute(
                "SELECT count(*) FROM raw.rejects WHERE dataset = ?", [name]
            ).fetchone()[0]
            out.append(DatasetCounts(name, int(files), int(rows), int(rejected)))
    return out


def format_summary(
    counts: list[DatasetCounts], warehouse: Path, marts_engine: str | None = None
) -> str:
    """A short table plus where the warehouse is and how to query it.

    `marts_engine` names the engine that built the marts when it is not the DuckDB warehouse
    (Spark, PostgreSQL): the warehouse then holds the raw tables only, and the commands that read
    the marts from it do not apply.
    """
    lines = [f"{'dataset':<12} {'files':>6} {'rows':>12} {'rejected':>9}"]
    for c in counts:
        lines.append(f"{c.dataset:<12} {c.files:>6} {c.rows:>12,} {c.rejected:>9,}")
    if marts_engine:
        lines += [
            "",
            f"Raw tables and rejects: {warehouse} (SELECT * FROM raw.rejects;)",
            f"Marts, in the schema/database marts: {marts_engine}",
            "(reliability dora / slo / gate / sql read the DuckDB warehouse: run them after a "
            "DuckDB run)",
        ]
        return "\n".join(lines)
    lines += [
        "",
        f"Warehouse: {warehouse}",
        "Rejected rows, with file, line and reason: SELECT * FROM raw.rejects;",
        "Try:       reliability dora --weeks 4   |   reliability slo   |   reliability gate",
        "           reliability sql \"select * from error_budget_status\"  (the serving copy)",
        f"Query it:  duckdb -readonly {warehouse}",
        "      or:  python -c \"import duckdb; print(duckdb.connect(r'"
        f"{warehouse}', read_only=True).sql('SHOW ALL TABLES'))\"",
    ]
    return "\n".join(lines)
