"""Deterministic demo data for the reliability warehouse.

`generate_demo` simulates a small company (the four services of `data/reliability.yml`) over a
number of full ISO weeks and writes the five landing datasets of the input contract
(deployments, changes, incidents, requests, conversions) in the formats a real installation
receives: CSV, gzipped JSON Lines, Parquet and nginx access logs.

Everything follows from one simulation, in this order: releases (deployments), incidents caused by
some of them (plus a few without a cause), hotfix / rollback deployments that fix incidents, the
changes each deployment shipped, request traffic whose 5xx rate and latency rise during incidents,
and journey conversions whose completion rate drops during incidents. Three scenarios are placed on
simulated deployments so a demo always has something to show: a long, severe checkout outage in the
final two weeks, a signup latency incident, and an incident still open at the end. A few
deliberately malformed records per dataset exercise the rejects path.

The output is a pure function of ``(weeks, end, seed, scale)``: each part of the simulation draws
from its own numpy ``default_rng`` stream, output is sorted, gzip members carry no time stamp or
file name, and Parquet is written by pyarrow without variable metadata. ``scale`` changes request
and conversion volumes only; deployments, changes and incidents are the same at every scale.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATASETS = ("deployments", "changes", "incidents", "requests", "conversions")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTES_PER_WEEK = 7 * 1440
_WEEKDAY_FACTOR = (1.05, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75)
_GZIP_LEVEL = 6

# Stream numbers for the independent random generators.
_S_DEPLOYS, _S_INCIDENTS, _S_CHANGES, _S_REQUESTS, _S_CONVERSIONS, _S_FORMAT = range(1, 7)
# Its own stream: which user starts a session (the sessions themselves stay as they are).
_S_RETENTION = 7
# A session whose user met an incident in the last _CHURN_MEMORY goes to another user with this
# probability: users who met failures are less likely to return (docs/retention.md).
_CHURN_P = 0.6
_CHURN_MEMORY_MS = 28 * 86_400_000


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote."""

    landing: Path
    start: date  # first day (a Monday)
    end: date  # exclusive end (a Monday)
    files: dict[str, list[Path]]  # dataset -> files written
    rows: dict[str, int]  # dataset -> records written (incl. the deliberately malformed ones)
    malformed: dict[str, int]  # dataset -> deliberately malformed rows/lines written


@dataclass(frozen=True)
class _Route:
    path: str
    method: str
    weight: float
    median_ms: float
    ok_status: int = 200


@dataclass(frozen=True)
class _Service:
    name: str
    team: str
    repo: str
    prod_env: str
    deploys_per_workday: float
    incident_prob: float
    requests_per_min: float
    routes: tuple[_Route, ...]


_HEALTH = _Route("/healthz", "GET", 0.03, 2.0)

SERVICES: tuple[_Service, ...] = (
    _Service(
        name="catalog-api",
        team="discovery",
        repo="acme/catalog-api",
        prod_env="production",
        deploys_per_workday=4.0,
        incident_prob=0.025,
        requests_per_min=15.0,
        routes=(
            _Route("/api/products", "GET", 0.20, 110.0),
            _Route("/api/products/123", "GET", 0.14, 90.0),
            _Route("/api/products/456", "GET", 0.11, 90.0),
            _Route("/api/products/789", "GET", 0.09, 90.0),
            _Route("/api/products/1024", "GET", 0.07, 90.0),
            _Route("/api/products/2048/reviews", "GET", 0.06, 140.0),
            _Route("/api/search", "GET", 0.30, 160.0),
            _HEALTH,
        ),
    ),
    _Service(
        name="checkout-api",
        team="payments",
        repo="acme/checkout-api",
        prod_env="production",
        deploys_per_workday=3.0,
        incident_prob=0.03,
        requests_per_min=8.0,
        routes=(
            _Route("/api/cart", "GET", 0.33, 100.0),
            _Route("/api/cart/items", "POST", 0.22, 120.0, 201),
            _Route("/api/checkout", "POST", 0.20, 180.0, 201),
            _Route("/api/checkout/status", "GET", 0.07, 80.0),
            _Route("/api/payment/confirm", "POST", 0.15, 240.0),
            _HEALTH,
        ),
    ),
    _Service(
        name="signup-service",
        team="growth",
        repo="acme/signup-service",
        prod_env="production",
        deploys_per_workday=1.0,
        incident_prob=0.04,
        requests_per_min=4.0,
        routes=(
            _Route("/api/signup", "GET", 0.20, 70.0),
            _Route("/api/signup", "POST", 0.35, 150.0, 201),
            _Route("/api/verify", "GET", 0.22, 110.0),
            _Route("/api/verify/status", "GET", 0.12, 60.0),
            _Route("/api/verify/resend", "POST", 0.08, 130.0, 202),
            _HEALTH,
        ),
    ),
    _Service(
        name="notifications",  # no request data
        team="growth",
        repo="acme/notifications",
        prod_env="prod",
        deploys_per_workday=0.6,
        incident_prob=0.04,
        requests_per_min=0.0,
        routes=(),
    ),
)
_SERVICE = {s.name: s for s in SERVICES}

