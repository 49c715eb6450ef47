"""`reliability-dbt`: dbt, started so that it dies with the process that started it.

dagster-dbt runs `dbt build` as a child process (subprocess.Popen, no hook of ours in between). When
the pipeline was killed with `kill -9`, that child used to keep running: an orphaned dbt still
writing the warehouse, whose DuckDB lock then failed the next run. This small launcher is the
`dbt_executable` dagster-dbt starts: on Linux it asks the kernel for SIGKILL when its parent dies
(prctl PR_SET_PDEATHSIG, kept across exec), checks that the parent has not already died, then
replaces itself with the real dbt (same pid, same arguments). Elsewhere it just runs dbt.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from pathlib import Path

PARENT_VAR = "RELIABILITY_DBT_PARENT"  # the pid that started dbt (set by the dbt asset)
PR_SET_PDEATHSIG = 1


def real_dbt() -> str:
    """The dbt installed next to this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise SystemExit("reliability-dbt: no dbt executable next to Python or on PATH")
    return found


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent exits (Linux); exit if it already
    has (between fork and prctl)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not fatal: dbt still runs, as it would without this launcher
    expected = os.environ.get(PARENT_VAR)
    if expected and expected.isdigit() and os.getppid() != int(expected):
        os._exit(137)  # the parent died before prctl took effect: do not build anything


def main() -> None:
    dbt = real_dbt()
    die_with_parent()
    os.execv(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()
