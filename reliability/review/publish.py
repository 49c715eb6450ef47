"""Writing the review files: <reports>/weekly-review-<YYYY>-W<ww>.md and .html (the reports
folder: reliability/settings.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from reliability.review.data import load_review
from reliability.review.render import render_html, render_markdown
from reliability.review.weeks import week_label


@dataclass(frozen=True)
class ReviewFiles:
    week: str
    markdown_path: Path
    html_path: Path
    markdown: str


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
