"""Writing the review files: <data>/reports/weekly-review-<YYYY>-W<ww>.md and .html."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from .data import load_review
from .render import render_html, render_markdown
from .weeks import week_label

REPORTS_VAR = "RELIABILITY_REPORTS"


@dataclass(frozen=True)
class ReviewFiles:
    week: str
    markdown_path: Path
    html_path: Path
    markdown: str


def reports_dir(warehouse: Path, environ: dict[str, str] | None = None) -> Path:
    """RELIABILITY_REPORTS, else `reports/` next to the warehouse's folder (data/reports)."""
    env = os.environ if environ is None else environ
    if env.get(REPORTS_VAR):
        return Path(env[REPORTS_VAR]).expanduser().resolve()
    return warehouse.resolve().parent.parent / "reports"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_review(
    con: duckdb.DuckDBPyConnection, week_start: date, target: Path, chart_weeks: int = 12
) -> ReviewFiles:
    """Render the week's review from the marts and write both files into `target`."""
    data = load_review(con, week_start, chart_weeks)
    markdown = render_markdown(data)
    target.mkdir(parents=True, exist_ok=True)
    stem = f"weekly-review-{week_label(week_start)}"
    md_path, html_path = target / f"{stem}.md", target / f"{stem}.html"
    _write_atomic(md_path, markdown)
    _write_atomic(html_path, render_html(data))
    return ReviewFiles(week_label(week_start), md_path, html_path, markdown)
