"""Burn-rate alert factors and the error budget policy (the `slo:` section: config/slo.py).

The SQL marts compute the same formulas (dbt_project/macros/slo/); these pure functions are the
reference the gate and the tests use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reliability.config.root import validate
from reliability.config.slo import (
    BURN_RATE_WINDOWS,
    DEFAULT_ALERT_WINDOWS,
    EMPTY_SLICE_RULES,
    AlertWindow,
    SloSection,
    SloSettings,
)

DECISIONS = ("ship", "caution", "freeze", "no_data")
__all__ = [
    "BURN_RATE_WINDOWS",
    "DECISIONS",
    "DEFAULT_ALERT_WINDOWS",
    "EMPTY_SLICE_RULES",
    "AlertWindow",
    "SloSettings",
    "burn_factor",
    "burn_rate",
    "decide",
    "load_slo_settings",
]


def burn_factor(budget_fraction: float, period_hours: float, long_window_hours: float) -> float:
    """factor = budget fraction x period hours / long-window hours (28d, 2%, 1h -> 13.44)."""
    return budget_fraction * period_hours / long_window_hours


def burn_rate(bad: int, valid: int, target: float) -> float | None:
    """(bad / valid) / (1 - target); None without valid events or with a 100% target."""
    if valid <= 0 or target >= 1:
        return None
    return (bad / valid) / (1 - target)


def decide(
    remaining_fraction: float | None,
    is_exhausted: bool,
    has_data: bool,
    budget_events: float,
    settings: SloSettings,
) -> str:
    """ship / caution / freeze / no_data from the remaining budget (the policy)."""
    if not has_data:
        return "no_data"
    if is_exhausted or (
        budget_events > 0
        and remaining_fraction is not None
        and remaining_fraction <= settings.freeze_at_or_below
    ):
        return "freeze"
    if remaining_fraction is None or remaining_fraction <= settings.caution_at_or_below:
        return "caution"
    return "ship"


def load_slo_settings(config_path: Path, raw: dict[str, Any]) -> SloSettings:
    """The `slo:` section of a raw config mapping (all keys optional); the SLO folder is relative
    to the config file. A loaded config has the same as ReliabilityConfig.slo."""
    section = validate(config_path, raw.get("slo") or {}, SloSection, ("slo",))
    return section.settings(Path(config_path).parent)
