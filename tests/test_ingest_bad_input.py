"""Bad rows become rejects with reasons; a bad file fails the load and changes nothing."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from reliability.ingest.loader import LoadError, connect, load_dataset

GOOD = (
    "deployment_id,service,environment,status,finished_at\n"
    "d1,checkout-api,production,success,2026-03-02T10:00:00Z\n"
)


def _table_state(con) -> dict[str, list]:
    return {
        t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
        for t in ("raw.deployments", "raw.rejects", "raw.loaded_files")
    }


def test_rejects_name_file_line_text_and_reason(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "deployments"
    folder.mkdir(parents=True)
    path = folder / "d.csv"
    path.write_text(
        GOOD
        + "d2,checkout-api,production,maybe,2026-03-02T11:00:00Z\n"
        + "d3,checkout-api,production,success,yesterday\n"
        + "d4,checkout-api\n"
        + "d5,,production,success,2026-03-02T12:00:00Z\n"
        + "d6,checkout-api,production,success,2026-03-02T13:00:00Z,abc,normal,,payments\n"
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "deployments", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_rejected) == (1, 5)
    rejects = con.execute(
        "SELECT dataset, file_path, line_number, raw_text, reason FROM raw.rejects "
        "ORDER BY line_number"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rejects] == [
        ("deployments", str(path), n) for n in (3, 4, 5, 6, 7)
    ]
    reasons = [r[4] for r in rejects]
    assert reasons[0] == "status: maybe is not one of success/failure"
    assert reasons[1].startswith("finished_at: cannot read yesterday")
    assert reasons[2].startswith("malformed CSV line")
    assert reasons[3] == "service: required value is missing"
    assert reasons[4].startswith("malformed CSV line")
    assert rejects[1][3] == "d3,checkout-api,production,success,yesterday"
    assert rejects[2][3] == "d4,checkout-api"


def test_json_lines_rejects(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "changes"
    folder.mkdir(parents=True)
    (folder / "c.jsonl").write_text(
        '{"change_id": "c1", "service": "s", "first_committed_at": "2026-03-01T00:00:00Z"}\n'
        "{not json\n"
        "[1, 2]\n"
        '{"change_id": "c2", "service": "s"}\n'
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "changes", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_rejected) == (1, 3)
    reasons = con.execute("SELECT line_number, reason FROM raw.rejects ORDER BY 1").fetchall()
    assert reasons == [
        (2, "not valid JSON"),
        (3, "not a JSON object"),
        (4, "first_committed_at: required value is missing"),
    ]


def _truncated_gzip(path: Path) -> None:
    data = gzip.compress((GOOD * 2000).encode())
    path.write_bytes(data[: len(data) // 2])


def _binary_junk(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _missing_column(path: Path) -> None:
    path.write_text("deployment_id,service,status,finished_at\nd9,x,success,2026-03-02\n")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _junk_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1" + os.urandom(100))


BAD_FILES = {
    "truncated.csv.gz": (_truncated_gzip, "truncated.csv.gz"),
    "truncated.jsonl.gz": (_truncated_gzip, "cannot be read as jsonl"),
    "junk.csv": (_binary_junk, "junk.csv"),
    "missing.csv": (_missing_column, "missing required column(s) environment"),
    "empty.csv": (_empty, "the file is empty"),
    "junk.jsonl": (_binary_junk, "junk.jsonl"),
    "junk.parquet": (_junk_parquet, "cannot be read as Parquet"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_fails_and_leaves_warehouse_unchanged(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "landing" / "deployments"
    folder.mkdir(parents=True)
    (folder / "good.csv").write_text(GOOD)
    con = connect(tmp_path / "wh.duckdb")
    load_dataset(con, "deployments", tmp_path / "landing")
    before = _table_state(con)

    (folder / "new-good.csv").write_text(GOOD.replace("d1", "d7"))
    writer, expected = BAD_FILES[name]
    writer(folder / name)
    with pytest.raises(LoadError) as err:
        load_dataset(con, "deployments", tmp_path / "landing")
    message = str(err.value)
    assert name in message and expected in message
    assert "Nothing from this load was kept" in message
    assert _table_state(con) == before  # new-good.csv was not half-loaded either
