"""`reliability sql` and every reader connection: one read-only SELECT, no files, no settings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reliability.cli.main import main
from reliability.serving import connect_serving, publish


@pytest.fixture
def serving_file(tmp_path: Path) -> Path:
    wh = tmp_path / "wh.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.numbers AS SELECT range AS n FROM range(3)")
    return publish(wh, tmp_path / "serving", "run-1").path


def _sql(serving_file: Path, query: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["sql", "--database", str(serving_file), query])
    out = capsys.readouterr()
    return code, out.out + out.err


REFUSED = [
    # (query, what the one-line refusal names)
    ("select * from read_csv('/etc/passwd', header=false)", 'Cannot access file "/etc/passwd"'),
    ("select * from read_text('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
    ("select * from read_parquet('/tmp/*.parquet')", "Cannot access file"),
    ("select * from glob('/etc/*')", "Cannot access file"),
    ("copy (select 1) to '{tmp}/x.csv'", "(COPY is not)"),
    ("export database '{tmp}/export'", "(EXPORT is not)"),
    ("attach '{tmp}/other.duckdb'", "(ATTACH is not)"),
    ("install httpfs", "(LOAD is not)"),
    ("load httpfs", "(LOAD is not)"),
    ("set threads = 1", "(SET is not)"),
    ("pragma version", "(PRAGMA is not)"),
    ("create table t (a int)", "(CREATE is not)"),
    ("insert into numbers values (9)", "(INSERT is not)"),
    ("select 1; select 2", "exactly one SELECT statement, got 2 statements"),
    ("selec 1", "Parser Error"),
]


@pytest.mark.parametrize(("query", "named"), REFUSED, ids=[q for q, _ in REFUSED])
def test_reader_query_is_refused_with_one_line(
    serving_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str, named: str
) -> None:
    code, printed = _sql(serving_file, query.format(tmp=tmp_path), capsys)
    assert code == 1
    assert printed.startswith("reliability sql: refused: ")
    assert named in printed
    assert len(printed.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "export").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_copy_to_writes_no_file_even_past_the_statement_check(serving_file: Path) -> None:
    """The connection itself refuses file access, not only the statement check."""
    target = serving_file.parent / "leak.csv"
    with connect_serving(serving_file) as con, pytest.raises(duckdb.PermissionException):
        con.execute(f"copy (select 1) to '{target}'")
    assert not target.exists()
    with connect_serving(serving_file) as con, pytest.raises(duckdb.Error, match="locked"):
        con.execute("set enable_external_access = true")


def test_select_forms_still_work(serving_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for query in (
        "select sum(n) as total from numbers",
        "with t as (select n from numbers) select sum(n) as total from t",
        "from numbers select sum(n) as total",
    ):
        code, printed = _sql(serving_file, query, capsys)
        assert code == 0, printed
        assert printed.splitlines()[2].strip() == "3"
    code, printed = _sql(serving_file, "show tables", capsys)
    assert code == 0 and "numbers" in printed