# Journeys: (name, service, started events per minute at scale 1, completion probability,
# user-pool size at scale 1, user key prefix).
_JOURNEYS = (
    ("checkout", "checkout-api", 1.0, 0.60, 12000, "user"),
    ("signup", "signup-service", 0.4, 0.45, 30000, "visitor"),
)

# checkout-api's coding + review time grows over the last three weeks (review backlog).
_LEAD_TIME_GROWTH = (1.7, 2.8, 4.6)

_FIVE_XX = np.array([500, 502, 503, 504])
_FIVE_XX_P = np.array([0.25, 0.2, 0.4, 0.15])
_FOUR_XX = np.array([400, 401, 404, 409])
_HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")

_USER_AGENTS = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Safari/537.36",
        0.42,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        0.3,
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", 0.15),
    ("okhttp/4.12.0", 0.07),
    ("curl/8.5.0", 0.03),
    ('Mozilla/5.0 (compatible; \\"AcmeMonitor\\"/2.1; +https://status.example.com)', 0.02),
    ("kube-probe/1.30", 0.01),
)
_REFERERS = (
    "-",
    "https://www.example.com/",
    "https://www.example.com/signup",
    "https://mail.example.com/",
)


@dataclass
class _Deploy:
    service: str
    environment: str
    status: str
    finished: datetime
    started: datetime | None
    sha: str
    dtype: str = "normal"
    fixes: _Incident | None = None
    id: str = ""


@dataclass
class _Incident:
    service: str
    start: datetime
    detected: datetime
    resolved: datetime | None
    kind: str  # "errors" or "latency"
    error_rate: float
    latency_factor: float
    cause: _Deploy | None
    link: str  # "explicit", "sha", "time" or "none"
    severity: str = ""
    title: str = ""
    id: str = ""


@dataclass
class _Change:
    service: str
    first_commit: datetime
    opened: datetime | None
    merged: datetime | None
    sha: str
    deploy: _Deploy | None
    pr: bool
    id: str = ""


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def generate_demo(
    landing: Path,
    *,
    weeks: int = 12,
    end: date | None = None,
    seed: int = 7,
    scale: float = 1.0,
) -> DemoSummary:
    """Write `weeks` full ISO weeks of demo data ending before `end` into `landing`.

    `end` defaults to the Monday of the current ISO week; any other date is moved back to the
    Monday of its ISO week. Older ``demo-*`` files in the dataset folders are removed first; other
    files are left alone. Returns what was written.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    end_day = end if end is not None else date.today()
    end_day = end_day - timedelta(days=end_day.weekday())
    start_day = end_day - timedelta(weeks=weeks)
    t0 = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC)
    t1 = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC)

    landing = Path(landing)
    _clean_landing(landing)

    deploys = _plan_releases(_rng(seed, _S_DEPLOYS), t0, t1)
    incidents, deploys = _plan_incidents(_rng(seed, _S_INCIDENTS), deploys, t0, t1)
    changes = _plan_changes(_rng(seed, _S_CHANGES), deploys, t0, t1)

    files: dict[str, list[Path]] = {}
    rows: dict[str, int] = {}
    malformed: dict[str, int] = {}
    fmt = _rng(seed, _S_FORMAT)
    for name, writer in (
        ("deployments", lambda: _write_deployments(landing, deploys, fmt)),
        ("changes", lambda: _write_changes(landing, changes, fmt)),
        ("incidents", lambda: _write_incidents(landing, incidents, t1, fmt)),
        ("requests", lambda: _write_requests(landing, seed, scale, t0, weeks, incidents)),
        ("conversions", lambda: _write_conversions(landing, seed, scale, t0, t1, incidents)),
    ):
        files[name], rows[name], malformed[name] = writer()
    return DemoSummary(landing, start_day, end_day, files, rows, malformed)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator for one part of the simulation."""
    return np.random.default_rng([seed, *stream])


