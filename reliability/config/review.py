"""The `review:` section: how the weekly review is computed and scheduled (every key optional)."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reliability.config.types import Section, expect, number, texts_check, whole


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError
    try:
        ZoneInfo(value)
    except ZoneInfoNotFoundError as exc:
        raise ValueError from exc
    return value


def _severities(value: Any) -> tuple[str, ...]:
    return tuple(s.strip().lower() for s in texts_check()(value))


class ReviewSettings(Section):
    """`review:` of RELIABILITY_CONFIG."""

    timezone: Annotated[str, expect("an IANA time zone, e.g. Europe/Berlin", _timezone)] = "UTC"
    latency_threshold_ms: Annotated[
        float, number("a positive number of ms", lambda v: v > 0)
    ] = 850.0
    baseline_weeks: Annotated[int, whole(1, 52)] = 4
    pattern_weeks: Annotated[int, whole(1, 104)] = 8
    chart_weeks: Annotated[int, whole(2, 104)] = 12
    postmortem_severities: Annotated[
        tuple[str, ...], expect("a list of severities", _severities)
    ] = ("sev1", "sev2")

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
