"""Readers of the serving copy are never blocked by a run, and a failed run leaves it as it was."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_END

from orchestration.pipeline import failure_messages, run_pipeline
from reliability.demo import generate_demo
from reliability.serving import SERVING_FILE
from reliability.settings import Paths


def _serving(paths: Paths) -> Path:
    return paths.serving / SERVING_FILE


def _published(path: Path) -> tuple[str, dict[str, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT run_id, table_name, row_count FROM _published").fetchall()
    return rows[0][0], {t: n for _, t, n in rows}


@pytest.fixture
def published(paths: Paths) -> Paths:
    generate_demo(paths.landing, weeks=2, end=DEMO_END, seed=5, scale=0.03)
    result = run_pipeline(paths)
    assert result.success, failure_messages(result)
    return paths


READER = r"""
import json, sys, time
from pathlib import Path
path, kind, stop, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]
counts = json.loads(sys.argv[5])
if kind == "sqlalchemy":
    import sqlalchemy as sa
    conn = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True}).connect()
    query = lambda q: conn.execute(sa.text(q)).scalar()
else:
    import duckdb
    con = duckdb.connect(path, read_only=True)
    query = lambda q: con.execute(q).fetchone()[0]
Path(out + ".ready").touch()
result = {"checks": 0, "errors": []}
while not stop.exists():
    try:
        for table, expected in counts.items():
            got = query(f'SELECT count(*) FROM "{table}"')
            assert got == expected, (table, got, expected)
        result["checks"] += 1
    except Exception as exc:
        result["errors"].append(repr(exc))
        break
    time.sleep(0.05)
Path(out).write_text(json.dumps(result))
"""


def test_readers_work_during_a_run_and_then_see_the_new_version(
    published: Paths, tmp_path: Path
) -> None:
    path = _serving(published)
    old_run, old_counts = _published(path)
    stop = tmp_path / "stop"
    readers = []
    for kind in ("sqlalchemy", "duckdb"):
        out = tmp_path / f"{kind}.json"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(path),
                kind,
                str(stop),
                str(out),
                json.dumps(old_counts),
            ]
        )
        readers.append((proc, out))
    deadline = time.monotonic() + 60
    while not all(Path(f"{out}.ready").exists() for _, out in readers):
        assert time.monotonic() < deadline, "readers did not start"
        time.sleep(0.1)

    # new data arrives; the full pipeline runs while both readers hold the serving file open
    generate_demo(published.landing, weeks=3, end=DEMO_END, seed=5, scale=0.03)
    result = run_pipeline(published)
    stop.touch()
    for proc, _ in readers:
        assert proc.wait(timeout=60) == 0
    assert result.success, failure_messages(result)
    for _, out in readers:
        report = json.loads(out.read_text())
        assert report["errors"] == [] and report["checks"] > 0, report

    new_run, new_counts = _published(path)  # a new connection sees the new version
    assert new_run != old_run and new_run == result.run_id
    assert new_counts["dora_weekly"] > old_counts["dora_weekly"]  # a third week of data


def test_failed_run_leaves_the_serving_copy_unchanged(published: Paths) -> None:
    path = _serving(published)
    before = path.read_bytes()
    parquet_before = {p.name: p.read_bytes() for p in (path.parent / "parquet").iterdir()}
    (published.landing / "deployments" / "corrupt.csv").write_bytes(b"\x00\xff" * 500)
    (published.landing / "incidents" / "new.csv").write_text(
        "incident_id,service,started_at\nINC-NEW,checkout-api,2026-11-20T10:00:00Z\n"
    )
    result = run_pipeline(published)
    assert not result.success
    assert path.read_bytes() == before
    assert {p.name: p.read_bytes() for p in (path.parent / "parquet").iterdir()} == parquet_before