def _clean_landing(landing: Path) -> None:
    """Remove earlier ``demo-*`` files from the folders this module writes."""
    folders = [landing / d for d in DATASETS] + [landing / "requests" / "signup-service"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for old in sorted(folder.glob("demo-*")):
            if old.is_file():
                old.unlink()


def _ms(dt: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return (dt - _EPOCH) // timedelta(milliseconds=1)


def _iso(dt: datetime | None, offset_minutes: int = 0) -> str:
    """ISO 8601 with an offset (``Z`` for UTC); empty for None."""
    if dt is None:
        return ""
    if offset_minutes == 0:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = dt.astimezone(timezone(timedelta(minutes=offset_minutes)))
    return local.isoformat(timespec="seconds")


def _pick_offset(rng: np.random.Generator) -> int:
    """Mostly UTC, sometimes Central European or US Eastern time."""
    return int(rng.choice([0, 60, -300], p=[0.84, 0.09, 0.07]))


def _sha(rng: np.random.Generator) -> str:
    return rng.bytes(20).hex()


def _minutes(rng: np.random.Generator, low: float, high: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(low * 60, high * 60)))


def _hex_ids(rng: np.random.Generator, n: int, nbytes: int) -> pa.Array:
    """`n` random lowercase hex strings of `2 * nbytes` characters, vectorized."""
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    flat = np.ascontiguousarray(_HEX[raw]).view(f"S{2 * nbytes}").ravel()
    return pa.array(flat, type=pa.binary()).cast(pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation of arrays and literals."""
    return pc.binary_join_element_wise(*parts, "")


def _lines_bytes(lines: pa.Array) -> bytes:
    """Newline-terminated lines of a string array as bytes."""
    if len(lines) == 0:
        return b""
    offsets = pa.array([0, len(lines)], pa.int32())
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, lines), "\n")
    return joined.cast(pa.binary())[0].as_py() + b"\n"


def _insert(lines: pa.Array, rng: np.random.Generator, bad: list[str]) -> pa.Array:
    """Insert malformed lines at random (seeded) positions."""
    positions = sorted(int(rng.integers(0, len(lines) + 1)) for _ in bad)
    pieces, last = [], 0
    for pos, text in zip(positions, bad, strict=True):
        pieces += [lines[last:pos], pa.array([text], pa.string())]
        last = pos
    pieces.append(lines[last:])
    return pa.concat_arrays(pieces)


def _write(path: Path, data: bytes, compress: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, compresslevel=_GZIP_LEVEL, mtime=0) if compress else data)
    return path


def _week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _week_profile() -> np.ndarray:
    """Relative traffic per minute of an ISO week (Monday 00:00 UTC first); mean 1."""
    minute = np.arange(_MINUTES_PER_WEEK)
    hour = (minute % 1440) / 60.0
    diurnal = 1.0 + 0.6 * np.sin(2 * np.pi * (hour - 8.0) / 24.0)
    profile = diurnal * np.asarray(_WEEKDAY_FACTOR)[minute // 1440]
    return profile / profile.mean()


def _in_windows(ts_ms: np.ndarray, windows: list[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros(len(ts_ms), dtype=bool)
    for lo, hi in windows:
        mask |= (ts_ms >= lo) & (ts_ms < hi)
    return mask


def _incident_window_ms(inc: _Incident, t1: datetime) -> tuple[int, int]:
    return _ms(inc.start), _ms(inc.resolved or t1)


# --------------------------------------------------------------------------------------------
# Deployments
# --------------------------------------------------------------------------------------------


def _plan_releases(rng: np.random.Generator, t0: datetime, t1: datetime) -> list[_Deploy]:
    """Releases on working hours of working days (rarely at weekends), with staging and retries."""
    deploys: list[_Deploy] = []
    for day in range((t1 - t0).days):
        d0 = t0 + timedelta(days=day)
        factor = 1.0 if d0.weekday() < 5 else 0.05
        for svc in SERVICES:
            for _ in range(_deploy_count(rng, svc.deploys_per_workday * factor)):
                finished = d0 + timedelta(seconds=int(rng.integers(8 * 3600, 18 * 3600)))
                deploys += _release(rng, svc, finished)
    return deploys


def _deploy_count(rng: np.random.Generator, mean: float) -> int:
    """Deployments in one day: binomial, steadier than Poisson (teams keep a cadence)."""
    trials = max(1, round(2 * mean))
    return int(rng.binomial(trials, min(1.0, mean / trials)))


def _release(rng: np.random.Generator, svc: _Service, finished: datetime) -> list[_Deploy]:
    """One commit going out: maybe via staging, maybe failing (and maybe retried)."""
    sha = _sha(rng)
    out: list[_Deploy] = []

    def make(env: str, status: str, when: datetime) -> _Deploy:
        started = None if rng.random() < 0.1 else when - _minutes(rng, 1.5, 15)
        return _Deploy(svc.name, env, status, when, started, sha)

    if rng.random() < 0.35:
        status = "failure" if rng.random() < 0.05 else "success"
        out.append(make("staging", status, finished - _minutes(rng, 20, 90)))
    if rng.random() < 0.07:
        out.append(make(svc.prod_env, "failure", finished))
        if rng.random() < 0.7:
            out.append(make(svc.prod_env, "success", finished + _minutes(rng, 10, 40)))
    else:
        out.append(make(svc.prod_env, "success", finished))
        if rng.random() < 0.02:
            out[-1].dtype = "hotfix"
    return out


def _counted(deploys: list[_Deploy], service: str | None = None) -> list[_Deploy]:
    """Successful production deployments, by finish time."""
    prod = {s.prod_env for s in SERVICES}
    return sorted(
        (
            d
            for d in deploys
            if d.status == "success"
            and d.environment in prod
            and (service is None or d.service == service)
        ),
        key=lambda d: (d.finished, d.service),
    )


# --------------------------------------------------------------------------------------------
# Incidents
# --------------------------------------------------------------------------------------------


class _Planner:
    """Places incidents without overlaps on the same service."""

    def __init__(
        self, rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
    ) -> None:
        self.rng, self.deploys, self.t0, self.t1 = rng, deploys, t0, t1
        self.incidents: list[_Incident] = []

    def free(self, service: str, lo: datetime, hi: datetime) -> bool:
        margin = timedelta(hours=1)
        return all(
            inc.service != service
            or hi + margin <= inc.start
            or lo >= (inc.resolved or self.t1) + margin
            for inc in self.incidents
        )

    def next_gap(self, dep: _Deploy) -> timedelta:
        later = [
            d.finished for d in _counted(self.deploys, dep.service) if d.finished > dep.finished
        ]
        return (min(later) if later else self.t1) - dep.finished

    def caused(
        self,
        dep: _Deploy,
        kind: str,
        rate: float,
        factor: float,
        duration: timedelta,
        link: str,
        max_delay_h: float = 8.0,
    ) -> _Incident | None:
        """An incident that starts after `dep` and before the service's next deployment."""
        gap = self.next_gap(dep)
        room = min(gap, timedelta(hours=max_delay_h)) - timedelta(minutes=5)
        if room > timedelta(minutes=5):
            delay = timedelta(seconds=int(self.rng.uniform(300, room.total_seconds())))
        else:
            delay = max(gap / 2, timedelta(minutes=1))
        start = dep.finished + delay
        resolved = min(start + duration, self.t1 - timedelta(minutes=10))
        if resolved - start < timedelta(minutes=10) or not self.free(dep.service, start, resolved):
            return None
        return self.add(dep.service, start, resolved, kind, rate, factor, dep, link)

    def add(
        self,
        service: str,
        start: datetime,
        resolved: datetime | None,
        kind: str,
        rate: float,
        factor: float,
        cause: _Deploy | None,
        link: str,
    ) -> _Incident:
        detect = timedelta(seconds=int(np.clip(self.rng.lognormal(np.log(360), 0.6), 60, 2700)))
        if resolved is not None:
            detect = min(detect, (resolved - start) / 2)
        inc = _Incident(service, start, start + detect, resolved, kind, rate, factor, cause, link)
        self.incidents.append(inc)
        return inc

    def pick_deploy(
        self, service: str, lo: datetime, hi: datetime, hours: tuple[int, int] = (0, 24)
    ) -> _Deploy:
        """A counted normal deployment of `service` finishing in [lo, hi); made if none exists."""
        pool = [
            d
            for d in _counted(self.deploys, service)
            if lo <= d.finished < hi and d.dtype == "normal"
        ]
        preferred = [
            d for d in pool if d.finished.weekday() < 5 and hours[0] <= d.finished.hour < hours[1]
        ]
        pool = preferred or pool
        if pool:
            return pool[int(self.rng.integers(len(pool)))]
        when = lo + (hi - lo) / 2
        made = _Deploy(
            service,
            _SERVICE[service].prod_env,
            "success",
            when,
            when - timedelta(minutes=6),
            _sha(self.rng),
        )
        self.deploys.append(made)
        return made


def _plan_incidents(
    rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
) -> tuple[list[_Incident], list[_Deploy]]:
    """Incidents (caused, uncaused, open), change freezes, and the deployments that fix them."""
    plan = _Planner(rng, list(deploys), t0, t1)
    week = timedelta(weeks=1)
    last_day = t1 - timedelta(days=1)

    # Scenario: a long, severe checkout outage in the final two weeks (morning deploy, so the
    # incident runs through the afternoon peak).
    lo = max(t0, t1 - 2 * week)
    big_dep = plan.pick_deploy("checkout-api", lo, last_day - timedelta(hours=12), (8, 12))
    plan.caused(
        big_dep,
        "errors",
        rng.uniform(0.35, 0.5),
        2.0,
        timedelta(minutes=int(rng.uniform(300, 420))),
        "explicit",
        max_delay_h=1.5,
    )

    # Scenario: a signup latency incident, after the first quarter of the period.
    lat_dep = plan.pick_deploy("signup-service", t0 + (t1 - t0) / 4, last_day, (8, 15))
    plan.caused(
        lat_dep,
        "latency",
        0.01,
        rng.uniform(4.5, 6.0),
        timedelta(minutes=int(rng.uniform(120, 200))),
        "sha",
        max_delay_h=3,
    )

    # Incidents caused by ordinary deployments, linked in different ways.
    for dep in _counted(plan.deploys):
        draw = rng.random(3)
        if dep.finished > t1 - timedelta(hours=6) or draw[0] >= _SERVICE[dep.service].incident_prob:
            continue
        link = ("explicit", "sha", "time")[int(np.searchsorted([0.35, 0.6], draw[1], "right"))]
        seconds = np.clip(rng.lognormal(np.log(50 * 60), 0.7), 600, 5 * 3600)
        duration = timedelta(seconds=int(seconds))
        if draw[2] < 0.7:
            plan.caused(dep, "errors", rng.uniform(0.05, 0.3), 1.5, duration, link)
        else:
            plan.caused(dep, "latency", 0.01, rng.uniform(3.0, 6.0), duration, link)

    # Incidents without a cause, preferably with no deployment of the service in the 24 h before.
    for _ in range(max(1, int(rng.poisson(0.2 * (t1 - t0).days / 7)))):
        svc = SERVICES[int(rng.choice(len(SERVICES), p=[0.35, 0.25, 0.2, 0.2]))]
        for _attempt in range(40):
            start = t0 + timedelta(
                hours=24, seconds=int(rng.uniform(0, (t1 - t0).total_seconds() - 30 * 3600))
            )
            resolved = start + timedelta(minutes=int(rng.uniform(20, 120)))
            recent = [
                d
                for d in _counted(plan.deploys, svc.name)
                if start - timedelta(hours=24) <= d.finished <= start
            ]
            if not recent and plan.free(svc.name, start, resolved):
                plan.add(
                    svc.name, start, resolved, "errors", rng.uniform(0.03, 0.15), 1.3, None, "none"
                )
                break

    # One incident still open at the end: catalog-api slow since the last day (else notifications).
    slots = [(svc, h) for svc in ("catalog-api", "notifications") for h in (20, 14, 8, 4)]
    for service, hours in slots:
        start = t1 - timedelta(hours=hours, minutes=int(rng.integers(0, 60)))
        if plan.free(service, start, t1):
            plan.add(service, start, None, "latency", 0.02, 2.5, None, "none")
            break

    deploys = _freeze(plan.deploys, plan.incidents)
    deploys += _fix_deploys(rng, deploys, plan.incidents)
    incidents = sorted(plan.incidents, key=lambda i: (i.start, i.service))
    for n, inc in enumerate(incidents, start=1):
        inc.id = f"INC-{n:04d}"
        inc.severity, inc.title = _describe(rng, inc, t1)
    deploys.sort(key=lambda d: (d.finished, d.service, d.environment))
    for n, dep in enumerate(deploys, start=1):
        dep.id = f"dep-{n:05d}"
    _check_links(incidents, deploys)
    return incidents, deploys


def _freeze(deploys: list[_Deploy], incidents: list[_Incident]) -> list[_Deploy]:
    """Drop ordinary production deployments of a service while it has an open incident."""
    causes = {id(i.cause) for i in incidents if i.cause is not None}
    kept = []
    for d in deploys:
        frozen = any(
            i.service == d.service and i.start <= d.finished <= (i.resolved or d.finished)
            for i in incidents
        )
        if not frozen or d.environment == "staging" or id(d) in causes:
            kept.append(d)
    return kept


def _fix_deploys(
    rng: np.random.Generator, deploys: list[_Deploy], incidents: list[_Incident]
) -> list[_Deploy]:
    """Hotfix or rollback deployments that end incidents (always for sev1-size outages)."""
    out = []
    causes = {id(i.cause) for i in incidents if i.cause is not None}
    for inc in sorted(incidents, key=lambda i: i.start):
        if inc.resolved is None or inc.resolved - inc.detected < timedelta(minutes=6):
            continue
        big = inc.error_rate >= 0.3
        if not big and rng.random() >= (0.6 if inc.cause else 0.3):
            continue
        finished = inc.resolved - timedelta(seconds=int(rng.uniform(60, 300)))
        svc = _SERVICE[inc.service]
        if inc.cause is not None and (big or rng.random() < 0.5):
            good = [
                d
                for d in _counted(deploys, inc.service)
                if d.finished < inc.cause.finished and id(d) not in causes
            ]
            sha = good[-1].sha if good else _sha(rng)  # back to the last good version
            dtype = "rollback"
        else:
            sha, dtype = _sha(rng), "hotfix"
        started = finished - _minutes(rng, 1, 4)
        out.append(
            _Deploy(inc.service, svc.prod_env, "success", finished, started, sha, dtype, inc)
        )
    return out


def _describe(rng: np.random.Generator, inc: _Incident, t1: datetime) -> tuple[str, str]:
    """Severity from impact and duration, and a title."""
    hours = ((inc.resolved or t1) - inc.start).total_seconds() / 3600
    if inc.service == "notifications":
        severity = "sev3" if inc.error_rate >= 0.1 else "sev4"
        return severity, "Delayed notification delivery"
    if inc.kind == "latency":
        severity = "sev2" if inc.latency_factor >= 4 and hours >= 1 else "sev3"
        return severity, f"{inc.service}: slow responses"
    if inc.error_rate >= 0.3 or (inc.error_rate >= 0.15 and hours >= 2):
        severity = "sev1"
    elif inc.error_rate >= 0.12:
        severity = "sev2"
    else:
        severity = "sev3" if inc.error_rate >= 0.05 else "sev4"
    templates = ("{s}: elevated 5xx errors", "{s}: upstream timeouts", "{s}: database failover")
    return severity, templates[int(rng.integers(len(templates)))].format(s=inc.service)


def _check_links(incidents: list[_Incident], deploys: list[_Deploy]) -> None:
    """Make implicit links (commit or time) unambiguous; fall back to an explicit link."""
    for inc in incidents:
        if inc.cause is None:
            continue
        counted = _counted(deploys, inc.service)
        if inc.link == "sha" and sum(d.sha == inc.cause.sha for d in _counted(deploys)) != 1:
            inc.link = "explicit"
        if inc.link == "time":
            window = [
                d for d in counted if inc.start - timedelta(hours=24) <= d.finished <= inc.start
            ]
            if not window or window[-1] is not inc.cause:
                inc.link = "explicit"


# --------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------


def _plan_changes(
    rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
) -> list[_Change]:
    """Changes shipped by each deployment, plus data-quality cases and never-deployed changes."""
    growth_from = t1 - timedelta(weeks=3)
    changes: list[_Change] = []
    for svc in SERVICES:
        counted = _counted(deploys, svc.name)
        previous = t0 - timedelta(days=2)
        for dep in counted:
            if dep.dtype != "rollback":
                n = 1 if dep.dtype == "hotfix" else int(rng.integers(1, 6))
                growth = 1.0
                if svc.name == "checkout-api" and dep.finished >= growth_from:
                    week = (dep.finished - growth_from) // timedelta(weeks=1)
                    growth = _LEAD_TIME_GROWTH[min(week, 2)]
                changes += _shipped(rng, dep, previous, n, growth)
            previous = dep.finished
        if counted and t1 - counted[-1].finished > timedelta(minutes=30):
            for _ in range(int(rng.integers(1, 3))):
                merged = counted[-1].finished + timedelta(
                    seconds=int(rng.uniform(60, (t1 - counted[-1].finished).total_seconds() - 60))
                )
                changes.append(_pr_change(rng, svc.name, merged, 1.0, None))
    # Clock-skew cases: first commit after the deployment that shipped it.
    counted = _counted(deploys)
    for k in rng.choice(len(counted), size=min(2, len(counted)), replace=False):
        dep = counted[int(k)]
        changes.append(
            _Change(
                dep.service,
                dep.finished + _minutes(rng, 5, 120),
                None,
                None,
                _sha(rng),
                dep,
                pr=False,
            )
        )
    _number_changes(rng, changes)
    return sorted(changes, key=lambda c: (c.merged or c.first_commit, c.id))


def _shipped(
    rng: np.random.Generator, dep: _Deploy, previous: datetime, n: int, growth: float
) -> list[_Change]:
    """`n` changes merged after the previous deployment; the last carries the deployed sha."""
    span = max((dep.finished - previous).total_seconds() - 180, 60)
    merged = sorted(
        dep.finished - timedelta(seconds=int(120 + rng.uniform(0, span))) for _ in range(n)
    )
    out = []
    for when in merged:
        explicit = dep if rng.random() < 0.5 else None
        if dep.dtype == "hotfix":
            first, opened = when - _minutes(rng, 40, 180), when - _minutes(rng, 5, 30)
            out.append(_Change(dep.service, first, opened, when, _sha(rng), explicit, pr=True))
        elif rng.random() < 0.06:
            out.append(_Change(dep.service, when, None, None, _sha(rng), explicit, pr=False))
        else:
            out.append(_pr_change(rng, dep.service, when, growth, explicit))
    out[-1].sha = dep.sha
    return out


def _pr_change(
    rng: np.random.Generator, service: str, merged: datetime, growth: float, deploy: _Deploy | None
) -> _Change:
    """A pull request merged at `merged`: coding then review, hours to days long."""
    cycle = float(np.clip(rng.lognormal(np.log(18 * 3600), 0.8), 3600, 10 * 86400)) * growth
    first = merged - timedelta(seconds=int(cycle))
    opened = first + timedelta(seconds=int(cycle * rng.uniform(0.2, 0.6)))
    return _Change(service, first, opened, merged, _sha(rng), deploy, pr=True)


def _number_changes(rng: np.random.Generator, changes: list[_Change]) -> None:
    """PR numbers per repository in opening order; commits are identified by their sha."""
    for svc in SERVICES:
        prs = sorted(
            (c for c in changes if c.service == svc.name and c.pr),
            key=lambda c: (c.opened or c.first_commit, c.sha),
        )
        number = 100 + int(rng.integers(0, 900))
        for c in prs:
            number += int(rng.integers(1, 4))
            c.id = f"{svc.repo}#{number}"
    for c in changes:
        if not c.pr:
            c.id = c.sha


# --------------------------------------------------------------------------------------------
# Writers for the small datasets
# --------------------------------------------------------------------------------------------


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _write_deployments(
    landing: Path, deploys: list[_Deploy], rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """deployments/demo-deployments.csv, with three malformed rows."""
    header = [
        "deployment_id",
        "service",
        "environment",
        "status",
        "started_at",
        "finished_at",
        "commit_sha",
        "deployment_type",
        "fixes_incident_id",
        "team",
    ]
    rows = []
    for d in deploys:
        offset = _pick_offset(rng)
        dtype = "" if d.dtype == "normal" and rng.random() < 0.2 else d.dtype
        team = _SERVICE[d.service].team if rng.random() < 0.5 else ""
        rows.append(
            [
                d.id,
                d.service,
                d.environment,
                d.status,
                _iso(d.started, offset),
                _iso(d.finished, offset),
                d.sha,
                dtype,
                d.fixes.id if d.fixes else "",
                team,
            ]
        )
    n = len(deploys)
    year = deploys[-1].finished.year if deploys else 2026
    bad = [
        [
            f"dep-{n + 1:05d}",
            "catalog-api",
            "production",
            "success",
            "",
            f"{year}-02-31T10:15:00Z",
            _sha(rng),
            "normal",
            "",
            "",
        ],
        [
            f"dep-{n + 2:05d}",
            "checkout-api",
            "production",
            "maybe",
            "",
            _iso(deploys[n // 2].finished) if deploys else "",
            _sha(rng),
            "normal",
            "",
            "payments",
        ],
        [
            f"dep-{n + 3:05d}",
            "",
            "production",
            "success",
            "",
            _iso(deploys[-1].finished) if deploys else "",
            _sha(rng),
            "",
            "",
            "",
        ],
    ]
    for row in bad:
        rows.insert(int(rng.integers(0, len(rows) + 1)), row)
    path = _write(landing / "deployments" / "demo-deployments.csv", _csv_bytes(header, rows))
    return [path], len(rows), len(bad)


def _write_changes(
    landing: Path, changes: list[_Change], rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """changes/demo-changes.jsonl.gz (with an extra `repository` field), three malformed lines."""
    lines = []
    for c in changes:
        offset = _pick_offset(rng)
        record = {
            "change_id": c.id,
            "service": c.service,
            "first_committed_at": _iso(c.first_commit, offset),
            "opened_at": _iso(c.opened, offset) or None,
            "merged_at": _iso(c.merged, offset) or None,
            "commit_sha": c.sha,
            "deployment_id": c.deploy.id if c.deploy else None,
            "repository": _SERVICE[c.service].repo,
        }
        lines.append(json.dumps(record, separators=(",", ":")))
    sample = changes[len(changes) // 2] if changes else None
    when = _iso(sample.merged or sample.first_commit) if sample else ""
    bad = [
        '{"change_id":"acme/catalog-api#99999","service":"catalog-api","first_committed_at":"20',
        json.dumps(
            {
                "change_id": "acme/signup-service#99998",
                "service": "signup-service",
                "first_committed_at": "last tuesday",
                "opened_at": None,
                "merged_at": when,
                "commit_sha": _sha(rng),
                "deployment_id": None,
                "repository": "acme/signup-service",
            },
            separators=(",", ":"),
        ),
        json.dumps(
            {
                "change_id": "acme/checkout-api#99997",
                "service": None,
                "first_committed_at": when,
                "opened_at": None,
                "merged_at": when,
                "commit_sha": _sha(rng),
                "deployment_id": None,
                "repository": "acme/checkout-api",
            },
            separators=(",", ":"),
        ),
    ]
    for text in bad:
        lines.insert(int(rng.integers(0, len(lines) + 1)), text)
    data = ("\n".join(lines) + "\n").encode()
    path = _write(landing / "changes" / "demo-changes.jsonl.gz", data, compress=True)
    return [path], len(lines), len(bad)


def _write_incidents(
    landing: Path, incidents: list[_Incident], t1: datetime, rng: np.random.Generator
) -> tuple[list[Path], int, int]:
    """incidents/demo-incidents.csv, with two malformed rows."""
    header = [
        "incident_id",
        "service",
        "started_at",
        "detected_at",
        "resolved_at",
        "severity",
        "title",
        "journey",
        "caused_by_deployment_id",
        "root_cause_sha",
        "postmortem_url",
    ]
    journeys = {svc: name for name, svc, *_ in _JOURNEYS}
    rows = []
    for inc in incidents:
        offset = 60 if rng.random() < 0.1 else 0
        major = inc.severity in ("sev1", "sev2")
        journey = journeys.get(inc.service, "") if major or rng.random() < 0.3 else ""
        wants_pm = inc.severity in ("sev1", "sev2") or rng.random() < 0.2
        postmortem = (
            f"https://wiki.example.com/postmortems/{inc.id.lower()}"
            if wants_pm and inc.resolved is not None
            else ""
        )
        cause = inc.cause
        rows.append(
            [
                inc.id,
                inc.service,
                _iso(inc.start, offset),
                _iso(inc.detected, offset),
                _iso(inc.resolved, offset),
                inc.severity,
                inc.title,
                journey,
                cause.id if cause is not None and inc.link == "explicit" else "",
                cause.sha if cause is not None and inc.link == "sha" else "",
                postmortem,
            ]
        )
    n = len(incidents)
    mid = _iso(t1 - timedelta(days=3))
    bad = [
        [
            f"INC-{n + 1:04d}",
            "catalog-api",
            "2026-13-01T09:00:00Z",
            "",
            "",
            "sev3",
            "Imported from the old tracker",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "checkout-api",
            mid,
            mid,
            "",
            "sev4",
            "Incident without an id",
            "checkout",
            "",
            "",
            "",
        ],
    ]
    for row in bad:
        rows.insert(int(rng.integers(0, len(rows) + 1)), row)
    path = _write(landing / "incidents" / "demo-incidents.csv", _csv_bytes(header, rows))
    return [path], len(rows), len(bad)


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
