"""The review templates escape text from the data on both pages: autoescape for HTML, the `md`
filter for Markdown (a demo week with hostile incident, action item and reject texts)."""

from __future__ import annotations

import copy
import re
from typing import Any

import duckdb
import pytest

from reliability.review.data import available_weeks, load_review
from reliability.review.render import render_html, render_markdown
from reliability.settings import Paths

HOSTILE = '<script>alert("x")</script> [click](javascript:alert(1)) *bold* | pipe'


@pytest.fixture(scope="module")
def hostile_review(demo_paths: Paths) -> dict[str, Any]:
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as con:
        weeks = available_weeks(con)
        d = next(
            r for r in (load_review(con, w, 6) for w in reversed(weeks))
            if r["incidents"] and r["action_items"]
        )
    d = copy.deepcopy(d)
    d["incidents"][0]["title"] = HOSTILE
    d["action_items"][0]["title"] = HOSTILE
    d["postmortem_rejects"] = [{"file_name": "x<b>.md", "reason": HOSTILE}]
    return d


def test_html_page_escapes_text_from_the_data(hostile_review: dict[str, Any]) -> None:
    html = render_html(hostile_review)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "x&lt;b&gt;.md" in html
    assert html.count("<section ") == 5 and html.endswith("</html>\n")


def test_markdown_page_escapes_text_from_the_data(hostile_review: dict[str, Any]) -> None:
    md = render_markdown(hostile_review)
    assert "<script>" not in md
    assert not re.search(r"(?<!\\)\]\(javascript", md)  # the bracket is escaped: no link
    assert "\\[click\\](javascript:alert(1)) \\*bold\\*" in md
    # in the action item table the pipe is escaped too, so the row keeps its cells
    row = next(line for line in md.splitlines() if line.startswith("|") and "alert" in line)
    assert "\\| pipe" in row and row.count(" | ") == 5
