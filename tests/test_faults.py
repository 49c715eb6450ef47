"""Fault injection on the whole pipeline: `reliability run` (a subprocess) killed with SIGKILL
during a load, during dbt and during the serving publish; two runs started at once; a reader
looping on the serving copy throughout a run (issue 17 item 2, issue 19 items 8 and 10;
docs/faults.md).

Every test starts from a copy of the same warehouse ("before": the demo without its requests) and
runs on the full demo landing folder ("new"), so an uninterrupted run is known: its raw tables are
the "new" state, the copy's are the "old" one. The kills are deterministic: RELIABILITY_FAULT_KILL
names the point where the pipeline kills itself (reliability/fault_points.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_END
from table_hashes import VOLATILE, table_hashes

from orchestration.pipeline import failure_messages, run_pipeline
from reliability.cli.main import BUSY
from reliability.demo import generate_demo
from reliability.demo.postmortems import write_demo_postmortems
from reliability.fault_points import KILL_VAR, POINTS, REPORT_VAR
from reliability.serving import SERVING_FILE, connect_serving, current_version
from reliability.settings import (
    CONFIG_VAR,
    DEFAULTS,
    SERVING_VAR,
    Paths,
)
from reliability.writer_lock import holder

RELIABILITY = Path(sys.executable).with_name("reliability")
# When the requests were loaded (max _loaded_at), kept by the SLO backfill check: a time of the run.
RUN_TIMES = {"raw.slo_build_state"}
RUN_COLUMNS = ("checked_at", "rejected_at")  # when a file was checked, a row rejected
RUN_TIMEOUT = 1800  # seconds; a run takes 2-4 minutes on a busy machine


def _paths(root: Path, landing: Path) -> Paths:
    return Paths(
        landing, root / "warehouse" / "reliability.duckdb", DEFAULTS[CONFIG_VAR], data=root
    )


def _hashes(warehouse: Path, schema: str) -> dict[str, tuple[int, str]]:
    """Marts: tests/table_hashes.py. Raw: also per dataset where a table holds several datasets
    (the bookkeeping tables: each dataset's load is one transaction, so each dataset's rows are
    old or new), and without the times of the run (checked_at, rejected_at)."""
    if schema != "raw":
        return table_hashes(warehouse, (schema,))
    out: dict[str, tuple[int, str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY 1"
        ).fetchall()]
        for table in tables:
            if f"raw.{table}" in RUN_TIMES:
                continue
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                "AND table_name = ? ORDER BY column_index", [table]
            ).fetchall()]
            kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE + RUN_COLUMNS)
            split = "dataset" if "dataset" in columns else "''"
            for part, rows, digest in con.execute(
                f"SELECT {split}, count(*), md5(string_agg(r, chr(10) ORDER BY r)) FROM "
                f'(SELECT {split}, CAST(ROW({kept}) AS VARCHAR) AS r FROM raw."{table}") '
                "GROUP BY ALL"
            ).fetchall():
                out[f"raw.{table}" + (f"[{part}]" if part else "")] = (rows, digest)
            if f"raw.{table}" not in out and not any(k.startswith(f"raw.{table}[") for k in out):
                out[f"raw.{table}"] = (0, "")
    return out


def _published_run(serving: Path) -> str:
    with connect_serving(serving / SERVING_FILE) as con:
        return con.execute("SELECT DISTINCT run_id FROM _published").fetchone()[0]


@dataclass(frozen=True)
class History:
    new_landing: Path
    before: Path  # a root with warehouse/ and serving/ after a run on the demo without requests
    old_raw: dict[str, tuple[int, str]]
    old_version: str
    old_run: str
    new_raw: dict[str, tuple[int, str]]
    new_marts: dict[str, tuple[int, str]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The "before" warehouse, and the state an uninterrupted run on the full demo leaves."""
    root = tmp_path_factory.mktemp("faults")
    new, old = root / "landing-new", root / "landing-old"
    generate_demo(new, weeks=2, end=DEMO_END, seed=7, scale=0.05)
    write_demo_postmortems(new)
    shutil.copytree(new, old, ignore=lambda d, _names: ["requests"] if Path(d) == new else [])
    before = root / "before"
    first = run_pipeline(_paths(before, old))
    assert first.success, failure_messages(first)
    uninterrupted = root / "uninterrupted"
    shutil.copytree(before, uninterrupted, symlinks=True)
    second = run_pipeline(_paths(uninterrupted, new))
    assert second.success, failure_messages(second)
    old_raw = _hashes(_paths(before, old).warehouse, "raw")
    new_raw = _hashes(_paths(uninterrupted, new).warehouse, "raw")
    assert old_raw["raw.requests"][0] == 0 < new_raw["raw.requests"][0]
    return History(
        new_landing=new,
        before=before,
        old_raw=old_raw,
        old_version=current_version(before / "serving"),
        old_run=_published_run(before / "serving"),
        new_raw=new_raw,
        new_marts=_hashes(_paths(uninterrupted, new).warehouse, "marts"),
    )


def _copy_before(history: History, root: Path) -> Paths:
    for folder in ("warehouse", "serving"):
        shutil.copytree(history.before / folder, root / folder, symlinks=True)
    return _paths(root, history.new_landing)


