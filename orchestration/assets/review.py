"""Weekly review assets: postmortems and review settings into raw tables, and the review page.

`review_inputs` writes raw.postmortems, raw.postmortem_action_items, raw.postmortem_rejects (from
`<landing>/postmortems/*.md`) and raw.review_settings (from the config's `review:` section), and
hands them on to the lake and/or PostgreSQL like the configuration tables (`publish_tables`).
`weekly_review_page` renders `<data>/reports/weekly-review-<YYYY>-W<ww>.md` and `.html` for the
ISO week of its partition (keyed by the week's Monday), or without a partition for the week in its
run config (`week: 2026-W47`), by default the ISO week just closed.
"""

import functools
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.engines import current_target, publish_tables
from reliability.review.data import available_weeks, default_week
from reliability.review.engine_marts import review_connection
from reliability.review.inputs import page_inputs
from reliability.review.postmortems import (
    POSTMORTEM_TABLES,
    read_postmortems,
    write_postmortem_tables,
)
from reliability.review.publish import write_review
from reliability.review.settings import SETTINGS_TABLE, review_settings
from reliability.review.weeks import parse_week, week_just_closed, week_label

REVIEW_INPUT_TABLES = (*POSTMORTEM_TABLES, "review_settings")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", t],
            group_name="review",
            kinds={"duckdb"},
            description=(
                "raw.review_settings: the config's review: section."
                if t == "review_settings"
                else f"raw.{t}: from <RELIABILITY_LANDING>/postmortems/*.md (rewritten each run)."
            ),
        )
        for t in REVIEW_INPUT_TABLES
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def review_inputs(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load every postmortem (bad front matter -> raw.postmortem_rejects with the reason) and
    write the review settings."""
    settings = review_settings(warehouse.load_config())
    loaded = read_postmortems(warehouse.landing)
    now = datetime.now(UTC).replace(tzinfo=None)
    with warehouse.writing(), warehouse.connect() as con:
        counts = write_postmortem_tables(con, loaded, now)
        con.execute(f"CREATE OR REPLACE TABLE raw.review_settings ({SETTINGS_TABLE})")
        con.execute("INSERT INTO raw.review_settings VALUES (?, ?, ?, ?, ?, ?)", settings.row())
        publish_tables(con, REVIEW_INPUT_TABLES)  # lake / PostgreSQL, when configured
    for reject in loaded.rejects:
        context.log.warning(f"Postmortem rejected: {reject.path.name}: {reject.reason}")
    rejects_md = "\n".join(f"- `{r.path.name}`: {r.reason}" for r in loaded.rejects) or "none"
    for table in POSTMORTEM_TABLES:
        metadata: dict[str, object] = {"dagster/row_count": counts[table]}
        if table == "postmortem_rejects":
            metadata["rejects"] = dg.MetadataValue.md(rejects_md)
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)
    yield dg.MaterializeResult(
        asset_key=["raw", "review_settings"],
        metadata={
            "dagster/row_count": 1,
            "timezone": settings.timezone,
            "latency_threshold_ms": settings.latency_threshold_ms,
        },
    )


PAGE_KEY = dg.AssetKey(["reports", "weekly_review"])
PAGE_OP = "reports__weekly_review"  # the op name of PAGE_KEY, for run config
DEFAULT_FIRST_MONDAY = date(2024, 1, 1)  # 2024-W01: automation.review_first_week's default


class ReviewWeekConfig(dg.Config):
    """Which ISO week to render."""

    week: str = Field(
        default="",
        description="ISO week like 2026-W47; empty: the week just closed in review.timezone "
        "(or the latest week with data before it).",
    )


def week_run_config(week: str) -> dict:
    """The run config that makes the page asset render `week` (e.g. '2026-W47')."""
    return {"ops": {PAGE_OP: {"config": {"week": week}}}}


def resolve_week(
    con: duckdb.DuckDBPyConnection, requested: str, timezone: str, now: datetime | None = None
) -> date:
    """The Monday to render: the requested ISO week, else the week just closed (capped at the
    latest week with data). Raises ValueError for a bad label or a week without data."""
    if requested:
        monday = parse_week(requested)
        if monday not in available_weeks(con):
            raise ValueError(
                f"No review data for {requested}: the warehouse has "
                f"{_week_range(available_weeks(con))}"
            )
        return monday
    closed = week_just_closed(now or datetime.now(UTC), timezone)
    monday = default_week(con, closed)
    if monday is None:
        raise ValueError(
            f"No review data up to {week_label(closed)}: the warehouse has "
            f"{_week_range(available_weeks(con))}"
        )
    return monday


def _week_range(weeks: list[date]) -> str:
    return f"weeks {week_label(weeks[0])} to {week_label(weeks[-1])}" if weeks else "no weeks"


def weekly_partitions(
    first_monday: date = DEFAULT_FIRST_MONDAY, timezone: str = "UTC"
) -> dg.WeeklyPartitionsDefinition:
    """One partition per ISO week (Monday to Sunday in `timezone`) from `first_monday`; a
    partition's key is its Monday (2026-11-16 is 2026-W47). The last is the week just closed."""
    return dg.WeeklyPartitionsDefinition(
        start_date=first_monday.isoformat(), day_offset=1, timezone=timezone
    )


def partition_week(partition_key: str) -> str:
    """The ISO week label of a partition key (its Monday): '2026-11-16' -> '2026-W47'."""
    return week_label(date.fromisoformat(partition_key))


def requested_week(context: dg.AssetExecutionContext, config: ReviewWeekConfig) -> str:
    """The partition's week in a partitioned run (a run config week must then agree), else the
    run config's week ('' = the default)."""
    if not context.has_partition_key:
        return config.week
    week = partition_week(context.partition_key)
    if config.week and config.week.strip() != week:
        raise dg.Failure(
            f"run config week {config.week} and partition {context.partition_key} ({week}) "
            "disagree: give one of them"
        )
    return week


def build_weekly_review_page(partitions: dg.WeeklyPartitionsDefinition) -> dg.AssetsDefinition:
    """The page asset, partitioned by `partitions` (the code location reads the config's
    review.timezone and automation.review_first_week at load)."""

    @dg.asset(
        key=PAGE_KEY,
        group_name="review",
        # The dbt exposure weekly_review: exactly the tables the page reads (review/inputs.py).
        deps=[dg.AssetKey(["marts", m]) for m in page_inputs().marts]
        + [dg.AssetKey(["raw", t]) for t in page_inputs().raw],
        partitions_def=partitions,
        pool=WAREHOUSE_POOL,
        kinds={"html", "markdown"},
        description=(
            "The weekly review page: <data>/reports/weekly-review-<YYYY>-W<ww>.md and .html "
            "(self-contained, inline SVG). One partition per ISO week, keyed by its Monday "
            "(backfill any past week from the UI); a run without a partition renders the week in "
            "the run config (`week`), by default the week just closed. The Markdown is attached "
            "to the materialization."
        ),
    )
    def weekly_review_page(
        context: dg.AssetExecutionContext, config: ReviewWeekConfig, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        """Render the week's review from the marts and write both files."""
        return render_page(context, requested_week(context, config), warehouse)

    return weekly_review_page


def render_page(
    context: dg.AssetExecutionContext, week: str, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Write the page of `week` ('' = the week just closed, or the latest with data)."""
    settings = review_settings(warehouse.load_config())
    # On Spark or PostgreSQL the marts are the engine's: the page reads a copy of them.
    with review_connection(Path(warehouse.warehouse), current_target()) as con:
        if not week and not available_weeks(con):
            # Nothing loaded yet (a fresh install): not a failure of the run, just nothing to show.
            context.log.warning("No weekly review written: the warehouse has no weeks of data yet")
            return dg.MaterializeResult(
                metadata={
                    "week": "none",
                    "review": dg.MetadataValue.md(
                        "No data yet: load deployments, incidents, requests or conversions first."
                    ),
                }
            )
        try:
            monday = resolve_week(con, week, settings.timezone)
        except ValueError as exc:
            raise dg.Failure(str(exc)) from exc
        files = write_review(con, monday, warehouse.reports, settings.chart_weeks)
    context.log.info(f"Weekly review {files.week}: {files.markdown_path} and {files.html_path}")
    return dg.MaterializeResult(
        metadata={
            "week": files.week,
            "markdown_path": dg.MetadataValue.path(str(files.markdown_path)),
            "html_path": dg.MetadataValue.path(str(files.html_path)),
            "review": dg.MetadataValue.md(files.markdown),
        }
    )


@functools.cache
def default_review_page() -> dg.AssetsDefinition:
    """The page with the default partitions (UTC, from 2024-W01), for `reliability review` and
    tests; the code location builds its own from the config (orchestration/defs/review.py)."""
    return build_weekly_review_page(weekly_partitions())


def __getattr__(name: str) -> dg.AssetsDefinition:
    # `weekly_review_page` is built on first use: its deps come from the dbt manifest, which is
    # never read at import.
    if name == "weekly_review_page":
        return default_review_page()
    raise AttributeError(name)
