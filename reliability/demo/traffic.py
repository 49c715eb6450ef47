"""Request traffic: simulated per minute from the plan and written as Parquet, gzipped JSON Lines
and nginx access logs, one file per service and ISO week."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reliability.demo.model import (
    _FIVE_XX,
    _FIVE_XX_P,
    _FOUR_XX,
    _MINUTES_PER_WEEK,
    _REFERERS,
    _S_REQUESTS,
    _USER_AGENTS,
    SERVICES,
    _hex_ids,
    _Incident,
    _incident_window_ms,
    _insert,
    _join,
    _lines_bytes,
    _ms,
    _rng,
    _Service,
    _week_label,
    _week_profile,
    _write,
)

# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


def _simulate_requests(
    rng: np.random.Generator,
    svc: _Service,
    week_start: datetime,
    scale: float,
    incidents: list[_Incident],
    t1: datetime,
) -> dict:
    """One week of requests of one service as numpy arrays, sorted by time."""
    expected = _week_profile() * svc.requests_per_min * scale
    counts = rng.poisson(expected)
    n = int(counts.sum())
    base = _ms(week_start)
    ts = base + np.repeat(np.arange(_MINUTES_PER_WEEK, dtype=np.int64) * 60_000, counts)
    ts = np.sort(ts + rng.integers(0, 60_000, n))

    weights = np.array([r.weight for r in svc.routes])
    route = rng.choice(len(svc.routes), size=n, p=weights / weights.sum())
    health = route == len(svc.routes) - 1
    medians = np.array([r.median_ms for r in svc.routes])
    latency = rng.lognormal(0.0, 0.5, n) * medians[route]

    ok = np.array([r.ok_status for r in svc.routes])[route]
    u = rng.random(n)
    five = rng.choice(_FIVE_XX, size=n, p=_FIVE_XX_P)
    four = rng.choice(_FOUR_XX, size=n)
    status = np.where(u < 0.002, five, np.where(u < 0.006, 429, np.where(u < 0.026, four, ok)))

    week_end = base + _MINUTES_PER_WEEK * 60_000
    for inc in incidents:
        lo, hi = _incident_window_ms(inc, t1)
        if inc.service != svc.name or hi <= base or lo >= week_end:
            continue
        idx = np.flatnonzero((ts >= lo) & (ts < hi) & ~health)
        latency[idx] *= inc.latency_factor * rng.uniform(0.8, 1.2, len(idx))
        failing = idx[rng.random(len(idx)) < inc.error_rate]
        status[failing] = rng.choice(
            [500, 502, 503, 504], size=len(failing), p=[0.2, 0.2, 0.45, 0.15]
        )
    status[health] = 200
    latency[health] = rng.uniform(0.5, 4.0, int(health.sum()))
    latency[status == 503] = rng.uniform(2.0, 25.0, int((status == 503).sum()))
    latency[status == 504] = rng.uniform(5_000.0, 30_000.0, int((status == 504).sum()))
    return {
        "ts": ts,
        "route": route,
        "status": status.astype(np.int32),
        "latency": np.round(latency, 1),
    }


def _user_keys(rng: np.random.Generator, n: int, pool: int, prefix: str, share: float) -> pa.Array:
    """User keys from a pool of `pool` users, null for anonymous traffic."""
    names = _join(prefix + "-", pc.utf8_lpad(pa.array(np.arange(pool)).cast(pa.string()), 6, "0"))
    keys = names.take(pa.array(rng.integers(0, pool, n)))
    return pc.if_else(pa.array(rng.random(n) < share), keys, pa.scalar(None, pa.string()))


def _request_columns(
    rng: np.random.Generator, svc: _Service, sim: dict, scale: float, anonymous: float
) -> dict[str, pa.Array]:
    """The contract columns for simulated requests."""
    n = len(sim["ts"])
    route = pa.array(sim["route"])
    return {
        "timestamp": pa.array(sim["ts"]).cast(pa.timestamp("ms", tz="UTC")),
        "service": pa.array([svc.name]).take(pa.array(np.zeros(n, np.int64))),
        "route": pa.array([r.path for r in svc.routes]).take(route),
        "method": pa.array([r.method for r in svc.routes]).take(route),
        "status": pa.array(sim["status"]),
        "latency_ms": pa.array(sim["latency"]),
        "request_id": _hex_ids(rng, n, 16),
        "user_key": _user_keys(rng, n, max(50, round(12000 * scale)), "user", 1 - anonymous),
    }


def _write_requests(
    landing: Path, seed: int, scale: float, t0: datetime, weeks: int, incidents: list[_Incident]
) -> tuple[list[Path], int, int]:
    """Checkout Parquet, catalog JSON Lines and signup access logs, one file per ISO week."""
    t1 = t0 + timedelta(weeks=weeks)
    files: list[Path] = []
    rows = bad_total = 0
    for w in range(weeks):
        week_start = t0 + timedelta(weeks=w)
        label = _week_label(week_start.date())
        for k, svc in enumerate(SERVICES):
            if not svc.routes:
                continue
            rng = _rng(seed, _S_REQUESTS, k, w)
            sim = _simulate_requests(rng, svc, week_start, scale, incidents, t1)
            if svc.name == "checkout-api":
                path, n, bad = _write_parquet_week(landing, label, rng, svc, sim, scale, w, weeks)
            elif svc.name == "catalog-api":
                path, n, bad = _write_jsonl_week(landing, label, rng, svc, sim, scale, w, weeks)
            else:
                path, n, bad = _write_access_log_week(landing, label, rng, svc, sim, w, weeks)
            files.append(path)
            rows += n
            bad_total += bad
    return sorted(files), rows, bad_total


def _write_parquet_week(
    landing: Path,
    label: str,
    rng: np.random.Generator,
    svc: _Service,
    sim: dict,
    scale: float,
    w: int,
    weeks: int,
) -> tuple[Path, int, int]:
    """checkout-api: Parquet; status 999 in the first week, a negative latency in the last."""
    table = pa.table(_request_columns(rng, svc, sim, scale, anonymous=0.15))
    bad = 0
    faults = (
        (w == 0, "status", 999, "bad-status-999"),
        (w == weeks - 1, "latency_ms", -42.0, "bad-negative-latency"),
    )
    for cond, column, value, request_id in faults:
        if cond and table.num_rows:
            i = int(rng.integers(0, table.num_rows))
            row = table.slice(i, 1)  # a copy of a real request, with one bad value and its own id
            for name, new in ((column, value), ("request_id", request_id)):
                field = row.schema.get_field_index(name)
                row = row.set_column(field, name, pa.array([new], row.schema.field(name).type))
            table = pa.concat_tables([table.slice(0, i + 1), row, table.slice(i + 1)])
            bad += 1
    path = landing / "requests" / f"demo-{svc.name}-{label}.parquet"
    pq.write_table(table, path, compression="zstd")
    return path, table.num_rows, bad


def _write_jsonl_week(
    landing: Path,
    label: str,
    rng: np.random.Generator,
    svc: _Service,
    sim: dict,
    scale: float,
    w: int,
    weeks: int,
) -> tuple[Path, int, int]:
    """catalog-api: gzipped JSON Lines; even weeks ISO timestamps, odd weeks epoch millis."""
    t = _request_columns(rng, svc, sim, scale, anonymous=0.5)
    iso = w % 2 == 0
    if iso:
        stamp = _join('"', pc.strftime(t["timestamp"], format="%Y-%m-%dT%H:%M:%SZ"), '"')
    else:
        stamp = pa.array(sim["ts"]).cast(pa.string())
    user = pc.fill_null(_join('"', t["user_key"], '"'), "null")
    lines = _join(
        '{"timestamp":',
        stamp,
        f',"service":"{svc.name}","route":"',
        t["route"],
        '","method":"',
        t["method"],
        '","status":',
        t["status"].cast(pa.string()),
        ',"latency_ms":',
        t["latency_ms"].cast(pa.string()),
        ',"request_id":"',
        t["request_id"],
        '","user_key":',
        user,
        "}",
    )
    bad: list[str] = []
    if w == 0:
        bad.append(
            f'{{"timestamp":"{label} sometime","service":"catalog-api",'
            '"route":"/api/search","method":"GET","status":200,"latency_ms":80.1,"request_id":"bad-ts",'
            '"user_key":null}'
        )
    if w == weeks - 1:
        stamp0 = stamp[0].as_py() if len(stamp) else '"2026-01-01T00:00:00Z"'
        bad.append(
            f'{{"timestamp":{stamp0},"service":"catalog-api","route":"/api/products",'
            '"method":"GET","status":999,"latency_ms":12.5,"request_id":"bad-status",'
            '"user_key":null}'
        )
        bad.append(
            f'{{"timestamp":{stamp0},"service":"catalog-api","route":"/api/products/123",'
            '"method":"GET","status":200,"latency_ms":-3.0,"request_id":"bad-latency",'
            '"user_key":null}'
        )
    lines = _insert(lines, rng, bad)
    path = _write(
        landing / "requests" / f"demo-{svc.name}-{label}.jsonl.gz",
        _lines_bytes(lines),
        compress=True,
    )
    return path, len(lines), len(bad)


def _client_addresses(rng: np.random.Generator) -> tuple[pa.Array, np.ndarray]:
    """A pool of client addresses (documentation ranges, about 10% IPv6) and their weights."""
    v4 = [
        f"{net}.{int(h)}"
        for net in ("203.0.113", "198.51.100", "192.0.2")
        for h in rng.choice(np.arange(1, 255), size=120, replace=False)
    ]
    v6 = [f"2001:db8:{int(a):x}::{int(b):x}" for a, b in rng.integers(1, 0xFFFF, size=(40, 2))]
    weights = rng.pareto(1.5, len(v4) + len(v6)) + 1.0
    return pa.array(v4 + v6), weights / weights.sum()


def _write_access_log_week(
    landing: Path,
    label: str,
    rng: np.random.Generator,
    svc: _Service,
    sim: dict,
    w: int,
    weeks: int,
) -> tuple[Path, int, int]:
    """signup-service: nginx combined + $request_time; gzipped except the latest week."""
    n = len(sim["ts"])
    route = pa.array(sim["route"])
    path_col = pa.array([r.path for r in svc.routes]).take(route)
    method = pa.array([r.method for r in svc.routes]).take(route)
    token = _join("?token=", _hex_ids(rng, n, 8))
    refs = pa.array(["?ref=newsletter", "?ref=ads", "?ref=friend"]).take(
        pa.array(rng.integers(0, 3, n))
    )
    is_verify = pc.equal(path_col, "/api/verify")
    with_ref = pc.and_(pc.equal(path_col, "/api/signup"), pa.array(rng.random(n) < 0.3))
    query = pc.if_else(is_verify, token, pc.if_else(with_ref, refs, ""))
    proto = pa.array(["HTTP/1.1", "HTTP/2.0"]).take(pa.array((rng.random(n) < 0.3).astype(int)))
    addrs, addr_p = _client_addresses(rng)
    addr = addrs.take(pa.array(rng.choice(len(addrs), size=n, p=addr_p)))
    agents = pa.array([a for a, _ in _USER_AGENTS])
    agent_p = np.array([p for _, p in _USER_AGENTS])
    agent = agents.take(pa.array(rng.choice(len(agents), size=n, p=agent_p / agent_p.sum())))
    referer = pa.array(list(_REFERERS)).take(pa.array(rng.integers(0, len(_REFERERS), n)))
    when = pa.array(sim["ts"] // 1000).cast(pa.timestamp("s", tz="UTC"))
    time_local = pc.strftime(when, format="%d/%b/%Y:%H:%M:%S +0000", locale="C")
    body = pa.array(np.round(rng.lognormal(np.log(600), 0.6, n)).astype(np.int64)).cast(pa.string())
    ms = np.maximum(np.round(sim["latency"]).astype(np.int64), 0)
    seconds = _join(
        " ",
        pa.array(ms // 1000).cast(pa.string()),
        ".",
        pc.utf8_lpad(pa.array(ms % 1000).cast(pa.string()), 3, "0"),
    )
    request_time = pc.if_else(pa.array(rng.random(n) < 0.005), "", seconds)
    lines = _join(
        addr,
        " - - [",
        time_local,
        '] "',
        method,
        " ",
        path_col,
        query,
        " ",
        proto,
        '" ',
        pa.array(sim["status"]).cast(pa.string()),
        " ",
        body,
        ' "',
        referer,
        '" "',
        agent,
        '"',
        request_time,
    )
    bad: list[str] = []
    if w == 0:
        bad.append(
            "198.51.100.77 - - ["
            + (time_local[0].as_py() if n else "01/Jan/2026:00:00:00 +0000")
            + '] "POST /api/sig'
        )
    if w == weeks - 1:
        bad.append("#### logrotate: file truncated, 4096 bytes lost ####")
        bad.append(
            "203.0.113.9 - - ["
            + (time_local[n // 2].as_py() if n else "01/Jan/2026:00:00:00 +0000")
            + '] "GET /api/signup HTTP/1.1" 999 0 "-" "curl/8.5.0" 0.001'
        )
    lines = _insert(lines, rng, bad)
    folder = landing / "requests" / svc.name
    latest = w == weeks - 1
    name = f"demo-access-{label}.log" + ("" if latest else ".gz")
    path = _write(folder / name, _lines_bytes(lines), compress=not latest)
    return path, len(lines), len(bad)
