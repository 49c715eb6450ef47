"""Loading the same file twice, or re-running, changes nothing; newer records replace older."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from reliability.ingest.loader import connect, load_dataset

INCIDENTS = (
    "incident_id,service,started_at,resolved_at,severity\n"
    "INC-1,checkout-api,2026-03-02T10:00:00Z,,SEV2\n"
    "INC-2,catalog-api,2026-03-03T10:00:00Z,2026-03-03T11:00:00Z,sev3\n"
)
INCIDENTS_V2 = (
    "incident_id,service,started_at,resolved_at,severity\n"
    "INC-1,checkout-api,2026-03-02T10:00:00Z,2026-03-02T12:30:00Z,sev2\n"
)


def _snapshot(con) -> dict[str, int]:
    tables = ["raw.incidents", "raw.rejects", "raw.loaded_files"]
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _write(path: Path, text: str, mtime: int) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def _requests_parquet(tmp_path: Path, query: str, name: str = "a.parquet") -> Path:
    """A requests landing file written by DuckDB from `query`; returns its path."""
    folder = tmp_path / "landing" / "requests"
    folder.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY ({query}) TO '{folder / name}' (FORMAT parquet)")
    return folder / name


def _numbered_requests(status: str, ids: str) -> str:
    """Requests i = 1..len(ids) a second apart: status `status` (SQL over i), request id ids[i]."""
    return (
        "SELECT TIMESTAMP '2026-03-02 10:00:00' + to_seconds(i) AS timestamp, 's' AS service, "
        f"'/c' AS route, {status} AS status, {ids}[i] AS request_id "
        f"FROM range(1, len({ids}) + 1) t(i)"
    )


def test_rerun_and_same_file_twice_change_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "incidents"
    folder.mkdir(parents=True)
    _write(folder / "export.csv", INCIDENTS + "INC-3,x,not-a-time,,\n", 1_000)
    con = connect(tmp_path / "wh.duckdb")
    first = load_dataset(con, "incidents", tmp_path / "landing")
    assert (first.rows_loaded, first.rows_rejected) == (2, 1)
    before = _snapshot(con)

    again = load_dataset(con, "incidents", tmp_path / "landing")
    assert again.files == [] and again.files_skipped == 1
    shutil.copy(folder / "export.csv", folder / "export-copy.csv")  # same bytes, new name
    copy = load_dataset(con, "incidents", tmp_path / "landing")
    assert copy.files == [] and copy.files_skipped == 2
    assert _snapshot(con) == before


def test_newer_record_replaces_older_and_only_new_files_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "incidents"
    folder.mkdir(parents=True)
    _write(folder / "monday.csv", INCIDENTS, 1_000)
    con = connect(tmp_path / "wh.duckdb")
    load_dataset(con, "incidents", tmp_path / "landing")
    _write(folder / "tuesday.csv", INCIDENTS_V2, 2_000)
    second = load_dataset(con, "incidents", tmp_path / "landing")
    assert [f.path.name for f in second.files] == ["tuesday.csv"]
    rows = con.execute(
        "SELECT incident_id, strftime(resolved_at, '%H:%M'), severity FROM raw.incidents "
        "ORDER BY incident_id"
    ).fetchall()
    assert rows == [("INC-1", "12:30", "sev2"), ("INC-2", "11:00", "sev3")]


def test_duplicate_keys_within_a_file_keep_the_last_and_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "incidents"
    folder.mkdir(parents=True)
    _write(folder / "a.csv", INCIDENTS + "INC-2,catalog-api,2026-03-03T10:00:00Z,,sev1\n", 1)
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "incidents", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_duplicate) == (2, 1)
    assert con.execute(
        "SELECT severity FROM raw.incidents WHERE incident_id = 'INC-2'").fetchone() == ("sev1",)


def test_requests_deduplicate_by_request_id_across_files(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "requests"
    folder.mkdir(parents=True)
    head = "timestamp,service,route,status,request_id\n"
    _write(folder / "a.csv", head + "2026-03-02T10:00:00Z,s,/a,200,r1\n"
           "2026-03-02T10:00:01Z,s,/a,200,r2\n2026-03-02T10:00:01Z,s,/a,200,\n", 1)
    _write(folder / "b.csv", head + "2026-03-02T10:00:01Z,s,/a,200,r2\n"
           "2026-03-02T10:00:02Z,s,/a,500,r3\n2026-03-02T10:00:01Z,s,/a,200,\n", 2)
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    assert con.execute("SELECT count(*) FROM raw.requests").fetchone()[0] == 5
    assert result.rows_duplicate == 1
    ids = con.execute("SELECT request_id FROM raw.requests WHERE request_id IS NOT NULL "
                      "ORDER BY 1").fetchall()
    assert ids == [("r1",), ("r2",), ("r3",)]


def test_requests_first_delivery_wins_in_file_order_across_loads(tmp_path: Path) -> None:
    """Stored keys (earlier load and earlier file of the same load), repeats within a file,
    a key both stored and repeated, rows without a key and a bad row: each counted once."""
    folder = tmp_path / "landing" / "requests"
    folder.mkdir(parents=True)
    head = "timestamp,service,route,status,request_id\n"
    _write(folder / "a.csv", head + "2026-03-02T10:00:00Z,s,/a,200,r1\n"
           "2026-03-02T10:00:01Z,s,/a,200,r2\n", 1)
    con = connect(tmp_path / "wh.duckdb")
    assert load_dataset(con, "requests", tmp_path / "landing").rows_loaded == 2
    _write(folder / "b.csv", head + "2026-03-02T10:00:02Z,s,/b,200,r3\n", 2)
    ts = [f"2026-03-02T10:00:0{i}Z" for i in range(3, 10)]
    parquet = _requests_parquet(
        tmp_path,
        "SELECT * FROM (VALUES "
        f"('{ts[0]}', 's', '/c', 201, 'r4'), ('{ts[1]}', 's', '/c', 202, 'r1'), "
        f"('{ts[2]}', 's', '/c', 203, NULL), ('{ts[3]}', 's', '/c', 204, 'r4'), "
        f"('{ts[4]}', 's', '/c', 999, 'r5'), ('{ts[5]}', 's', '/c', 205, 'r3'), "
        f"('{ts[6]}', 's', '/c', 206, NULL), ('{ts[6]}', 's', '/c', 207, 'r4')) "
        "AS t(timestamp, service, route, status, request_id)",
        "c.parquet",
    )
    os.utime(parquet, (3, 3))
    result = load_dataset(con, "requests", tmp_path / "landing")
    b, c = result.files
    assert (b.rows_read, b.rows_loaded, b.rows_duplicate, b.rows_rejected) == (1, 1, 0, 0)
    # r4 first (kept), r1 stored, no key, r4 again, bad status, r3 from b.csv, no key, r4 again
    assert (c.rows_read, c.rows_loaded, c.rows_duplicate, c.rows_rejected) == (8, 3, 4, 1)
    rows = con.execute(
        "SELECT request_id, status, _source_record FROM raw.requests "
        "WHERE _source_file LIKE '%c.parquet' ORDER BY _source_record"
    ).fetchall()
    assert rows == [("r4", 201, 1), (None, 203, 3), (None, 206, 7)]
    assert con.execute(
        "SELECT request_id, count(*), min(status) FROM raw.requests WHERE request_id IS NOT NULL "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("r1", 1, 200), ("r2", 1, 200), ("r3", 1, 200), ("r4", 1, 201)]
    assert con.execute(
        "SELECT line_number, reason FROM raw.rejects WHERE file_path LIKE '%c.parquet'"
    ).fetchall() == [(5, "status: 999 is not an HTTP status (100..599)")]
    loaded = load_dataset(con, "requests", tmp_path / "landing")
    assert loaded.files == [] and loaded.table_rows == 6


def test_requests_rejects_counted_from_the_insert_on_a_first_load(tmp_path: Path) -> None:
    """No key stored and none repeated: the good rows' count is the insert's; the rejected
    rows are still kept with their record number and reason."""
    _requests_parquet(
        tmp_path,
        "SELECT * FROM (VALUES "
        "('2026-03-02T10:00:00Z', 's', '/c', 200, 'r1'), ('2026-03-02T10:00:01Z', 's', '/c', 42, "
        "'r2'), ('2026-03-02T10:00:02Z', 's', '/c', 500, NULL), ('2026-03-02T10:00:03Z', NULL, "
        "'/c', 200, 'r3')) AS t(timestamp, service, route, status, request_id)",
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    (f,) = result.files
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_duplicate) == (4, 2, 2, 0)
    assert con.execute(
        "SELECT line_number, reason FROM raw.rejects ORDER BY 1").fetchall() == [
        (2, "status: 42 is not an HTTP status (100..599)"),
        (4, "service: required value is missing"),
    ]
    assert con.execute(
        "SELECT request_id, _source_record FROM raw.requests ORDER BY 2").fetchall() == [
        ("r1", 1), (None, 3)]


def test_parquet_keys_that_differ_only_before_trimming_are_repeats(tmp_path: Path) -> None:
    """The repeat check may count a Parquet file's keys as they are only when trimming would
    change none of them: ' r1' and 'r1' are the same key."""
    _requests_parquet(tmp_path, _numbered_requests("200", "['é', ' r1', 'r1', 'r2\u3000', 'r2']"))
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_duplicate) == (3, 2)
    assert con.execute(
        "SELECT request_id, _source_record FROM raw.requests ORDER BY 2").fetchall() == [
        ("é", 1), ("r1", 2), ("r2", 4)]


def test_files_loaded_and_untouched_since_are_not_read_again(
    tmp_path: Path, monkeypatch
) -> None:
    """Only new files are read: a file whose size and modification time are those recorded
    with its checksum is not read again; a touched or rewritten file is read once, and loaded
    only when its checksum is new."""
    from reliability.ingest import loader

    hashed: list[str] = []
    real = loader.sha256_file
    monkeypatch.setattr(loader, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    folder = tmp_path / "landing" / "incidents"
    folder.mkdir(parents=True)
    _write(folder / "a.csv", INCIDENTS, 1_000)
    con = connect(tmp_path / "wh.duckdb")
    load_dataset(con, "incidents", tmp_path / "landing")
    _write(folder / "b.csv", INCIDENTS_V2, 2_000)
    hashed.clear()
    second = load_dataset(con, "incidents", tmp_path / "landing")
    assert hashed == ["b.csv"] and second.files_skipped == 1
    hashed.clear()
    (folder / "a.csv").touch()  # modified after it was loaded: read, same checksum: skipped
    third = load_dataset(con, "incidents", tmp_path / "landing")
    assert hashed == ["a.csv"] and third.files == [] and third.files_skipped == 2
    hashed.clear()
    assert load_dataset(con, "incidents", tmp_path / "landing").files_skipped == 2
    assert hashed == []
    (folder / "b.csv").write_text(INCIDENTS_V2.replace("sev2", "sev1"))  # same size, new bytes
    fourth = load_dataset(con, "incidents", tmp_path / "landing")
    assert hashed == ["b.csv"] and [f.path.name for f in fourth.files] == ["b.csv"]


def test_a_rejected_record_is_no_delivery_of_its_key(tmp_path: Path) -> None:
    """A key first seen on a rejected record and then on a good one: the good one is kept."""
    _requests_parquet(
        tmp_path, _numbered_requests("[999, 200, 201, 202][i]", "['x', 'x', 'y', 'x']")
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_rejected, result.rows_duplicate) == (2, 1, 1)
    assert con.execute(
        "SELECT request_id, status FROM raw.requests ORDER BY _source_record").fetchall() == [
        ("x", 200), ("y", 201)]
