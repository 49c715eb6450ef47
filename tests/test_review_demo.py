"""The weekly review on the demo warehouse: the files the main command writes, every number on
the page traced to the warehouse tables, the page's structure (and in Chromium where installed),
a materialize() of a past week, and the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from reliability.review import formatting as f
from reliability.review.data import load_review
from reliability.review.render import SECTIONS, render_html, render_markdown
from reliability.settings import Paths

LATEST = date(2026, 11, 16)  # 2026-W47: the last full week of the demo (conftest DEMO_END)
PAST = date(2026, 11, 9)  # 2026-W46


@pytest.fixture
def con(demo_paths: Paths):
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def review(demo_paths: Paths) -> dict[str, Any]:
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as c:
        return load_review(c, LATEST)


def _one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    return con.execute(sql, list(params)).fetchone()[0]


# --- the files of the main command -----------------------------------------------------------


def test_main_command_wrote_the_latest_week_as_markdown_and_html(
    demo_paths: Paths, review: dict[str, Any]
) -> None:
    folder = demo_paths.reports
    assert folder == demo_paths.data / "reports"  # the data folder, not the warehouse's parent
    md = folder / "weekly-review-2026-W47.md"
    html = folder / "weekly-review-2026-W47.html"
    assert md.read_text() == render_markdown(review)
    assert html.read_text() == render_html(review)


# --- every number comes from the warehouse ---------------------------------------------------


def test_review_dict_matches_the_marts(con: duckdb.DuckDBPyConnection, review: dict) -> None:
    o = review["overall"]
    kpi = con.execute(
        "SELECT conversions_completed, conversion_rate, revenue, returning_user_rate, "
        "availability_sli FROM marts.journey_kpis_weekly WHERE scope = 'all' AND week_start = ?",
        [LATEST],
    ).fetchone()
    assert (
        o["conversions_completed"],
        o["conversion_rate"],
        o["revenue"],
        o["returning_user_rate"],
        o["availability_sli"],
    ) == pytest.approx(kpi)
    dora = con.execute(
        "SELECT deployments, deployment_frequency_per_day, lead_time_median_minutes, "
        "change_fail_rate, failed_deployment_recovery_median_minutes, rework_rate, lead_time_band "
        "FROM marts.dora_weekly WHERE scope = 'all' AND week_start = ?",
        [LATEST],
    ).fetchone()
    tiles = {t["column"]: t for t in review["dora"]}
    assert o["deployments"] == dora[0]
    assert [
        tiles[c]["value"]
        for c in (
            "deployment_frequency_per_day",
            "lead_time_median_minutes",
            "change_fail_rate",
            "failed_deployment_recovery_median_minutes",
            "rework_rate",
        )
    ] == pytest.approx(dora[1:6])
    assert tiles["lead_time_median_minutes"]["band"] == dora[6]
    assert [i["incident_id"] for i in review["incidents"]] == [
        r[0]
        for r in con.execute(
            "SELECT incident_id FROM staging.stg_incidents "
            "WHERE date_trunc('week', started_at) = ? ORDER BY started_at",
            [LATEST],
        ).fetchall()
    ]
    assert o["revenue_at_risk_estimate"] == pytest.approx(
        _one(
            con,
            "SELECT sum(revenue_at_risk_estimate) FROM marts.incident_business_impact "
            "WHERE week_start = ?",
            LATEST,
        )
    )
    assert [(c["scope_name"], c["metric"]) for c in review["corrective_actions"]] == [
        tuple(r)
        for r in con.execute(
            "SELECT scope_name, metric FROM marts.weekly_corrective_actions WHERE week_start = ? "
            "ORDER BY CASE scope WHEN 'all' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, "
            "scope_name, metric",
            [LATEST],
        ).fetchall()
    ]
    assert len(review["chart"]["weeks"]) == _one(
        con,
        "SELECT count(*) FROM marts.weekly_review WHERE scope = 'all' AND week_start <= ?",
        LATEST,
    )


_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")
_FORMATTERS = (
    f.count,
    f.signed_count,
    f.percent,
    lambda x: f.percent(x, 2),
    f.points,
    lambda x: f.points(x, 2),
    lambda x: f.money(x, ""),
    lambda x: f.signed_money(x, ""),
    f.duration,
    lambda x: f.duration(x, signed=True),
    f.per_day,
    lambda x: f.per_day(x, signed=True),
    f.decimal,
    lambda x: f.decimal(x, signed=True),
)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list | tuple):
        return [x for v in value for x in _leaves(v)]
    return [value]


def _allowed_numbers(data: dict) -> set[str]:
    allowed = set()
    for leaf in _leaves(data):
        if isinstance(leaf, int | float) and not isinstance(leaf, bool):
            for fmt in _FORMATTERS:
                allowed.update(_NUMBER.findall(fmt(leaf)))
    allowed.add(str(len(data["chart"]["weeks"])))  # "last N weeks": the rows of the chart
    return allowed


def _strip_text_values(text: str, data: dict) -> str:
    """Remove the table's text values (ids, titles, reasons, dates) before looking for numbers."""
    strings = {str(x) for x in _leaves(data) if isinstance(x, str | date) and len(str(x)) > 1}
    strings |= {f.day(x) for x in _leaves(data) if isinstance(x, date)}
    strings |= {line for x in list(strings) for line in x.splitlines() if len(line) > 1}
    for s in sorted(strings, key=len, reverse=True):
        text = text.replace(s, " ")
    text = re.sub(r"\bW\d{2}\b", " ", text)  # week axis labels (from the week labels)
    return re.sub(r"\b[1-5]\. ", " ", text)  # section numbers


