"""Cursors and landing files: a source's output is written whole, then its cursor advances.

Cursors live in one small JSON file per source, `<landing>/_state/<source key>.json`
(`{"cursors": {"pulls": "2026-03-02T14:05:00Z", ...}, "updated_at": ...}`), written atomically.
One file per source keeps sources independent when Dagster runs them in parallel. The `_state`
folder is not a dataset folder, so the loader never reads it. Delete a source's file to re-fetch its
whole history (the loader's upsert by key makes the re-fetch harmless).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reliability.connectors.http import Stats
from reliability.connectors.timeutil import earliest, minus, parse_ts

STATE_DIR = "_state"


def safe_name(text: str) -> str:
    """A file-name-safe slug: `acme/Checkout API` -> `acme-checkout-api`."""
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-.") or "source"


def _atomic_write(path: Path, text: str) -> None:
    """Write `text` to a hidden temp file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class CursorStore:
    """The cursors of one source."""

    landing: Path
    source_key: str

    @property
    def path(self) -> Path:
        return self.landing / STATE_DIR / f"{safe_name(self.source_key)}.json"

    def load(self) -> dict[str, str]:
        if not self.path.is_file():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return dict(data.get("cursors", {}))

    def save(self, cursors: dict[str, str], now: datetime | None = None) -> None:
        stamp = (now or datetime.now(UTC)).isoformat()
        body = {"source": self.source_key, "cursors": cursors, "updated_at": stamp}
        _atomic_write(self.path, json.dumps(body, indent=2, sort_keys=True) + "\n")


@dataclass
class SourceResult:
    """What one source fetched: contract rows per dataset, the new cursors, and counters."""

    source_key: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    files: list[Path] = field(default_factory=list)

    def add(self, dataset: str, rows: Iterable[dict[str, Any]]) -> None:
        self.rows.setdefault(dataset, []).extend(rows)

    def row_counts(self) -> dict[str, int]:
        return {ds: len(rows) for ds, rows in sorted(self.rows.items())}


def to_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)


def _unused(folder: Path, stem: str) -> Path:
    """`<folder>/<stem>.jsonl`, or `<stem>-2.jsonl`, ... when taken (never overwrite a file)."""
    path, n = folder / f"{stem}.jsonl", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.jsonl"
    return path


def commit(landing: Path, result: SourceResult, now: datetime | None = None) -> list[Path]:
    """Write the result's landing files, then (only then) save its cursors.

    Every file is first written to a hidden temp file (the loader skips dot-files); all are
    renamed into place once all are written; the cursor file is saved last.
    """
    now = now or datetime.now(UTC)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")  # wall time: unique file names
    staged: list[tuple[Path, Path]] = []
    try:
        for dataset, rows in sorted(result.rows.items()):
            if not rows:
                continue
            final = _unused(landing / dataset, f"{safe_name(result.source_key)}-{stamp}")
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            staged.append((Path(tmp), final))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(to_jsonl(rows))
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    CursorStore(landing, result.source_key).save(result.cursors, now)
    result.files = [final for _, final in staged]
    return result.files


def since_for(cursor: str | None, overlap_minutes: float, start_date: str | None) -> str | None:
    """Where an incremental fetch starts: the cursor minus the overlap, else the start date
    (None = the whole history)."""
    return minus(cursor, overlap_minutes) if cursor else start_date


def held_cursor(
    newest: str | None, open_times: Iterable[str], old: str | None, now: datetime,
    hold_open_days: float,
) -> str | None:
    """The next cursor of a resource whose list cannot be filtered by update time.

    Items still open (a deployment without a final status, an unresolved incident) created in the
    last `hold_open_days` hold the cursor at the oldest of them, so the next run sees them finish;
    otherwise the cursor is the newest creation time seen. Nothing seen keeps the old cursor.
    """
    horizon = now - timedelta(days=hold_open_days)
    recent = [t for t in open_times if (ts := parse_ts(t)) is not None and ts >= horizon]
    return (earliest(*recent) if recent else newest) or old
