"""raw.review_settings: the config's `review:` section (its model: config/review.py)."""

from __future__ import annotations

from reliability.config import ReliabilityConfig
from reliability.config.review import ReviewSettings

SETTINGS_TABLE = (
    "timezone VARCHAR NOT NULL, latency_threshold_ms DOUBLE NOT NULL, "
    "baseline_weeks INTEGER NOT NULL, pattern_weeks INTEGER NOT NULL, "
    "chart_weeks INTEGER NOT NULL, postmortem_severities VARCHAR NOT NULL"
)

__all__ = ["SETTINGS_TABLE", "ReviewSettings", "review_settings"]


def review_settings(cfg: ReliabilityConfig) -> ReviewSettings:
    """The validated `review:` section of a loaded config (the same as cfg.review)."""
    return cfg.review