class _Text(HTMLParser):
    """Text of an HTML page (including SVG titles), without the style sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = False
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.skip = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.skip = False

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _html_text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_every_number_on_the_page_is_a_warehouse_value(review: dict, kind: str) -> None:
    page = (
        render_markdown(review)
        if kind == "markdown"
        else " ".join(_html_text(render_html(review)).parts)
    )
    found = _NUMBER.findall(_strip_text_values(page, review))
    allowed = _allowed_numbers(review)
    assert found, "the page shows numbers"
    assert [n for n in found if n not in allowed] == []


def test_demo_data_raises_revenue_at_risk_and_a_corrective_action(
    con: duckdb.DuckDBPyConnection, review: dict
) -> None:
    at_risk = _one(con, "SELECT max(revenue_at_risk_estimate) FROM marts.incident_review")
    assert at_risk > 0
    assert (
        _one(
            con, "SELECT count(*) FROM marts.weekly_corrective_actions WHERE week_start = ?", LATEST
        )
        >= 1
    )
    md = render_markdown(review)
    assert "revenue at risk" in md and "worse two weeks in a row" in md


# --- the page's structure --------------------------------------------------------------------


def test_html_page_structure(review: dict) -> None:
    html = render_html(review)
    parsed = _html_text(html)
    sections = [a["id"] for t, a in parsed.tags if t == "section"]
    assert sections == [key for key, _ in SECTIONS]  # the order
    assert sum(1 for t, a in parsed.tags if t == "svg" and a.get("class") == "sparkline") == 5
    assert sum(1 for t, a in parsed.tags if t == "svg" and a.get("class") == "trend-chart") == 1
    assert sum(1 for t, a in parsed.tags if t == "div" and a.get("class") == "tile") == 5
    # self-contained: no scripts, style sheets, images or fonts from elsewhere
    assert not [t for t, _ in parsed.tags if t in ("script", "link", "img", "iframe")]
    assert "@import" not in html and "url(" not in html
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert all(h.startswith(("file://", "https://wiki.")) for h in hrefs)


def test_markdown_sections_in_order(review: dict) -> None:
    md = render_markdown(review)
    positions = [md.index(f"## {title}") for _, title in SECTIONS]
    assert positions == sorted(positions)
    assert md.startswith("# Weekly reliability review 2026-W47")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install "
    "chromium); the plain HTML structure test still ran",
)
def test_page_renders_in_headless_chromium(demo_paths: Paths, tmp_path: Path) -> None:
    page = demo_paths.reports / "weekly-review-2026-W47.html"
    url = page.resolve().as_uri()
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    parsed = _html_text(dom)
    assert [a["id"] for t, a in parsed.tags if t == "section"] == [k for k, _ in SECTIONS]
    assert sum(1 for t, a in parsed.tags if t == "svg") == 6
    assert sum(1 for t, _ in parsed.tags if t in ("polyline", "rect")) > 10
    shot = tmp_path / "review.png"
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            "--hide-scrollbars",
            "--window-size=1100,2400",
            f"--screenshot={shot}",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


# --- materialize() a past week, and the CLI --------------------------------------------------


def test_materialize_reproduces_a_past_week(
    demo_paths: Paths,
    con: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from orchestration.assets.review import PAGE_KEY, week_run_config, weekly_review_page
    from orchestration.resources import WarehouseResource

    monkeypatch.setenv("RELIABILITY_REPORTS", str(tmp_path))
    expected_md = render_markdown(load_review(con, PAST))
    expected_html = render_html(load_review(con, PAST))
    warehouse = WarehouseResource(
        warehouse_path=str(demo_paths.warehouse),
        landing_path=str(demo_paths.landing),
        config_path=str(demo_paths.config),
    )
    con.close()  # the asset opens the file itself
    result = dg.materialize(
        [weekly_review_page],
        resources={"warehouse": warehouse},
        run_config=week_run_config("2026-W46"),
    )
    assert result.success
    (mat,) = [m for m in result.asset_materializations_for_node("reports__weekly_review")]
    assert mat.asset_key == PAGE_KEY
    assert mat.metadata["week"].value == "2026-W46"
    assert mat.metadata["review"].value == expected_md
    assert (tmp_path / "weekly-review-2026-W46.md").read_text() == expected_md
    assert (tmp_path / "weekly-review-2026-W46.html").read_text() == expected_html


def test_cli_review_writes_a_week_and_prints_paths(
    demo_paths: Paths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from orchestration.pipeline import use_paths
    from reliability.cli.main import main

    use_paths(demo_paths)
    monkeypatch.setenv("RELIABILITY_REPORTS", str(tmp_path))
    assert main(["review", "--week", "2026-W45", "--print"]) == 0
    out = capsys.readouterr().out
    assert "# Weekly reliability review 2026-W45" in out
    assert str(tmp_path / "weekly-review-2026-W45.md") in out
    assert (tmp_path / "weekly-review-2026-W45.html").exists()
    assert main(["review", "--week", "2026-47"]) == 2
    assert main(["review", "--week", "2020-W01"]) == 1  # no data for that week
    assert "No review data for 2020-W01" in capsys.readouterr().err
