"""Numbers as a reader wants them: a unit on every number, 'no data' for missing values."""

from __future__ import annotations

from datetime import date

NO_DATA = "no data"
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def count(n: float | int | None, unit: str = "") -> str:
    """1234 -> '1,234' (with ' unit' when given)."""
    if n is None:
        return NO_DATA
    text = f"{round(n):,}"
    return f"{text} {unit}".rstrip()


def signed_count(n: float | int | None, unit: str = "") -> str:
    if n is None:
        return NO_DATA
    text = f"{round(n):+,}"
    return f"{text} {unit}".rstrip()


def percent(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.5591 -> '55.9%'."""
    return NO_DATA if x is None else f"{x * 100:.{digits}f}%"


def points(delta: float | None, digits: int = 1) -> str:
    """A change of a fraction in percentage points: -0.0123 -> '-1.2 pts'."""
    return NO_DATA if delta is None else f"{delta * 100:+.{digits}f} pts"


def decimal(x: float | None, digits: int = 2, signed: bool = False) -> str:
    """A plain number with `digits` decimals (for ratios without a unit, like a correlation)."""
    return NO_DATA if x is None else f"{x:{'+' if signed else ''}.{digits}f}"


def money(x: float | None, currency: str | None) -> str:
    """36742.48 -> '36,742 EUR'."""
    return NO_DATA if x is None else f"{x:,.0f} {currency or ''}".rstrip()


def signed_money(x: float | None, currency: str | None) -> str:
    return NO_DATA if x is None else f"{x:+,.0f} {currency or ''}".rstrip()


def duration(minutes: float | None, signed: bool = False) -> str:
    """Minutes in the unit that reads best: '45 min', '5.2 h', '2.9 days'."""
    if minutes is None:
        return NO_DATA
    sign = "+" if signed else ""
    size = abs(minutes)
    if size < 60:
        return f"{minutes:{sign}.0f} min"
    if size < 48 * 60:
        return f"{minutes / 60:{sign}.1f} h"
    return f"{minutes / 1440:{sign}.1f} days"


def per_day(x: float | None, signed: bool = False) -> str:
    return NO_DATA if x is None else f"{x:{'+' if signed else ''}.1f} per day"


def metric_value(unit: str, x: float | None, currency: str | None = None) -> str:
    """A value of a review metric by its unit kind."""
    if unit == "minutes":
        return duration(x)
    if unit == "rate":
        return percent(x)
    if unit == "sli":
        return percent(x, 2)
    if unit == "per_day":
        return per_day(x)
    if unit == "money":
        return money(x, currency)
    return count(x, "incidents" if unit == "incidents" else "")


def metric_change(unit: str, x: float | None, currency: str | None = None) -> str:
    """A week-over-week change of a review metric by its unit kind."""
    if unit == "minutes":
        return duration(x, signed=True)
    if unit == "rate":
        return points(x)
    if unit == "sli":
        return points(x, 2)
    if unit == "per_day":
        return per_day(x, signed=True)
    if unit == "money":
        return signed_money(x, currency)
    return signed_count(x)


# Units of the review metrics (the columns with a _change in weekly_review).
METRIC_UNITS: dict[str, str] = {
    "deployment_frequency_per_day": "per_day",
    "lead_time_median_minutes": "minutes",
    "change_fail_rate": "rate",
    "failed_deployment_recovery_median_minutes": "minutes",
    "rework_rate": "rate",
    "slo_worst_remaining_budget_fraction": "rate",
    "incidents": "incidents",
    "impact_minutes": "minutes",
    "revenue_at_risk_estimate": "money",
    "conversions_completed": "count",
    "conversion_rate": "rate",
    "revenue": "money",
    "returning_user_rate": "rate",
    "availability_sli": "sli",
    "latency_sli": "sli",
}


def day(d: date) -> str:
    """'16 Nov 2026'."""
    return f"{d.day} {d:%b %Y}"


def sparkline_text(values: list[float | None]) -> str:
    """A Unicode block sparkline ('▁▃▅█'); a missing week is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            i = 0 if span == 0 else round((v - low) / span * (len(SPARK_BLOCKS) - 1))
            out.append(SPARK_BLOCKS[i])
    return "".join(out)
