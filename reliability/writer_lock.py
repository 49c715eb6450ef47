"""One writer per warehouse: a cross-process lock on a file beside the warehouse.

DuckDB lets one process write a database file, but the pipeline opens and closes it once per
step, so two runs started together used to take turns and both fail half-way with interleaved
"Could not set lock" errors. Every writer entry point (`reliability run` / `demo`, each Dagster
asset that writes the warehouse) holds an exclusive `flock` on `<warehouse>.writer.lock` for as
long as it writes; a second writer stops at once with `WarehouseBusy`, before changing anything.

The kernel drops the lock when the holder exits, even on `kill -9`, so a dead run never blocks the
next one. The lock is re-entrant within a process: `reliability run` holds it and the in-process
Dagster steps it runs take it again without blocking themselves.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_SUFFIX = ".writer.lock"

_held: dict[str, tuple[int, int]] = {}  # lock file -> (file descriptor, depth)
_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock of this warehouse."""


def lock_path(warehouse: Path) -> Path:
    """`<warehouse>.writer.lock`, beside the warehouse file."""
    warehouse = Path(warehouse).resolve()
    return warehouse.with_name(warehouse.name + LOCK_SUFFIX)


def holder(warehouse: Path) -> dict | None:
    """What the current holder wrote into the lock file (pid, started_at, command), if readable."""
    try:
        text = lock_path(warehouse).read_text()
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


def busy_message(warehouse: Path, info: dict | None) -> str:
    who = (
        f"pid {info.get('pid')}, started at {info.get('started_at')}"
        if info
        else "pid unknown"
    )
    return (
        f"another run is writing {Path(warehouse).resolve()} ({who}); nothing was changed. "
        "Wait for it to finish (or stop it), then run again."
    )


def _acquire(path: Path, warehouse: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        info = holder(warehouse)
        for _ in range(10):  # the holder writes its details just after locking
            if info:
                break
            time.sleep(0.02)
            info = holder(warehouse)
        raise WarehouseBusy(busy_message(warehouse, info)) from None
    except BaseException:
        os.close(fd)
        raise
    details = {
        "pid": os.getpid(),
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": " ".join(sys.argv[:3]),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(details).encode(), 0)
    return fd


@contextmanager
def writing(warehouse: Path) -> Iterator[None]:
    """Hold the writer lock of `warehouse` (re-entrant in one process); WarehouseBusy if taken."""
    path = lock_path(warehouse)
    key = str(path)
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            _held[key] = (_acquire(path, Path(warehouse)), 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.ftruncate(fd, 0)  # no stale holder details once released
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
