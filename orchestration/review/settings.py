"""The config's `review:` section (every key optional)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import ConfigError, ReliabilityConfig

SETTINGS_TABLE = (
    "timezone VARCHAR NOT NULL, latency_threshold_ms DOUBLE NOT NULL, "
    "baseline_weeks INTEGER NOT NULL, pattern_weeks INTEGER NOT NULL, "
    "chart_weeks INTEGER NOT NULL, postmortem_severities VARCHAR NOT NULL"
)


@dataclass(frozen=True)
class ReviewSettings:
    """How the weekly review is computed and scheduled."""

    timezone: str = "UTC"
    latency_threshold_ms: float = 850.0
    baseline_weeks: int = 4
    pattern_weeks: int = 8
    chart_weeks: int = 12
    postmortem_severities: tuple[str, ...] = ("sev1", "sev2")

    def row(self) -> tuple:
        """The one row of raw.review_settings (severities as ',sev1,sev2,' for a LIKE test)."""
        return (
            self.timezone,
            self.latency_threshold_ms,
            self.baseline_weeks,
            self.pattern_weeks,
            self.chart_weeks,
            "," + ",".join(self.postmortem_severities) + ",",
        )


def _positive_int(path: Any, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(path, f"review.{key}", f"a whole number from {low} to {high}", value)
    return value


def review_settings(cfg: ReliabilityConfig) -> ReviewSettings:
    """Read and validate `review:`; raise ConfigError naming the key."""
    raw = cfg.raw.get("review")
    if raw is None:
        return ReviewSettings()
    if not isinstance(raw, dict):
        raise ConfigError(cfg.path, "review", "a mapping", raw)
    d = ReviewSettings()
    tz = raw.get("timezone", d.timezone)
    try:
        if not isinstance(tz, str) or not tz:
            raise ZoneInfoNotFoundError(tz)
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            cfg.path, "review.timezone", "an IANA time zone, e.g. Europe/Berlin", tz
        ) from exc
    threshold = raw.get("latency_threshold_ms", d.latency_threshold_ms)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise ConfigError(
            cfg.path, "review.latency_threshold_ms", "a positive number of ms", threshold
        )
    severities = raw.get("postmortem_severities", list(d.postmortem_severities))
    if isinstance(severities, str):
        severities = [severities]
    if not isinstance(severities, list) or not all(isinstance(s, str) and s for s in severities):
        raise ConfigError(
            cfg.path, "review.postmortem_severities", "a list of severities", severities
        )
    return ReviewSettings(
        timezone=tz,
        latency_threshold_ms=float(threshold),
        baseline_weeks=_positive_int(
            cfg.path, "baseline_weeks", raw.get("baseline_weeks", 4), 1, 52
        ),
        pattern_weeks=_positive_int(cfg.path, "pattern_weeks", raw.get("pattern_weeks", 8), 1, 104),
        chart_weeks=_positive_int(cfg.path, "chart_weeks", raw.get("chart_weeks", 12), 2, 104),
        postmortem_severities=tuple(s.strip().lower() for s in severities),
    )
