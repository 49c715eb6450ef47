"""A Dagster logger for the CLI: one short line per message the assets log, as they happen."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any, TextIO

import dagster as dg

# dbt prints a line per node; keep the summary and anything that went wrong.
_DBT_KEEP = re.compile(r"^(Done\.|Finished running)|\b(ERROR|FAIL|WARN)\b")


def progress_line(meta: dict[str, Any], message: str) -> str | None:
    """The line to print for one Dagster log record, or None to stay quiet."""
    event = meta.get("dagster_event")
    if event is not None:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            rows = mat.metadata.get("dagster/row_count")
            suffix = f" ({rows.value:,} rows)" if rows is not None else ""
            return f"materialized {mat.asset_key.to_user_string()}{suffix}"
        if event.event_type_value == "STEP_FAILURE":
            return f"FAILED {event.step_key} (details below)"
        return None
    text = str(message or "").strip()
    if not text:
        return None
    first = re.sub(r"\x1b\[[0-9;]*m", "", text.splitlines()[0])
    if str(meta.get("step_key") or "").startswith("dbt") and not _DBT_KEEP.search(first):
        return None
    return first


# Where progress lines go; the CLI points it at the terminal while dbt's own output is redirected.
STREAM: list[TextIO] = []


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if record.levelno < logging.INFO and meta.get("dagster_event") is None:
            return
        line = progress_line(meta, meta.get("orig_message") or record.getMessage())
        if line:
            out = STREAM[-1] if STREAM else sys.stdout
            print(f"[{time.strftime('%H:%M:%S')}] {line}", file=out, flush=True)


@dg.logger(description="Prints the assets' own log messages, one line each, to stdout.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("reliability.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log
