"""The weekly review page as Markdown and as one self-contained HTML file (inline CSS and SVG).

Order (issue 5): release decision and error budgets per SLO; DORA tiles with sparklines and
bands; reliability next to conversion and revenue; incidents and lessons; corrective actions.
The pages are the Jinja2 templates in templates/ over one view model (view.ReviewPage), built
from the review dict (reliability.review.data): only values from the warehouse are shown.
HTML is autoescaped; the Markdown page escapes text from the data with its `md` filter.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reliability.review.view import SECTIONS, Postmortem, build_page, overall_decision, postmortem

__all__ = ["SECTIONS", "overall_decision", "render_html", "render_markdown"]

TEMPLATES = Path(__file__).parent / "templates"
MD_SPECIAL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`", "*": "\\*"}
)


def md_escape(text: Any) -> str:
    """Text from the data for the Markdown page: raw HTML and link/emphasis syntax escaped."""
    return str(text).translate(MD_SPECIAL)


def md_cell(text: Any) -> str:
    """A Markdown table cell: a pipe would end the cell, a newline the row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


class _Loader(FileSystemLoader):
    """Loads templates/; the lines of an *.html.j2 template are joined (a newline and the
    indentation after it dropped), so the HTML templates can be read while the page is one line."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if template.endswith(".html.j2"):
            source = re.sub(r"\n[ \t]*", "", source)
        return source, filename, uptodate


@cache
def environment() -> Environment:
    """The Jinja2 environment of the review templates (HTML autoescaped)."""
    env = Environment(
        loader=_Loader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["cell"] = md_cell
    return env


def render_markdown(d: dict[str, Any]) -> str:
    """The review as Markdown."""
    return environment().get_template("weekly_review.md.j2").render(page=build_page(d))


def render_html(d: dict[str, Any]) -> str:
    """The review as one self-contained HTML page (inline CSS and SVG, no scripts, no links out
    other than the postmortems)."""
    return environment().get_template("weekly_review.html.j2").render(page=build_page(d))


def _postmortem(kind: str, p: Postmortem) -> str:
    return str(environment().get_template(f"macros.{kind}.j2").module.postmortem(p))


def _postmortem_md(i: dict[str, Any]) -> str:
    """The postmortem line of an incident row, as the Markdown page shows it."""
    return _postmortem("md", postmortem(i))


def _postmortem_html(i: dict[str, Any]) -> str:
    """The postmortem line of an incident row, as the HTML page shows it."""
    return _postmortem("html", postmortem(i))


_md = md_escape
