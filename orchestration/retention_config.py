"""The config's `retention:` section: `return_days: [7, 28]`, the return windows (days after
the cohort week) of marts.journey_retention_weekly (docs/retention.md)."""

from __future__ import annotations

from typing import Any

from .config import ConfigError, ReliabilityConfig

DEFAULT_RETURN_DAYS = (7, 28)
KEYS = {"return_days"}


def return_days(config: ReliabilityConfig) -> tuple[int, ...]:
    """The validated return windows; ConfigError names the file and key on a bad value."""
    section = config.raw.get("retention")
    if section is None:
        return DEFAULT_RETURN_DAYS
    if not isinstance(section, dict):
        raise ConfigError(config.path, "retention", "a mapping", section)
    unknown = sorted(set(section) - KEYS)
    if unknown:
        raise ConfigError(config.path, f"retention.{unknown[0]}", f"one of {sorted(KEYS)}")
    days: Any = section.get("return_days", list(DEFAULT_RETURN_DAYS))
    ok = (
        isinstance(days, list)
        and days
        and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 366 for d in days)
        and len(set(days)) == len(days)
    )
    if not ok:
        raise ConfigError(
            config.path,
            "retention.return_days",
            "a non-empty list of distinct whole numbers of days from 1 to 366",
            days,
        )
    return tuple(days)


def retention_vars(config: ReliabilityConfig) -> dict[str, Any]:
    """The dbt vars of the retention models."""
    return {"retention_return_days": list(return_days(config))}
