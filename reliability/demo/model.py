"""Constants, the simulated company (services, routes, journeys) and the records of the plan,
with the small helpers the other modules share (random streams, time and byte encoding)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
