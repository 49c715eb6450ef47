"""One Dagster asset per connector enabled in the config's `connectors:` section.

A connector asset writes landing files (it does not open the warehouse, so it is not in the
`duckdb_warehouse` pool). The code location makes each raw dataset's asset downstream of the
connectors that feed it (orchestration/defs/connectors.py), so one run fetches, then loads.

Which assets exist is decided when the code location loads (from RELIABILITY_CONFIG); what each
run fetches is read from the config again at run time.
"""

import json
import traceback
from collections.abc import Callable

import dagster as dg

from orchestration.resources import WarehouseResource
from reliability.config import ConfigError, load_config
from reliability.config.connectors import KINDS, ConnectorsConfig
from reliability.connectors import fourkeys, github, gitlab, pagerduty
from reliability.connectors.http import Stats
from reliability.connectors.runner import Outcome, Runtime
from reliability.connectors.secrets import Secrets, configured_secrets
from reliability.settings import resolve_paths

RUNNERS: dict[str, Callable[[object, Runtime], list[Outcome]]] = {
    "github": github.run,  # type: ignore[dict-item]
    "gitlab": gitlab.run,  # type: ignore[dict-item]
    "pagerduty": pagerduty.run,  # type: ignore[dict-item]
    "fourkeys": fourkeys.run,  # type: ignore[dict-item]
}
DESCRIPTIONS = {
    "github": "GitHub deployments (or workflow runs), merged pull requests and incident issues",
    "gitlab": "GitLab deployments, merged merge requests and incidents",
    "pagerduty": "PagerDuty incidents",
    "fourkeys": "A Four Keys events_raw export",
}


def outcome_metadata(outcomes: list[Outcome]) -> dict[str, object]:
    """Rows fetched per dataset, pages, requests, retries, files and cursors of every source."""
    stats = Stats()
    rows: dict[str, int] = {}
    for o in outcomes:
        stats.add(o.stats)
        for ds, n in (o.result.row_counts() if o.result else {}).items():
            rows[ds] = rows.get(ds, 0) + n
    return {
        "rows_fetched": sum(rows.values()),
        **{f"rows_{ds}": n for ds, n in sorted(rows.items())},
        "pages": stats.pages,
        "requests": stats.requests,
        "retries": stats.retries,
        "rate_limit_wait_seconds": round(stats.rate_limit_wait_seconds, 1),
        "sources_ok": sum(1 for o in outcomes if o.error is None),
        "sources_failed": sum(1 for o in outcomes if o.error is not None),
        "cursor": dg.MetadataValue.json(
            {o.source_key: (o.result.cursors if o.result else None) for o in outcomes}
        ),
        "files": dg.MetadataValue.md(
            "\n".join(f"- `{f.parent.name}/{f.name}`" for o in outcomes if o.result
                      for f in o.result.files) or "no new files"
        ),
    }


def token_secrets(cfg: ConnectorsConfig) -> Secrets:
    """The tokens of every configured API connector (whichever one runs): redacted everywhere."""
    sections = (cfg.github, cfg.gitlab, cfg.pagerduty)
    return configured_secrets(s.token_env for s in sections if s is not None)


def run_connector(
    context: dg.AssetExecutionContext, kind: str, section: object, runtime: Runtime
) -> dg.MaterializeResult:
    """Run one connector kind; every log line and failure text is redacted."""
    redact = runtime.secrets.redact
    try:
        outcomes = RUNNERS[kind](section, runtime)
    except Exception as exc:  # a bug, not an API answer: report it without any token
        raise dg.Failure(
            description=redact(f"connectors.{kind} failed: {type(exc).__name__}: {exc}"),
            metadata={"traceback": dg.MetadataValue.text(redact(traceback.format_exc()))},
        ) from None
    metadata = outcome_metadata(outcomes)
    for o in outcomes:
        if o.error:
            context.log.error(redact(o.error))
        else:
            counts = o.result.row_counts() if o.result else {}
            context.log.info(redact(f"{o.source_key}: {counts or 'nothing new'}"))
    failed = [o for o in outcomes if o.error]
    if failed:
        raise dg.Failure(
            description=redact("; ".join(o.error or "" for o in failed)),
            metadata={k: v for k, v in metadata.items() if k != "files"},
        )
    return dg.MaterializeResult(metadata=metadata)


def build_connector_asset(kind: str) -> dg.AssetsDefinition:
    """The asset that runs every configured source of one connector kind."""

    @dg.asset(
        key=["connectors", kind],
        group_name="connectors",
        kinds={"python", kind} if kind in {"github", "gitlab", "pagerduty"} else {"python"},
        description=(
            f"{DESCRIPTIONS[kind]}, written as landing files in the input contract "
            "(<RELIABILITY_LANDING>/<dataset>/); loaded by the raw assets on their next run. "
            "Cursors: <RELIABILITY_LANDING>/_state/."
        ),
    )
    def _connector(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        cfg = warehouse.load_config().connectors
        section = getattr(cfg, kind)
        if section is None:
            raise dg.Failure(f"connectors.{kind} is no longer enabled in the config file")
        runtime = Runtime(landing=warehouse.landing, secrets=token_secrets(cfg))
        return run_connector(context, kind, section, runtime)

    return _connector


def enabled_connectors() -> ConnectorsConfig:
    """The connectors enabled in RELIABILITY_CONFIG when the code location loads (none if the
    config cannot be read: the config assets report that problem)."""
    try:
        return load_config(resolve_paths().config).connectors
    except (ConfigError, OSError, json.JSONDecodeError):
        return ConnectorsConfig()


def build_connector_assets(cfg: ConnectorsConfig) -> list[dg.AssetsDefinition]:
    return [build_connector_asset(kind) for kind in KINDS if kind in cfg.enabled()]

