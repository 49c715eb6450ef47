"""The fault handling pieces on their own: the writer lock, dbt dying with its parent, and a
failed COMMIT (disk full) reported as itself. The pipeline-level kills: tests/test_faults.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DEMO_END

from reliability.cli.main import BUSY, main
from reliability.demo import generate_demo
from reliability.settings import CONFIG_VAR, DEFAULTS, LANDING_VAR, WAREHOUSE_VAR
from reliability.transactions import rollback
from reliability.writer_lock import WarehouseBusy, holder, lock_path, writing

PYTHON = sys.executable


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _holder_process(warehouse: Path) -> subprocess.Popen:
    """Another process holding the writer lock of `warehouse` until killed."""
    code = textwrap.dedent(f"""
        import time
        from reliability.writer_lock import writing
        with writing({str(warehouse)!r}):
            print("locked", flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_stops_at_once_naming_the_first(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "reliability.duckdb"
    proc = _holder_process(warehouse)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as busy, writing(warehouse):
            pytest.fail("the lock was taken twice")
        assert time.monotonic() - started < 1  # does not wait
        message = str(busy.value)
        assert f"another run is writing {warehouse} (pid {proc.pid}, started at " in message
        assert holder(warehouse)["pid"] == proc.pid
    finally:
        proc.kill()
        proc.wait()
    with writing(warehouse):  # kill -9 of the holder released it: no stale lock
        assert holder(warehouse)["pid"] == os.getpid()
    assert lock_path(warehouse).read_text() == ""  # no details left once released


def test_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with writing(warehouse), writing(warehouse):  # `reliability run` and its in-process steps
        assert holder(warehouse)["pid"] == os.getpid()
    proc = _holder_process(warehouse)  # released: another process can take it
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("command", [["run"], ["demo", "--weeks", "2", "--scale", "0.05"]])
def test_cli_run_and_demo_stop_when_another_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, command
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse" / "reliability.duckdb"
    generate_demo(landing, weeks=2, end=DEMO_END, seed=7, scale=0.05)
    monkeypatch.setenv(LANDING_VAR, str(landing))
    monkeypatch.setenv(WAREHOUSE_VAR, str(warehouse))
    monkeypatch.setenv(CONFIG_VAR, str(DEFAULTS[CONFIG_VAR]))
    proc = _holder_process(warehouse)
    before = sorted((p, p.stat().st_mtime_ns, p.stat().st_size) for p in tmp_path.rglob("*"))
    try:
        assert main(command) == BUSY
    finally:
        proc.kill()
        proc.wait()
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(
        rf"reliability: another run is writing {re.escape(str(warehouse))} "
        rf"\(pid {proc.pid}, started at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); nothing "
        r"was changed\. Wait for it to finish \(or stop it\), then run again\.",
        err,
    ), err
    after = sorted((p, p.stat().st_mtime_ns, p.stat().st_size) for p in tmp_path.rglob("*"))
    assert after == before  # no file written, created or touched (demo data, logs, warehouse)


def test_launched_process_dies_with_its_parent(tmp_path: Path) -> None:
    """What reliability-dbt does before exec'ing dbt: a parent killed by SIGKILL takes it along."""
    pid_file = tmp_path / "child.pid"
    child = textwrap.dedent(f"""
        import os, time
        from orchestration.dbt_child import die_with_parent
        die_with_parent()
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        time.sleep(600)
    """)
    parent = textwrap.dedent(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", {child!r}])
        time.sleep(600)
    """)
    proc = subprocess.Popen([PYTHON, "-c", parent])
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    child_pid = int(pid_file.read_text())
    assert _alive(child_pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(child_pid), f"orphan {child_pid} still runs after its parent was killed"


def test_launcher_refuses_to_start_when_its_parent_is_gone(tmp_path: Path) -> None:
    env = {**os.environ, "RELIABILITY_DBT_PARENT": "1"}  # not our parent: it died already
    code = "from orchestration.dbt_child import die_with_parent; die_with_parent(); print('ran')"
    done = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 137 and "ran" not in done.stdout


DISK_FULL = """
import resource, signal, sys
from pathlib import Path
from reliability.ingest.loader import connect, load_dataset
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with EFBIG
con = connect(Path(sys.argv[1]))
resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, resource.RLIM_INFINITY))
load_dataset(con, "requests", Path(sys.argv[2]))
"""


def test_disk_full_at_commit_is_reported_as_itself(tmp_path: Path) -> None:
    """The WAL cannot be written at COMMIT (here: file size limit, as when the disk is full)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    generate_demo(landing, weeks=2, end=DEMO_END, seed=7, scale=0.05)
    done = subprocess.run(
        [PYTHON, "-c", DISK_FULL, str(warehouse), str(landing)], capture_output=True, text=True
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "Failed to commit: Could not write file" in last and "File too large" in last, last
    assert "cannot rollback" not in done.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:  # nothing half-written
        tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert tables == []


def test_rollback_adds_its_own_failure_as_a_note() -> None:
    con = duckdb.connect()
    rollback(con)  # no transaction open: nothing to do, no error
    error = RuntimeError("the real error")
    con.close()
    rollback(con, error)  # the connection is gone: the rollback fails, the error keeps its text
    assert str(error) == "the real error"
    assert "rollback failed too" in error.__notes__[0]
