"""The entry point: `generate_demo` plans the weeks and calls each dataset's writer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reliability.demo.conversions import _write_conversions
from reliability.demo.model import (
    _S_CHANGES,
    _S_DEPLOYS,
    _S_FORMAT,
    _S_INCIDENTS,
    DemoSummary,
    _clean_landing,
    _rng,
)
from reliability.demo.plan import _plan_changes, _plan_incidents, _plan_releases
from reliability.demo.traffic import _write_requests
from reliability.demo.writers import _write_changes, _write_deployments, _write_incidents

# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def generate_demo(
    landing: Path,
    *,
    weeks: int = 12,
    end: date | None = None,
    seed: int = 7,
    scale: float = 1.0,
) -> DemoSummary:
    """Write `weeks` full ISO weeks of demo data ending before `end` into `landing`.

    `end` defaults to the Monday of the current ISO week; any other date is moved back to the
    Monday of its ISO week. Older ``demo-*`` files in the dataset folders are removed first; other
    files are left alone. Returns what was written.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    end_day = end if end is not None else date.today()
    end_day = end_day - timedelta(days=end_day.weekday())
    start_day = end_day - timedelta(weeks=weeks)
    t0 = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC)
    t1 = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC)

    landing = Path(landing)
    _clean_landing(landing)

    deploys = _plan_releases(_rng(seed, _S_DEPLOYS), t0, t1)
    incidents, deploys = _plan_incidents(_rng(seed, _S_INCIDENTS), deploys, t0, t1)
    changes = _plan_changes(_rng(seed, _S_CHANGES), deploys, t0, t1)

    files: dict[str, list[Path]] = {}
    rows: dict[str, int] = {}
    malformed: dict[str, int] = {}
    fmt = _rng(seed, _S_FORMAT)
    for name, writer in (
        ("deployments", lambda: _write_deployments(landing, deploys, fmt)),
        ("changes", lambda: _write_changes(landing, changes, fmt)),
        ("incidents", lambda: _write_incidents(landing, incidents, t1, fmt)),
        ("requests", lambda: _write_requests(landing, seed, scale, t0, weeks, incidents)),
        ("conversions", lambda: _write_conversions(landing, seed, scale, t0, t1, incidents)),
    ):
        files[name], rows[name], malformed[name] = writer()
    return DemoSummary(landing, start_day, end_day, files, rows, malformed)
