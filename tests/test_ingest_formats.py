"""Each landing format loads into the same raw table with the same typed values."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reliability.ingest.loader import connect, load_dataset

HEADER = "deployment_id,service,environment,status,finished_at,commit_sha,team\n"
ROWS = [
    ("d1", "checkout-api", "production", "success", "2026-03-02T14:05:00+01:00", "abc", "payments"),
    ("d2", "catalog-api", "Staging", "FAILURE", "2026-03-02T15:05:00Z", "abd", ""),
]
EXPECTED = [
    ("d1", "checkout-api", "production", "success", "2026-03-02 13:05:00", "abc", "payments"),
    ("d2", "catalog-api", "staging", "failure", "2026-03-02 15:05:00", "abd", None),
]


def _records() -> list[dict[str, str]]:
    keys = HEADER.strip().split(",")
    return [dict(zip(keys, row, strict=True)) for row in ROWS]


def write_csv(path: Path) -> None:
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in ROWS))


def write_jsonl(path: Path) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()))


def write_parquet(path: Path) -> None:
    pq.write_table(pa.Table.from_pylist(_records()), path)


def gzipped(writer):
    def write(path: Path) -> None:
        plain = path.with_name("plain-" + path.stem)
        writer(plain)
        path.write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()

    return write


FORMATS = {
    "a.csv": write_csv,
    "a.csv.gz": gzipped(write_csv),
    "a.jsonl": write_jsonl,
    "a.jsonl.gz": gzipped(write_jsonl),
    "a.parquet": write_parquet,
    "a.parquet.gz": gzipped(write_parquet),
}


def load_rows(tmp_path: Path, name: str) -> list[tuple]:
    folder = tmp_path / "landing" / "deployments"
    folder.mkdir(parents=True)
    FORMATS[name](folder / name)
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "deployments", tmp_path / "landing")
    assert result.rows_loaded == 2 and result.rows_rejected == 0
    return con.execute(
        "SELECT deployment_id, service, environment, status, "
        "strftime(finished_at, '%Y-%m-%d %H:%M:%S'), commit_sha, team "
        "FROM raw.deployments ORDER BY deployment_id"
    ).fetchall()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_loads_the_same_rows(tmp_path: Path, name: str) -> None:
    assert load_rows(tmp_path, name) == EXPECTED


def test_unknown_columns_are_kept_in_extra(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "changes"
    folder.mkdir(parents=True)
    (folder / "c.jsonl").write_text(json.dumps({
        "change_id": "c1", "service": "s", "first_committed_at": 1767225600,
        "repository": "org/app"}) + "\n")
    con = connect(tmp_path / "wh.duckdb")
    load_dataset(con, "changes", tmp_path / "landing")
    extra, ts = con.execute("SELECT _extra, first_committed_at FROM raw.changes").fetchone()
    assert json.loads(extra) == {"repository": "org/app"}
    assert str(ts) == "2026-01-01 00:00:00"  # epoch seconds


def test_epoch_milliseconds_and_offsets_become_utc(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "conversions"
    folder.mkdir(parents=True)
    (folder / "c.csv").write_text(
        "event_id,timestamp,journey,step,user_key,revenue,currency\n"
        "e1,1767225600000,checkout,started,u1,,\n"
        "e2,2026-01-01T01:00:00-05:00,checkout,completed,u1,12.50,eur\n"
        "e3,2026-01-01 07:00:00,checkout,completed,u2,3,EUR\n"
    )
    con = connect(tmp_path / "wh.duckdb")
    load_dataset(con, "conversions", tmp_path / "landing")
    rows = con.execute(
        "SELECT event_id, strftime(timestamp, '%Y-%m-%d %H:%M'), revenue, currency, user_key "
        "FROM raw.conversions ORDER BY event_id"
    ).fetchall()
    assert [r[:4] for r in rows] == [
        ("e1", "2026-01-01 00:00", None, None),
        ("e2", "2026-01-01 06:00", 12.5, "EUR"),
        ("e3", "2026-01-01 07:00", 3, "EUR"),
    ]
    # user keys are hashed, never stored in clear, and stable for the same user
    assert rows[0][4] == rows[1][4] != rows[2][4]
    assert "u1" not in rows[0][4] and len(rows[0][4]) == 64


def test_warehouse_is_readable_by_plain_duckdb(tmp_path: Path) -> None:
    load_rows(tmp_path, "a.csv")
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.deployments").fetchone()[0] == 2
