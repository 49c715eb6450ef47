"""Dagster definitions of the notifications: one asset, `notifications/webhooks`.

It runs after the SLO marts and the weekly review page (in the weekly job, and in the hourly and
landing-sensor runs, which refresh the marts without writing the page), in the warehouse pool
because it records what it sent in raw.notifications_sent. It never fails the run for a delivery
problem; the counts are in its metadata.
"""

from pathlib import Path

import dagster as dg

from orchestration.assets.review import PAGE_KEY
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.engines import DEFAULT_TARGET, current_target
from reliability.notify.events import PageInfo
from reliability.notify.run import notify_all
from reliability.notify.settings import notification_settings

NOTIFICATIONS_KEY = dg.AssetKey(["notifications", "webhooks"])
SLO_MARTS = ("error_budget_status", "error_budget_status_history", "slo_burn_alerts")


def latest_page(context: dg.AssetExecutionContext) -> PageInfo | None:
    """The latest materialization of the weekly review page (None before the first page)."""
    record = context.instance.get_latest_materialization_event(PAGE_KEY)
    materialization = record.asset_materialization if record else None
    if materialization is None:
        return None
    meta = materialization.metadata
    week = meta.get("week")
    if week is None or week.value in (None, "none") or "markdown_path" not in meta:
        return None
    return PageInfo(
        week=str(week.value),
        markdown_path=str(meta["markdown_path"].value),
        html_path=str(meta["html_path"].value) if "html_path" in meta else "",
        written_in_this_run=record.run_id == context.run.run_id,
    )


@dg.asset(
    key=NOTIFICATIONS_KEY,
    group_name="notifications",
    deps=[*(dg.AssetKey(["marts", m]) for m in (*SLO_MARTS, "weekly_review")), PAGE_KEY],
    pool=WAREHOUSE_POOL,
    description=(
        "Webhook notifications (config `notifications:`, docs/notifications.md): SLO decision "
        "changes, page burn alerts and the weekly review page, each sent once per webhook "
        "(raw.notifications_sent). Delivery problems are logged and counted, never fail the run."
    ),
)
def notifications(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Send what is new to every configured webhook."""
    settings = notification_settings(warehouse.load_config())
    if not settings.webhooks:
        return dg.MaterializeResult(metadata={"webhooks": 0})
    if current_target() != DEFAULT_TARGET:
        context.log.warning(
            f"Notifications read the DuckDB marts; on target {current_target()} nothing is sent"
        )
        return dg.MaterializeResult(metadata={"webhooks": len(settings.webhooks), "sent": 0})
    page = latest_page(context)
    with warehouse.connect() as con:
        outcomes = notify_all(con, settings, page, context.log)
    totals = {
        k: sum(getattr(o, k) for o in outcomes)
        for k in ("sent", "failed", "deferred", "baseline", "already_sent")
    }
    return dg.MaterializeResult(
        metadata={
            "webhooks": len(outcomes),
            **totals,
            "webhooks_not_delivered": sum(1 for o in outcomes if o.status != "delivered"),
            "outcomes": dg.MetadataValue.json([o.as_dict() for o in outcomes]),
            "review_page": str(Path(page.markdown_path).name) if page else "none",
        }
    )


notification_assets = [notifications]
