"""Comparing a model's rows across engines: normalized values, order-free, floats within 1e-9."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

REL_TOL = 1e-9
ABS_TOL = 1e-12  # for values that should be 0 but carry float noise (1e-17)


def normalize(value: Any) -> Any:
    """One representation per kind: numbers as float, timestamps naive UTC, the rest as is."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple):
        return tuple(normalize(v) for v in value)
    return str(value)


def _sort_key(row: Sequence[Any]) -> tuple:
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif isinstance(v, float):
            key.append((1, float(f"{v:.6g}") if math.isfinite(v) else v))
        else:
            key.append((2, repr(v) if not isinstance(v, str) else v))
    return tuple(key)


def sorted_rows(rows: Sequence[Sequence[Any]]) -> list[tuple]:
    """Rows normalized and sorted, so engines' orders do not matter."""
    return sorted((tuple(normalize(v) for v in row) for row in rows), key=_sort_key)


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(a) is type(b) and a == b


def differences(
    columns: Sequence[str], expected: Sequence[Sequence[Any]], actual: Sequence[Sequence[Any]],
    limit: int = 5,
) -> list[str]:
    """Human-readable differences between two row sets (empty when equal)."""
    if len(expected) != len(actual):
        return [f"{len(actual)} rows instead of {len(expected)}"]
    out = []
    for i, (e, a) in enumerate(zip(sorted_rows(expected), sorted_rows(actual), strict=True)):
        for col, ev, av in zip(columns, e, a, strict=True):
            if not same_value(ev, av):
                out.append(f"row {i}, {col}: expected {ev!r}, got {av!r}")
                if len(out) >= limit:
                    return out
    return out
