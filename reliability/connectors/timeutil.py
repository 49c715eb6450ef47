"""Timestamps: parse the formats the APIs and Four Keys exports use; write ISO 8601 UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_BQ_UTC = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*UTC$")


def parse_ts(value: str | int | float | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (`Z` or offset; naive = UTC), BigQuery's
    `YYYY-MM-DD HH:MM:SS[.ffffff] UTC`, or epoch seconds / milliseconds. None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
        num = float(value)
        return datetime.fromtimestamp(num / 1000 if abs(num) >= 1e11 else num, UTC)
    text = str(value).strip()
    m = _BQ_UTC.match(text)
    if m:
        text = f"{m.group(1)}T{m.group(2)}+00:00"
    text = re.sub(r"\s+([+-]\d{2}):?(\d{2})$", r"\1:\2", text)  # `... +0100` (GitLab hooks)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso(value: datetime | str | int | float | None) -> str | None:
    """ISO 8601 in UTC with a `Z` (seconds precision kept as given), or None."""
    dt = value if isinstance(value, datetime) else parse_ts(value)
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def minus(value: str | None, minutes: float) -> str | None:
    """`value` moved back by `minutes` (the overlap applied to a cursor)."""
    dt = parse_ts(value)
    return iso(dt - timedelta(minutes=minutes)) if dt else None


def latest(*values: str | None) -> str | None:
    """The latest of some ISO timestamps (None ignored)."""
    parsed = [(parse_ts(v), v) for v in values if v]
    return iso(max(parsed)[0]) if parsed else None


def earliest(*values: str | None) -> str | None:
    """The earliest of some ISO timestamps (None ignored)."""
    parsed = [(parse_ts(v), v) for v in values if v]
    return iso(min(parsed)[0]) if parsed else None


def before(a: str | None, b: str | None) -> bool:
    """True when both are set and `a` is strictly earlier than `b`."""
    pa, pb = parse_ts(a), parse_ts(b)
    return pa is not None and pb is not None and pa < pb
