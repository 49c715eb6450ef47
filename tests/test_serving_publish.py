"""The serving copy is switched atomically to each new version; readers keep a complete version
meanwhile, and a new connection sees the new version."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from reliability.cli.main import main
from reliability.cli.sql import format_table
from reliability.serving import (
    KEEP_VERSIONS,
    READER_CONFIG,
    SERVING_FILE,
    connect_serving,
    current_version,
    publish,
)

# Two stable links, the link they go through, and the versions (reliability/serving.py).
SERVING_LAYOUT = ["current", "parquet", "reliability.duckdb", "versions"]


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
    assert sorted(p.name for p in (tmp_path / "serving").iterdir()) == SERVING_LAYOUT
    assert pub.path.resolve() == tmp_path / "serving" / "versions" / pub.version / SERVING_FILE


def test_open_reader_keeps_old_version_new_reader_sees_new(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 10)
    pub = publish(wh, tmp_path / "serving", "run-1")
    reader = connect_serving(pub.path)
    assert reader.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10

    _warehouse(wh, 25)
    publish(wh, tmp_path / "serving", "run-2")  # does not wait for, or break, the open reader
    assert reader.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10
    # The old connection is still open in this process, and a new one sees the new version (issue
    # 19.10: with one file renamed in place, DuckDB handed back the old open database).
    for fresh in (
        connect_serving(pub.path),
        # a BI tool opening the stable path as docs/security.md says (DuckDB follows the links)
        duckdb.connect(str(pub.path), read_only=True, config=READER_CONFIG),
    ):
        assert fresh.execute("SELECT count(*) FROM numbers").fetchone()[0] == 25
        assert fresh.execute("SELECT DISTINCT run_id FROM _published").fetchone()[0] == "run-2"
        fresh.close()
    assert reader.execute("SELECT count(*) FROM numbers").fetchone()[0] == 10
    reader.close()


def test_old_versions_are_pruned_and_open_readers_keep_theirs(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 1)
    serving = tmp_path / "serving"
    first = publish(wh, serving, "run-1")
    pinned = connect_serving(first.path)
    (serving / "versions" / ".20000101T000000000000-killed.tmp").mkdir()  # a killed publish
    names = [first.version]
    for n in range(2, 6):
        _warehouse(wh, n)
        names.append(publish(wh, serving, f"run-{n}").version)
    assert sorted(p.name for p in (serving / "versions").iterdir()) == names[-KEEP_VERSIONS:]
    assert current_version(serving) == names[-1]
    # The first version's file is deleted, but the reader that has it open still reads it.
    assert pinned.execute("SELECT count(*) FROM numbers").fetchone()[0] == 1
    pinned.close()
    with connect_serving(first.path) as con:
        assert con.execute("SELECT count(*) FROM numbers").fetchone()[0] == 5


def test_publish_replaces_the_layout_before_versions(tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    (serving / "parquet").mkdir(parents=True)
    (serving / "parquet" / "old.parquet").write_bytes(b"old")
    duckdb.connect(str(serving / SERVING_FILE)).close()  # one plain file, renamed in place
    pub = publish(_warehouse(tmp_path / "wh.duckdb", 4), serving, "run-1")
    assert (serving / SERVING_FILE).is_symlink() and (serving / "parquet").is_symlink()
    assert sorted(p.name for p in serving.iterdir()) == SERVING_LAYOUT
    assert [p.name for p in pub.parquet_dir.iterdir()] == ["numbers.parquet"]
    with connect_serving(pub.path) as con:
        assert con.execute("SELECT count(*) FROM numbers").fetchone()[0] == 4


def test_failed_publish_leaves_previous_copy(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "wh.duckdb", 10)
    pub = publish(wh, tmp_path / "serving", "run-1")
    before = pub.path.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no tables"):
        publish(empty, tmp_path / "serving", "run-2")
    assert pub.path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "serving").iterdir()) == SERVING_LAYOUT
    assert [p.name for p in (tmp_path / "serving" / "versions").iterdir()] == [pub.version]


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
