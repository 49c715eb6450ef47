"""Weekly review assets: postmortems and review settings into raw tables, and the review page.

`review_inputs` writes raw.postmortems, raw.postmortem_action_items, raw.postmortem_rejects (from
`<landing>/postmortems/*.md`) and raw.review_settings (from the config's `review:` section).
`weekly_review_page` renders `<data>/reports/weekly-review-<YYYY>-W<ww>.md` and `.html` for the
week in its run config (`week: 2026-W47`), by default the ISO week just closed.
"""


from datetime import UTC, datetime

import dagster as dg

from ..demo_postmortems import write_demo_postmortems
from ..postmortems import POSTMORTEM_TABLES, read_postmortems, write_postmortem_tables
from ..resources import WAREHOUSE_POOL, WarehouseResource
from ..review.settings import SETTINGS_TABLE, review_settings

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
    demo = write_demo_postmortems(warehouse.landing)  # only where the demo generator wrote data
    if demo:
        context.log.info(f"Demo landing folder: wrote {len(demo)} demo postmortem file(s)")
    loaded = read_postmortems(warehouse.landing)
    now = datetime.now(UTC).replace(tzinfo=None)
    with warehouse.connect() as con:
        counts = write_postmortem_tables(con, loaded, now)
        con.execute(f"CREATE OR REPLACE TABLE raw.review_settings ({SETTINGS_TABLE})")
        con.execute("INSERT INTO raw.review_settings VALUES (?, ?, ?, ?, ?, ?)", settings.row())
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
        metadata={"dagster/row_count": 1, "timezone": settings.timezone,
                  "latency_threshold_ms": settings.latency_threshold_ms},
    )
