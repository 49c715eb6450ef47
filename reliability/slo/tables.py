"""The SLO definitions and policy as raw.slo_* tables (dbt sources of the SLO models)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb

from reliability.config import ReliabilityConfig
from reliability.ingest.raw_tables import replace_raw_tables
from reliability.slo.openslo import SloDefinition, load_slo_folder
from reliability.slo.policy import SloSettings

SLO_TABLES: dict[str, str] = {
    "slo_definitions": (
        "slo_id VARCHAR PRIMARY KEY, slo_name VARCHAR NOT NULL, display_name VARCHAR, "
        "description VARCHAR, service VARCHAR NOT NULL, source_file VARCHAR, "
        "indicator_name VARCHAR, "
        "sli_type VARCHAR NOT NULL, latency_threshold_ms DOUBLE, latency_op VARCHAR, "
        "target DOUBLE NOT NULL, window_kind VARCHAR NOT NULL, window_minutes INTEGER NOT NULL, "
        "calendar_unit VARCHAR, calendar_time_zone VARCHAR, budgeting_method VARCHAR NOT NULL, "
        "time_slice_target DOUBLE, time_slice_minutes INTEGER, baseline_target DOUBLE, "
        "baseline_measured_on DATE, next_target DOUBLE, next_target_date DATE, "
        "definition_hash VARCHAR NOT NULL"
    ),
    "slo_selectors": (
        "slo_id VARCHAR NOT NULL, service VARCHAR NOT NULL, "
        "route_pattern VARCHAR NOT NULL, http_method VARCHAR"
    ),
    "slo_status_rules": "status_code INTEGER PRIMARY KEY, is_bad BOOLEAN NOT NULL, "
    "is_excluded BOOLEAN NOT NULL",
    "slo_excluded_routes": "route_pattern VARCHAR PRIMARY KEY",
    "slo_alert_windows": "alert_rule VARCHAR PRIMARY KEY, severity VARCHAR NOT NULL, "
    "budget_fraction DOUBLE NOT NULL, long_window_minutes INTEGER NOT NULL, "
    "short_window_minutes INTEGER NOT NULL",
    "slo_policy": "caution_at_or_below DOUBLE NOT NULL, freeze_at_or_below DOUBLE NOT NULL, "
    "postmortem_budget_fraction DOUBLE NOT NULL, empty_slice VARCHAR NOT NULL",
}


@dataclass(frozen=True)
class SloBundle:
    settings: SloSettings
    slos: tuple[SloDefinition, ...]


def load_slos(cfg: ReliabilityConfig) -> SloBundle:
    """The `slo:` settings and every SLO of its folder, validated against the config's journeys."""
    settings = cfg.slo
    journeys = {j.name: (j.service, j.routes) for j in cfg.journeys}
    return SloBundle(settings, tuple(load_slo_folder(settings.folder, journeys)))


def counting_rules_key(settings: SloSettings) -> str:
    """The rules every SLO counts by (bad and excluded statuses, excluded routes), as text."""
    return json.dumps({
        "bad": [c for c in range(100, 600) if settings.is_bad_status(c)],
        "excluded": sorted(set(settings.excluded_statuses)),
        "routes": sorted(set(settings.excluded_routes)),
    }, sort_keys=True)


def stored_definition_hash(slo: SloDefinition, settings: SloSettings) -> str:
    """What raw.slo_definitions stores: the SLO's own definition hash combined with the counting
    rules, so that changing `slo.bad_statuses` or `slo.exclusions` (statuses, routes)
    recomputes every SLO's history on the next incremental run."""
    key = slo.definition_hash + counting_rules_key(settings)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def slo_rows(bundle: SloBundle) -> dict[str, list[tuple]]:
    """The rows of each raw.slo_* table."""
    s = bundle.settings
    defs = [
        (
            d.slo_id,
            d.slo_name,
            d.display_name,
            d.description,
            d.service,
            d.source_file,
            d.indicator_name,
            d.sli_type,
            d.latency_threshold_ms,
            d.latency_op,
            d.target,
            d.window_kind,
            d.window_minutes,
            d.calendar_unit,
            d.calendar_time_zone,
            d.budgeting_method,
            d.time_slice_target,
            d.time_slice_minutes,
            d.baseline_target,
            d.baseline_measured_on,
            d.next_target,
            d.next_target_date,
            stored_definition_hash(d, s),
        )
        for d in bundle.slos
    ]
    selectors = [
        (d.slo_id, d.selection.service, route, method)
        for d in bundle.slos
        for route in d.selection.routes
        for method in (d.selection.methods or (None,))
    ]
    return {
        "slo_definitions": defs,
        "slo_selectors": selectors,
        "slo_status_rules": [
            (code, s.is_bad_status(code), code in s.excluded_statuses) for code in range(100, 600)
        ],
        "slo_excluded_routes": [(r,) for r in dict.fromkeys(s.excluded_routes)],
        "slo_alert_windows": [
            (w.name, w.severity, w.budget_fraction, w.long_window_minutes, w.short_window_minutes)
            for w in s.alert_windows
        ],
        "slo_policy": [
            (
                s.caution_at_or_below,
                s.freeze_at_or_below,
                s.postmortem_budget_fraction,
                s.empty_slice,
            )
        ],
    }


def write_slo_tables(con: duckdb.DuckDBPyConnection, bundle: SloBundle) -> dict[str, int]:
    """Replace the raw.slo_* tables in one transaction; return their row counts."""
    return replace_raw_tables(con, SLO_TABLES, slo_rows(bundle))
