"""ISO weeks (Monday to Sunday): labels like 2026-W47, and the week just closed at a moment."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


def week_label(monday: date) -> str:
    """'2026-W47' for any day of that ISO week."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> date:
    """The Monday of an ISO week label ('2026-W47'); ValueError on a bad label."""
    m = _LABEL.match(label.strip())
    if not m:
        raise ValueError(f"expected an ISO week like 2026-W47, got {label!r}")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{label!r} is not a week of {year}") from exc
    return monday


def week_just_closed(moment: datetime, timezone: str = "UTC") -> date:
    """Monday of the ISO week before the one containing `moment` in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone)) if moment.tzinfo else moment
    today = local.date()
    return today - timedelta(days=today.weekday() + 7)
