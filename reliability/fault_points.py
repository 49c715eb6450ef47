"""Named points where the fault-injection tests kill the pipeline (tests/test_faults.py).

`fault_point("load")` does nothing unless RELIABILITY_FAULT_KILL names that point: then it writes
one JSON line (point, pid, the pids of its child processes) to RELIABILITY_FAULT_REPORT, if set,
and kills its own process with SIGKILL, exactly as `kill -9` from outside would, at a known moment.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

KILL_VAR = "RELIABILITY_FAULT_KILL"
REPORT_VAR = "RELIABILITY_FAULT_REPORT"

# The points, in pipeline order (docs/faults.md):
POINTS = {
    "load": "inside a raw load's transaction, after its first file was read into the table",
    "dbt": "while `dbt build` runs, after its first model finished",
    "publish": "during the serving publish, the new version written but not yet switched to",
}


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc; empty elsewhere)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in children.read_text().split()]
        except OSError:
            continue
    return found


def fault_point(name: str) -> None:
    """SIGKILL this process here if RELIABILITY_FAULT_KILL == name (tests only); else nothing."""
    if os.environ.get(KILL_VAR) != name:
        return
    pid = os.getpid()
    report = os.environ.get(REPORT_VAR)
    if report:
        line = json.dumps({"point": name, "pid": pid, "children": child_pids(pid)})
        with open(report, "a") as out:
            out.write(line + "\n")
    os.kill(pid, signal.SIGKILL)
