"""Journey conversions: started and completed events per user session, dropping during incidents."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reliability.demo.model import (
    _CHURN_MEMORY_MS,
    _CHURN_P,
    _JOURNEYS,
    _S_CONVERSIONS,
    _S_RETENTION,
    _hex_ids,
    _Incident,
    _incident_window_ms,
    _insert,
    _join,
    _lines_bytes,
    _ms,
    _rng,
    _week_profile,
    _write,
)

# --------------------------------------------------------------------------------------------
# Conversions
# --------------------------------------------------------------------------------------------


def _write_conversions(
    landing: Path, seed: int, scale: float, t0: datetime, t1: datetime, incidents: list[_Incident]
) -> tuple[list[Path], int, int]:
    """conversions/demo-conversions.csv: started and completed events of both journeys."""
    weeks = (t1 - t0).days // 7
    parts = []
    for j, (journey, service, per_min, p_done, pool, prefix) in enumerate(_JOURNEYS):
        rng = _rng(seed, _S_CONVERSIONS, j)
        expected = np.tile(_week_profile(), weeks) * per_min * scale
        counts = rng.poisson(expected)
        n = int(counts.sum())
        minute = np.repeat(np.arange(len(expected), dtype=np.int64), counts)
        ts = np.sort(_ms(t0) + minute * 60_000 + rng.integers(0, 60_000, n))
        pool_n = max(50, round(pool * scale))
        users = rng.integers(0, pool_n, n)
        factor = np.ones(n)
        for inc in incidents:
            if inc.service != service:
                continue
            lo, hi = _incident_window_ms(inc, t1)
            impact = min(0.9, 0.2 + 2.0 * inc.error_rate) if inc.kind == "errors" else 0.35
            inside = (ts >= lo) & (ts < hi)
            factor[inside] = np.minimum(factor[inside], 1.0 - impact)
        done = rng.random(n) < p_done * factor
        users = _retention_users(_rng(seed, _S_RETENTION, j), ts, users, factor < 1.0, pool_n)
        done_ts = ts + np.round(np.exp(rng.normal(np.log(180_000), 0.7, n))).astype(np.int64)
        done &= done_ts < _ms(t1)
        revenue = np.round(rng.lognormal(np.log(55.0), 0.45, n), 2)
        parts.append((journey, ts, users, prefix, done, done_ts, revenue))
    return _conversion_file(landing, seed, parts)


def _retention_users(
    rng: np.random.Generator, ts: np.ndarray, users: np.ndarray, hurt: np.ndarray, pool: int
) -> np.ndarray:
    """Re-pick which user starts each session (sorted by `ts`): a session whose user met an
    incident (`hurt`) in the last 28 days goes to another user with probability _CHURN_P."""
    draws, other = rng.random(len(ts)), rng.integers(0, pool, len(ts))
    out, met = users.copy(), {}
    for i in range(len(ts)):
        last = met.get(int(out[i]))
        if last is not None and ts[i] - last < _CHURN_MEMORY_MS and draws[i] < _CHURN_P:
            out[i] = other[i]
        if hurt[i]:
            met[int(out[i])] = int(ts[i])
    return out


def _conversion_file(landing: Path, seed: int, parts: list[tuple]) -> tuple[list[Path], int, int]:
    """Merge the journeys' events, sort them, add malformed rows and write the CSV."""
    ts_all, journey_all, step_all, user_all, revenue_all = [], [], [], [], []
    for journey, ts, users, prefix, done, done_ts, revenue in parts:
        user = _join(prefix + "-", pc.utf8_lpad(pa.array(users).cast(pa.string()), 6, "0"))
        paid = journey == "checkout"
        ts_all += [ts, done_ts[done]]
        journey_all += [np.full(len(ts), journey), np.full(int(done.sum()), journey)]
        step_all += [np.full(len(ts), "started"), np.full(int(done.sum()), "completed")]
        user_all += [user, user.filter(pa.array(done))]
        revenue_all += [
            np.full(len(ts), np.nan),
            revenue[done] if paid else np.full(int(done.sum()), np.nan),
        ]
    ts = np.concatenate(ts_all)
    order = np.lexsort((np.concatenate(step_all) == "completed", ts))
    revenue = np.concatenate(revenue_all)[order]
    rng = _rng(seed, _S_CONVERSIONS, 99)
    n = len(ts)
    has_revenue = ~np.isnan(revenue)
    amount = np.where(has_revenue, revenue, 0.0)
    cents = np.round(amount * 100).astype(np.int64)
    money = _join(
        pa.array(cents // 100).cast(pa.string()),
        ".",
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
    )
    table_cols = [
        _join("evt_", _hex_ids(rng, n, 10)),
        pc.strftime(
            pa.array(ts[order]).cast(pa.timestamp("ms", tz="UTC")), format="%Y-%m-%dT%H:%M:%SZ"
        ),
        pa.array(np.concatenate(journey_all)[order].astype(str)),
        pa.array(np.concatenate(step_all)[order].astype(str)),
        pa.concat_arrays(user_all).take(pa.array(order)),
        pc.if_else(pa.array(has_revenue), money, ""),
        pc.if_else(pa.array(has_revenue), "EUR", ""),
    ]
    lines = _join(*[x for col in table_cols for x in (col, ",")][:-1])
    mid = table_cols[1][n // 2].as_py() if n else "2026-01-01T00:00:00Z"
    bad = [
        "evt_bad_timestamp,31/02/2026 25:61,checkout,started,user-000001,,",
        f"evt_missing_journey,{mid},,completed,user-000002,49.90,EUR",
    ]
    lines = _insert(lines, rng, bad)
    header = "event_id,timestamp,journey,step,user_key,revenue,currency\n"
    path = _write(
        landing / "conversions" / "demo-conversions.csv", header.encode() + _lines_bytes(lines)
    )
    return [path], len(lines), len(bad)
