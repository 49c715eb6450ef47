"""The serving copy is swapped in atomically; readers keep a complete version meanwhile."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.cli import main
from orchestration.commands.sql import format_table
from orchestration.serving import connect_serving, publish


def _warehouse(path: Path, n: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(f"CREATE OR REPLACE TABLE marts.numbers AS SELECT range AS n FROM range({n})")
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.execute("CREATE OR REPLACE TABLE staging.hidden AS SELECT 1 AS x")
    return path


def test_publish_copies_marts_with_published_table_and_parquet(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 10)
    pub = publish(wh, tmp_path / "serving", "run-1")
    with connect_serving(pub.path) as con:
        assert con.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10
        assert con.execute("SELECT run_id, table_name, row_count FROM _published").fetchall() == [
            ("run-1", "numbers", 10)
        ]
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        assert "hidden" not in tables  # only the marts are published
    assert pq.read_table(pub.parquet_dir / "numbers.parquet").num_rows == 10
    assert sorted(p.name for p in (tmp_path / "serving").iterdir()) == [
        "parquet",
        "reliability.duckdb",
    ]


def test_open_reader_keeps_old_version_new_reader_sees_new(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 10)
    pub = publish(wh, tmp_path / "serving", "run-1")
    reader = connect_serving(pub.path)
    assert reader.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10

    _warehouse(wh, 25)
    publish(wh, tmp_path / "serving", "run-2")  # does not wait for, or break, the open reader
    assert reader.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10
    reader.close()
    with connect_serving(pub.path) as fresh:
        assert fresh.execute("SELECT count(*) FROM numbers").fetchone()[0] == 25
        assert fresh.execute("SELECT DISTINCT run_id FROM _published").fetchone()[0] == "run-2"


def test_failed_publish_leaves_previous_copy(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 10)
    pub = publish(wh, tmp_path / "serving", "run-1")
    before = pub.path.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no tables"):
        publish(empty, tmp_path / "serving", "run-2")
    assert pub.path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "serving").iterdir()) == [
        "parquet",
        "reliability.duckdb",
    ]


def test_sql_command_prints_table_csv_and_errors(tmp_path: Path, capsys) -> None:
    pub = publish(_warehouse(tmp_path / "wh.duckdb", 3), tmp_path / "serving", "r")
    db = str(pub.path)
    assert main(["sql", "--database", db, "SELECT n FROM numbers ORDER BY n"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "(3 rows)"
    assert main(["sql", "--database", db, "--csv", "SELECT n FROM numbers ORDER BY n"]) == 0
    assert capsys.readouterr().out.split() == ["n", "0", "1", "2"]
    assert main(["sql", "--database", db, "SELEC nonsense"]) == 1
    err = capsys.readouterr().err
    assert "Parser Error" in err and "Traceback" not in err
    assert main(["sql", "--database", db, "DELETE FROM numbers"]) == 1  # read-only
    assert "read-only" in capsys.readouterr().err.lower()


def test_format_table() -> None:
    text = format_table(["a", "b"], [(1, None), (2.5, "x" * 50)], max_width=10)
    assert text.splitlines()[0].split() == ["a", "b"]
    assert "xxxxxxxxx…" in text