def _env(paths: Paths, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (SERVING_VAR, KILL_VAR, REPORT_VAR)}
    env.update(paths.environment())  # data, landing, warehouse, config, reports, serving
    return {**env, **extra}


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _processes_of(root: Path) -> list[int]:
    """Live processes (other than this one) whose command line or environment names `root`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        pid = int(proc.name)
        if pid == os.getpid() or not _alive(pid):
            continue
        try:
            text = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        except OSError:
            continue
        if str(root).encode() in text:
            found.append(pid)
    return found


def _no_process_left(root: Path, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _processes_of(root)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.parametrize("point", list(POINTS))
def test_run_killed_at_each_point(point: str, history: History, tmp_path: Path) -> None:
    paths = _copy_before(history, tmp_path)
    serving = tmp_path / "serving"
    report = tmp_path / "killed.jsonl"
    killed = subprocess.run(
        [str(RELIABILITY), "run"],
        env=_env(paths, **{KILL_VAR: point, REPORT_VAR: str(report)}),
        capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-3000:] + killed.stderr[-3000:]
    (where,) = [json.loads(line) for line in report.read_text().splitlines()]
    assert where["point"] == point
    if point == "dbt":  # dbt was running, and dies with the pipeline (PR_SET_PDEATHSIG)
        assert where["children"], "no dbt child when the pipeline was killed"
    assert _no_process_left(tmp_path) == [], "an orphan of the killed run still runs"

    # The warehouse opens; each raw table holds the old or the new state, nothing in between.
    raw = _hashes(paths.warehouse, "raw")
    assert set(raw) <= set(history.new_raw) | set(history.old_raw)
    mixed = {
        t: h for t, h in raw.items() if h not in (history.old_raw.get(t), history.new_raw.get(t))
    }
    assert mixed == {}
    if point == "load":  # killed inside the requests load: none of it was kept
        assert raw["raw.requests"] == history.old_raw["raw.requests"]
        assert "raw.loaded_files[requests]" not in raw
    else:
        assert raw == history.new_raw
    # Readers still see the previous complete version.
    assert current_version(serving) == history.old_version
    assert _published_run(serving) == history.old_run

    # The next run ends where an uninterrupted run does.
    result = run_pipeline(paths)
    assert result.success, failure_messages(result)
    assert _hashes(paths.warehouse, "raw") == history.new_raw
    assert _hashes(paths.warehouse, "marts") == history.new_marts
    assert current_version(serving) != history.old_version
    assert not [p for p in (serving / "versions").iterdir() if p.name.startswith(".")]


READER = textwrap.dedent("""
    import json, pathlib, sys, time
    from reliability.serving import connect_serving
    path, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    def run_id(con):
        return con.execute("SELECT DISTINCT run_id FROM _published").fetchone()[0]
    pinned = connect_serving(path)  # stays open all along, in the same process
    pinned_first = run_id(pinned)
    queries, errors, seen = 0, [], []
    print("ready", flush=True)
    while True:
        last = stop.exists()
        try:
            with connect_serving(path) as con:  # a new connection for every query
                seen_now = run_id(con)
                con.execute("SELECT count(*) FROM dora_weekly").fetchone()
            if not seen or seen[-1] != seen_now:
                seen.append(seen_now)
        except Exception as exc:
            errors.append(repr(exc))
        queries += 1
        if last:
            break
        time.sleep(0.05)
    print(json.dumps({"queries": queries, "errors": errors, "seen": seen,
                      "pinned": [pinned_first, run_id(pinned)]}))
""")


def test_two_runs_at_once_and_a_reader_throughout(history: History, tmp_path: Path) -> None:
    paths = _copy_before(history, tmp_path)
    serving_file = tmp_path / "serving" / SERVING_FILE
    stop = tmp_path / "stop-reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving_file), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert reader.stdout.readline().strip() == "ready", reader.stderr.read()
    first = subprocess.Popen(
        [str(RELIABILITY), "run"], env=_env(paths), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while (holder(paths.warehouse) or {}).get("pid") != first.pid:
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        second = subprocess.run(
            [str(RELIABILITY), "run"], env=_env(paths), capture_output=True, text=True,
            timeout=RUN_TIMEOUT,
        )
        second_seconds = time.monotonic() - started
        first_out, first_err = first.communicate(timeout=RUN_TIMEOUT)
    finally:
        first.kill()
        stop.touch()
    reader_out, reader_err = reader.communicate(timeout=300)

    assert second.returncode == BUSY, second.stdout + second.stderr
    assert second.stderr.strip().startswith(
        f"reliability: another run is writing {paths.warehouse} (pid {first.pid}, started at "
    ), second.stderr
    assert second.stdout == ""  # stopped before preparing or running anything
    assert first.returncode == 0, first_out[-3000:] + first_err[-3000:]
    # The second run changed nothing: the first one ends as an uninterrupted run does.
    assert _hashes(paths.warehouse, "raw") == history.new_raw
    assert _hashes(paths.warehouse, "marts") == history.new_marts

    figures = json.loads(reader_out)
    new_run = _published_run(tmp_path / "serving")
    assert figures["errors"] == [], figures["errors"][:5]
    assert figures["seen"] == [history.old_run, new_run]  # old until the switch, then new
    assert figures["pinned"] == [history.old_run, history.old_run]  # the open one kept its own
    assert figures["queries"] > 100
    print(f"\nreader: {figures['queries']} queries during the run, {len(figures['errors'])} "
          f"errors; second run stopped after {second_seconds:.1f} s")
