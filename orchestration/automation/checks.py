"""Health of the raw loads: a reject-rate check per dataset and freshness policies.

The reject-rate check reads the counts of the dataset's latest load (the metadata its raw asset
reported: `rows_read`, `rows_rejected`) and fails when rejected / read passes the config's
`automation.max_reject_rate`, read when the check runs. The rejected rows themselves are in
raw.rejects with their reason.
"""


from collections.abc import Mapping, Sequence
from datetime import timedelta

import dagster as dg

from orchestration.resources import WarehouseResource
from reliability.config.automation import automation_settings

REJECT_RATE_CHECK = "reject_rate"


def reject_rate(rows_read: int, rows_rejected: int) -> float:
    """Rejected / read of one load (0 when it read nothing)."""
    return rows_rejected / rows_read if rows_read else 0.0


def build_reject_rate_check(dataset: str) -> dg.AssetChecksDefinition:
    """The check of raw/<dataset>: its latest load's reject rate against the threshold."""
    key = dg.AssetKey(["raw", dataset])

    @dg.asset_check(
        asset=key,
        name=REJECT_RATE_CHECK,
        description=(
            f"Fails when the latest load of raw.{dataset} rejected more than "
            "automation.max_reject_rate of the rows it read (default 0.10); the rows and reasons "
            "are in raw.rejects."
        ),
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        limit = automation_settings(warehouse.load_config()).max_reject_rate
        event = context.instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization is None:
            return dg.AssetCheckResult(
                passed=True,
                description=f"raw.{dataset} has not been loaded yet",
                metadata={"max_reject_rate": limit},
            )
        metadata = event.asset_materialization.metadata
        counts = {
            name: int(metadata[name].value) if name in metadata else 0  # type: ignore[arg-type]
            for name in ("rows_read", "rows_rejected")
        }
        rate = reject_rate(counts["rows_read"], counts["rows_rejected"])
        passed = rate <= limit
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{counts['rows_rejected']} of {counts['rows_read']} rows rejected "
                f"({rate:.1%}) {'within' if passed else 'above'} the limit of {limit:.1%}"
                + ("" if passed else f": see raw.rejects WHERE dataset = '{dataset}'")
            ),
            metadata={
                **counts,
                "reject_rate": round(rate, 6),
                "max_reject_rate": limit,
                "load_run_id": event.run_id,
            },
        )

    return _check


def with_freshness(
    assets: Sequence[dg.AssetsDefinition], hours: Mapping[str, float]
) -> list[dg.AssetsDefinition]:
    """`assets` with a time-window freshness policy on raw/<dataset> for each dataset in `hours`:
    the asset is overdue when it has not been materialized for that many hours."""
    policies = {
        dg.AssetKey(["raw", dataset]): dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=h)
        )
        for dataset, h in hours.items()
    }

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        policy = policies.get(spec.key)
        return dg.apply_freshness_policy(spec, policy) if policy else spec

    return list(dg.map_asset_specs(apply, assets))  # type: ignore[arg-type]
