"""Ingest benchmark: the requests loader against a plain DuckDB scan of the same file.

Generates N request rows with DuckDB (a week of timestamps with a daily cycle, a few services and
routes, ~1% 5xx, lognormal latency) as Parquet, gzipped JSON Lines and an nginx combined access
log with a trailing request time, then for each format times

* the floor: a plain DuckDB read of the file (CREATE TABLE AS for Parquet / JSON Lines, a
  line count with read_csv(sep='') for the log), and
* the ingest: `load_dataset(con, "requests", landing)` into a fresh warehouse file,

each in its own child process (peak RSS from os.wait4), back to back, best of --repeat.

    python benchmarks/bench_ingest.py                 # 10M rows, temp workdir
    python benchmarks/bench_ingest.py --rows 1000000 --repeat 1 --gzip-log
    python benchmarks/bench_ingest.py --bad-every 10000   # 0.01% of the rows rejected
    python benchmarks/bench_ingest.py --formats parquet --next   # and an incremental load
    python benchmarks/bench_ingest.py --formats parquet --dup-every 100   # 1% repeated ids
    python benchmarks/bench_ingest.py --formats log,jsonl.gz --ladder   # what each guarantee costs

`--ladder` also times plain DuckDB statements that add the loader's guarantees one at a time, from
the floor up to the loader: for the access log (LADDER), where the 1M lines/s target stands; for
gzipped JSON Lines (JSONL_LADDER), where the 2x target stands.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

SERVICES = ("checkout-api", "catalog-api", "signup-service", "search-api")
ROUTES = (  # (service index, method, path); picked with a skew towards the first ones
    (1, "GET", "/api/products"), (3, "GET", "/api/search"), (1, "GET", "/api/products/123"),
    (0, "GET", "/api/cart"), (0, "POST", "/api/cart/items"), (0, "POST", "/api/checkout"),
    (2, "POST", "/api/signup"), (2, "GET", "/api/verify"), (3, "GET", "/api/suggest"),
    (1, "GET", "/api/categories"), (0, "POST", "/api/payment"), (2, "POST", "/api/login"),
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "curl/8.5.0",
    "okhttp/4.12.0",
)
LOG_SERVICE = "bench-api"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


GENERATE_SQL = f"""
CREATE OR REPLACE MACRO u(i, k) AS (hash(i, k) >> 11)::DOUBLE / 9007199254740992.0;
CREATE OR REPLACE TABLE gen AS
WITH base AS (
    SELECT i, i::DOUBLE / $n AS f, u(i, 1) AS u1, u(i, 2) AS u2, u(i, 3) AS u3,
           u(i, 4) AS u4, u(i, 5) AS u5, u(i, 6) AS u6, 1 + floor(pow(u(i, 7), 1.6) * 12)::INT AS r
    FROM range($n) t(i)
), shaped AS (
    SELECT *,
        -- a week; the warp t + a/(2 pi) sin(2 pi t) (t in days) gives a daily load cycle
        TIMESTAMPTZ '2026-03-02 00:00:00+00' + to_microseconds((
            (f * 7 + 0.45 / (2 * pi()) * sin(2 * pi() * f * 7)) * 86400e6 + u6 * 1e6)::BIGINT
        ) AS ts,
        CASE WHEN $bad > 0 AND i % $bad = $bad - 1 THEN 999  -- rejected by the loader
             WHEN u1 < 0.01 THEN [500, 502, 503, 504][1 + floor(u2 * 4)::INT]
             WHEN u1 < 0.05 THEN [400, 401, 404, 429][1 + floor(u2 * 4)::INT]
             WHEN u1 < 0.10 THEN [201, 204, 304][1 + floor(u2 * 3)::INT]
             ELSE 200 END AS status,
        round(exp(ln(45) + 0.8 * sqrt(-2 * ln(greatest(u3, 1e-12))) * cos(2 * pi() * u4))
              * CASE WHEN u1 < 0.01 THEN 4 ELSE 1 END, 1) AS latency_ms
    FROM base
)
SELECT
    ts AS timestamp,
    {_sql_list(SERVICES)}[1 + {[s for s, _, _ in ROUTES]}[r]] AS service,
    {_sql_list(tuple(p for _, _, p in ROUTES))}[r] AS route,
    status,
    {_sql_list(tuple(m for _, m, _ in ROUTES))}[r] AS method,
    latency_ms,
    md5(CASE WHEN $dup > 0 AND i % $dup = $dup - 1 THEN i - 1 ELSE i END::VARCHAR) AS request_id,
    CASE WHEN u5 < 0.6 THEN 'user-' || (hash(i, 8) % 200000)::VARCHAR END AS user_key,
    CASE WHEN u5 < 0.1 THEN '2001:db8:' || printf('%x', hash(i, 9) % 65535) || '::'
              || printf('%x', 1 + hash(i, 10) % 65534)
         ELSE ['203.0.113.', '198.51.100.', '192.0.2.'][1 + (hash(i, 9) % 3)::INT]
              || (1 + hash(i, 10) % 254)::VARCHAR END AS client,
    (200 + hash(i, 11) % 4000)::VARCHAR AS bytes,
    ['-', 'https://shop.example/', 'https://www.google.com/'][1 + (hash(i, 12) % 3)::INT]
        AS referer,
    {_sql_list(AGENTS)}[1 + (hash(i, 13) % {len(AGENTS)})::INT] AS agent,
    CASE WHEN hash(i, 14) % 10 = 0 THEN '?q=' || (hash(i, 15) % 1000)::VARCHAR ELSE '' END
        AS query
FROM shaped
ORDER BY i
"""

REQUEST_COLUMNS = "timestamp, service, route, status, method, latency_ms, request_id, user_key"

LOG_LINE_SQL = """
SELECT client || ' - '
    || CASE WHEN hash(request_id) % 20 = 0 THEN coalesce(user_key, '-') ELSE '-' END
    || ' [' || strftime(timestamp, '%d/%b/%Y:%H:%M:%S +0000') || '] "'
    || method || ' ' || route || query || ' HTTP/1.1" ' || status::VARCHAR || ' ' || bytes
    || ' "' || referer || '" "' || agent || '" ' || printf('%.3f', latency_ms / 1000) AS line
FROM gen
"""


def generate(
    workdir: Path, rows: int, gzip_log: bool, bad_every: int = 0, quiet: bool = False,
    dup_every: int = 0,
) -> dict[str, Path]:
    """Write the benchmark files; returns {format: landing folder}.

    With `bad_every` N > 0, every Nth row has status 999, which the loader rejects; with
    `dup_every` M > 0, every Mth row repeats the previous row's request id (a re-delivery).
    """
    landings = {
        "parquet": workdir / "landing-parquet",
        "jsonl.gz": workdir / "landing-jsonl",
        "log": workdir / "landing-log",
    }
    if gzip_log:
        landings["log.gz"] = workdir / "landing-loggz"
    files = {
        "parquet": landings["parquet"] / "requests" / "requests.parquet",
        "jsonl.gz": landings["jsonl.gz"] / "requests" / "requests.jsonl.gz",
        "log": landings["log"] / "requests" / LOG_SERVICE / "access.log",
        "log.gz": workdir / "landing-loggz" / "requests" / LOG_SERVICE / "access.log.gz",
    }
    marker = workdir / (
        f".rows-{rows}" + (f"-bad-{bad_every}" if bad_every else "")
        + (f"-dup-{dup_every}" if dup_every else "")
    )
    if all(files[f].exists() for f in landings) and marker.exists():
        if not quiet:
            print(f"reusing files in {workdir}")
        return landings
    for f in landings:
        files[f].parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(workdir / "gen.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = '{workdir / 'gen.tmp'}'")
    for old in workdir.glob(".rows-*"):
        old.unlink()
    con.execute(
        GENERATE_SQL.replace("$n", str(int(rows))).replace("$bad", str(int(bad_every)))
        .replace("$dup", str(int(dup_every)))
    )
    con.execute(
        f"COPY (SELECT {REQUEST_COLUMNS} FROM gen) TO '{files['parquet']}' (FORMAT parquet)"
    )
    con.execute(
        f"""COPY (SELECT strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS timestamp,
                  {REQUEST_COLUMNS.replace('timestamp, ', '')} FROM gen)
            TO '{files['jsonl.gz']}' (FORMAT json, COMPRESSION gzip)"""
    )
    opts = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t'"
    con.execute(f"COPY ({LOG_LINE_SQL}) TO '{files['log']}' ({opts})")
    if gzip_log:
        con.execute(f"COPY ({LOG_LINE_SQL}) TO '{files['log.gz']}' ({opts}, COMPRESSION gzip)")
    con.close()
    (workdir / "gen.duckdb").unlink()
    marker.touch()
    bad = f", every {bad_every:,}th row rejected (status 999)" if bad_every else ""
    bad += f", every {dup_every:,}th row a repeated request id" if dup_every else ""
    print(f"generated {rows:,} rows per format{bad} in {time.perf_counter() - t0:.1f}s")
    for f in landings:
        print(f"  {f:9} {files[f].stat().st_size / 1e6:9.1f} MB  {files[f]}")
    return landings


def _only_file(landing: Path) -> Path:
    return next(p for p in sorted((landing / "requests").rglob("*")) if p.is_file())


def floor_sql(fmt: str, path: Path) -> str:
    """The plain DuckDB read of a benchmark file."""
    p = "'" + str(path) + "'"
    if fmt == "parquet":
        return f"CREATE TABLE t AS SELECT * FROM read_parquet({p})"
    if fmt == "jsonl.gz":
        return f"CREATE TABLE t AS SELECT * FROM read_json({p}, format='newline_delimited')"
    return (
        f"SELECT count(line) FROM read_csv({p}, columns={{'line': 'VARCHAR'}}, header=false, "
        "sep='', quote='', escape='', auto_detect=false)"
    )


# The access-log ladder: plain DuckDB statements, each adding one of the loader's guarantees to the
# one before. The parse is the loader's split on double quotes and spaces, without any check: it
# assumes every line is well formed, so it is a lower bound, not an alternative loader.
_LOG_FIELDS = (
    "CAST(strptime(substring(_p[1], strpos(_p[1], '[') + 1, 26), '%d/%b/%Y:%H:%M:%S %z') "
    "AS TIMESTAMP) AS ts, 'bench-api' AS service, "
    "split_part(split_part(_p[2], ' ', 2), '?', 1) AS route, split_part(_p[2], ' ', 1) AS method, "
    "TRY_CAST(split_part(_p[3], ' ', 2) AS INTEGER) AS status, "
    "TRY_CAST(split_part(_p[7], ' ', 2) AS DOUBLE) * 1000 AS latency_ms"
)
_LOG_PARTS = (
    "split_part(_p[1], ' ', 1) AS client, split_part(_p[3], ' ', 3) AS bytes, "
    "_p[4] AS referer, _p[6] AS agent"
)
_LOG_TYPED_EXTRAS = (
    "sha256('salt' || client) AS client_hash, TRY_CAST(bytes AS BIGINT) AS bytes_sent, "
    "nullif(referer, '-') AS referer, agent AS user_agent"
)
_LOG_JSON_EXTRA = (
    "CAST(json_object('client_hash', sha256('salt' || client), 'bytes_sent', "
    "TRY_CAST(bytes AS BIGINT), 'referer', nullif(referer, '-'), 'user_agent', agent) "
    "AS VARCHAR) AS _extra"
)
_NUMBERED = "rowid + 1 AS _source_record"
LADDER = {  # rung -> (what it adds, statements; {lines} is the file split on its quotes)
    "parse": (
        "the contract fields split out and typed, stored (no checks, no record numbers)",
        [f"CREATE TABLE t AS SELECT {_LOG_FIELDS} FROM {{lines}}"],
    ),
    "bare-clear": (
        "parse + client (in clear), bytes, referer, user agent as typed columns; no checks, "
        "no record numbers",
        [f"CREATE TABLE t AS SELECT {_LOG_FIELDS}, {_LOG_PARTS} FROM {{lines}}"],
    ),
    "bare-extras": (
        "the same with the client's salted hash instead of the client (what the loader keeps)",
        [f"CREATE TABLE t AS SELECT * EXCLUDE (client, bytes, referer, agent), {_LOG_TYPED_EXTRAS} "
         f"FROM (SELECT {_LOG_FIELDS}, {_LOG_PARTS} FROM {{lines}})"],
    ),
    "numbered": (
        "parse + record numbers: an order-preserving stage, numbered by position",
        [f"CREATE TEMP TABLE s AS SELECT {_LOG_FIELDS} FROM {{lines}}",
         f"CREATE TABLE t AS SELECT *, {_NUMBERED} FROM s"],
    ),
    "extras-typed": (
        "numbered + client hash, bytes, referer, user agent as typed columns",
        [f"CREATE TEMP TABLE s AS SELECT {_LOG_FIELDS}, {_LOG_PARTS} FROM {{lines}}",
         f"CREATE TABLE t AS SELECT * EXCLUDE (client, bytes, referer, agent), "
         f"{_LOG_TYPED_EXTRAS}, {_NUMBERED} FROM s"],
    ),
    "extras-json": (
        "+ the same as the loader's `_extra` JSON (zstd), instead of typed columns",
        [f"CREATE TEMP TABLE s AS SELECT {_LOG_FIELDS}, {_LOG_PARTS} FROM {{lines}}",
         "CREATE TABLE t (ts TIMESTAMP, service VARCHAR, route VARCHAR, method VARCHAR, "
         "status INTEGER, latency_ms DOUBLE, _extra VARCHAR USING COMPRESSION zstd, "
         "_source_record BIGINT)",
         f"INSERT INTO t SELECT * EXCLUDE (client, bytes, referer, agent), {_LOG_JSON_EXTRA}, "
         f"{_NUMBERED} FROM s"],
    ),
}

# The JSON Lines ladder. `read_json` is the floor's reader: it drops keys outside the contract and
# skips blank lines, so its rungs show what the targets would allow if the loader gave up keeping
# unknown keys and numbering lines exactly. The line rungs read lines as the loader does (one
# JSON parse per line for the contract values) without any check; {path} is the file.
_JSONL_NAMES = ("timestamp", "service", "route", "status", "method", "latency_ms", "request_id",
                "user_key")
_JSONL_PATHS = ", ".join(f"'$.\"{n}\"'" for n in _JSONL_NAMES)
_JSONL_LINES = (
    "(SELECT line, json_extract_string(line, [" + _JSONL_PATHS + "]) AS v FROM read_csv({path}, "
    "columns={{'line': 'VARCHAR'}}, header=false, sep='', quote='', escape='', auto_detect=false))"
)
_JSONL_TYPED = (
    "CAST(CAST(v[1] AS TIMESTAMPTZ) AS TIMESTAMP) AS timestamp, v[2] AS service, v[3] AS route, "
    "CAST(v[4] AS INTEGER) AS status, v[5] AS method, CAST(v[6] AS DOUBLE) AS latency_ms, "
    "v[7] AS request_id, v[8] AS user_key"
)
_JSONL_UNKNOWN = (
    "len(list_filter(json_keys(line), lambda k: k NOT IN ("
    + ", ".join(f"'{n}'" for n in _JSONL_NAMES) + "))) AS _unknown_keys"
)
_HASHED = "sha256('salt' || user_key) AS user_key"
JSONL_LADDER = {  # rung -> (what it adds, statements)
    "reader-hashed": (
        "read_json as the floor + user keys hashed (salted SHA-256)",
        [f"CREATE TABLE t AS SELECT * REPLACE ({_HASHED}) FROM "
         "read_json({path}, format='newline_delimited')"],
    ),
    "reader-numbered": (
        "+ record numbers (an order-preserving stage, numbered by position)",
        ["CREATE TEMP TABLE s AS SELECT * FROM read_json({path}, format='newline_delimited')",
         f"CREATE TABLE t AS SELECT * REPLACE ({_HASHED}), {_NUMBERED} FROM s"],
    ),
    "lines-parse": (
        "the loader's line reader, one JSON parse per line, typed (no checks, no numbers)",
        [f"CREATE TABLE t AS SELECT {_JSONL_TYPED} FROM {_JSONL_LINES}"],
    ),
    "lines-numbered": (
        "+ record numbers and user keys hashed",
        [f"CREATE TEMP TABLE s AS SELECT {_JSONL_TYPED} FROM {_JSONL_LINES}",
         f"CREATE TABLE t AS SELECT * REPLACE ({_HASHED}), {_NUMBERED} FROM s"],
    ),
    "lines-keys": (
        "+ the count of keys outside the contract (what keeping them needs)",
        [f"CREATE TEMP TABLE s AS SELECT {_JSONL_TYPED}, {_JSONL_UNKNOWN} FROM {_JSONL_LINES}",
         f"CREATE TABLE t AS SELECT * REPLACE ({_HASHED}), {_NUMBERED} FROM s"],
    ),
}
LADDERS = {"log": LADDER, "jsonl.gz": JSONL_LADDER}


def ladder_child(rung: str, fmt: str, path: Path, warehouse: Path) -> dict[str, float | int]:
    """One rung of a ladder (in a child process), with the loader's memory limit."""
    from reliability.ingest.loader import connect

    c0, t0 = _cpu(), time.perf_counter()
    con = connect(warehouse)
    lines = (
        f"(SELECT string_split(line, '\"') AS _p FROM read_csv('{path}', "
        "columns={'line': 'VARCHAR'}, header=false, sep='', quote='', escape='', "
        "auto_detect=false))"
    )
    con.execute("BEGIN TRANSACTION")
    for sql in LADDERS[fmt][rung][1]:
        con.execute(sql.format(lines=lines) if fmt == "log" else sql.format(path=f"'{path}'"))
    con.execute("COMMIT")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "rows": rows}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, fmt: str, landing: Path, warehouse: Path) -> dict[str, float | int]:
    """One timed run (in a child process): the floor or the ingest into a fresh warehouse."""
    c0 = _cpu()
    if kind == "floor":
        t0 = time.perf_counter()
        con = duckdb.connect(str(warehouse))
        con.execute("SET TimeZone = 'UTC'")
        con.execute(floor_sql(fmt, _only_file(landing)))
        rows = (
            con.execute("SELECT count(*) FROM t").fetchone()[0] if fmt in ("parquet", "jsonl.gz")
            else con.fetchone()[0]
        )
        con.close()
        return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "rows": rows}
    if kind.startswith("rung-"):
        return ladder_child(kind.removeprefix("rung-"), fmt, _only_file(landing), warehouse)
    from reliability.ingest import loader
    from reliability.ingest.loader import connect, load_dataset

    if kind == "ingest-no-extra":  # the loader with the access log's `_extra` switched off
        plain = loader.accesslog_source
        loader.accesslog_source = lambda *a, **k: replace(
            plain(*a, **k), extra_parts={}, extra_sql="NULL"
        )
    con = connect(warehouse)
    if kind == "next":  # the following week's file into a warehouse holding this one
        load_dataset(con, "requests", landing)
        landing = next_landing(landing)
    c0 = _cpu()
    t0 = time.perf_counter()
    result = load_dataset(con, "requests", landing)
    con.close()
    return {
        "seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "rows": result.rows_loaded,
        "rejected": result.rows_rejected, "duplicate": result.rows_duplicate,
    }


@dataclass
class Run:
    seconds: float
    cpu: float
    rows: int
    rejected: int
    duplicate: int
    maxrss_mb: float


def next_landing(landing: Path) -> Path:
    """Where `--next` keeps the following week's Parquet file (new request ids)."""
    return landing.with_name(landing.name + "-next")


def write_next(landing: Path) -> None:
    """The following week: the same rows a week later, with other request ids."""
    target = next_landing(landing) / "requests" / "next.parquet"
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    duckdb.execute(
        f"COPY (SELECT * REPLACE (timestamp + INTERVAL 7 DAY AS timestamp, md5(request_id) AS "
        f"request_id) FROM read_parquet('{_only_file(landing)}')) TO '{target}' (FORMAT parquet)"
    )


def run_child(kind: str, fmt: str, landing: Path, workdir: Path) -> Run:
    """Run one measurement in a fresh interpreter; peak RSS comes from wait4's rusage."""
    warehouse = workdir / f"wh-{kind}.duckdb"
    for p in workdir.glob(f"wh-{kind}.duckdb*"):
        p.unlink() if p.is_file() else shutil.rmtree(p)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, fmt, str(landing), str(warehouse)],
        stdout=subprocess.PIPE, text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} {fmt} failed (exit {proc.returncode})")
    data = json.loads(out.strip().splitlines()[-1])
    rss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(float(data["seconds"]), float(data["cpu"]), int(data["rows"]),
               int(data.get("rejected", 0)), int(data.get("duplicate", 0)), rss_mb)


def print_ladder(
    fmt: str, landing: Path, workdir: Path, repeat: int, rows: int, floor: Run
) -> None:
    """A ladder: each rung's rows (lines) per second and its ratio to the format's floor."""
    floor_is = "line count" if fmt == "log" else "read_json"
    print(f"\n  {fmt} ladder (best of {repeat}; floor = {floor_is}, "
          f"{rows / floor.seconds:,.0f} rows/s)")
    steps = [(f"rung-{name}", what) for name, (what, _) in LADDERS[fmt].items()]
    if fmt == "log":
        steps.append(
            ("ingest-no-extra", "the loader (checks, rejects, record numbers), without `_extra`")
        )
    steps.append(("ingest", "the loader as it is"))
    for kind, what in steps:
        runs = [run_child(kind, fmt, landing, workdir) for _ in range(repeat)]
        best = min(runs, key=lambda r: r.seconds)
        print(f"  {kind.removeprefix('rung-'):16} {rows / best.seconds:>11,.0f} rows/s "
              f"{best.seconds:6.2f} s {best.seconds / floor.seconds:5.1f}x  CPU {best.cpu:5.1f} s  "
              f"RSS {max(r.maxrss_mb for r in runs):,.0f} MB  {what}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--workdir", type=Path, help="where files go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the workdir (files are reused)")
    ap.add_argument("--gzip-log", action="store_true", help="also time a gzipped access log")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per measurement, best kept (0: only generate the files)")
    ap.add_argument("--formats", default="parquet,jsonl.gz,log,log.gz")
    ap.add_argument("--bad-every", type=int, default=0, metavar="N",
                    help="give every Nth row status 999, which the loader rejects (0: none)")
    ap.add_argument("--dup-every", type=int, default=0, metavar="M",
                    help="give every Mth row the previous row's request id (a re-delivery the "
                         "loader drops; the access log has no request ids)")
    ap.add_argument("--next", action="store_true",
                    help="also time loading the following week's Parquet file into a warehouse "
                         "that holds this one (an incremental load)")
    ap.add_argument("--ladder", action="store_true",
                    help="access log and JSON Lines: also time the ladder of plain DuckDB "
                         "statements that add the loader's guarantees one at a time (LADDERS)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, fmt, landing, warehouse = args.child
        print(json.dumps(child(kind, fmt, Path(landing), Path(warehouse))))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.repeat < 1:
            generate(workdir, args.rows, args.gzip_log, args.bad_every, dup_every=args.dup_every)
            return
        # Generated in a child process: a child forked from a parent that had grown to the
        # generator's size would report the parent's peak RSS as its own.
        subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--workdir", str(workdir),
             "--repeat", "0", "--bad-every", str(args.bad_every),
             "--dup-every", str(args.dup_every)]
            + (["--gzip-log"] if args.gzip_log else []),
            check=True,
        )
        landings = generate(workdir, args.rows, args.gzip_log, args.bad_every, quiet=True,
                            dup_every=args.dup_every)
        wanted = [f for f in args.formats.split(",") if f in landings]
        print(f"\n{os.cpu_count()} cores, duckdb {duckdb.__version__}, best of {args.repeat}\n")
        head = (f"{'format':9} {'rows':>11} {'floor rows/s':>13} {'ingest rows/s':>14} "
                f"{'ratio':>6} {'floor RSS':>10} {'ingest RSS':>11}")
        print(head)
        print("-" * len(head))
        for fmt in wanted:
            floors: list[Run] = []
            ingests: list[Run] = []
            for _ in range(args.repeat):  # back to back, so both see the same machine load
                floors.append(run_child("floor", fmt, landings[fmt], workdir))
                ingests.append(run_child("ingest", fmt, landings[fmt], workdir))
            fl = min(floors, key=lambda r: r.seconds)
            ing = min(ingests, key=lambda r: r.seconds)
            expected = args.rows - (args.rows // args.bad_every if args.bad_every else 0)
            if args.dup_every:
                print(f"  loaded {ing.rows:,}, rejected {ing.rejected:,}, repeated ids dropped "
                      f"{ing.duplicate:,}")
            elif (ing.rows, ing.rejected) != (expected, args.rows - expected):
                print(f"  warning: ingest loaded {ing.rows:,} rows and rejected {ing.rejected:,}, "
                      f"expected {expected:,} and {args.rows - expected:,}")
            print(
                f"{fmt:9} {args.rows:>11,} {args.rows / fl.seconds:>13,.0f} "
                f"{args.rows / ing.seconds:>14,.0f} {ing.seconds / fl.seconds:>5.2f}x "
                f"{max(r.maxrss_mb for r in floors):>7,.0f} MB "
                f"{max(r.maxrss_mb for r in ingests):>8,.0f} MB",
                flush=True,
            )
            print("          wall s: floor " + " ".join(f"{r.seconds:.2f}" for r in floors)
                  + " | ingest " + " ".join(f"{r.seconds:.2f}" for r in ingests)
                  + f"   CPU s (best run): floor {fl.cpu:.2f} | ingest {ing.cpu:.2f}", flush=True)
            if args.next and fmt == "parquet":
                write_next(landings[fmt])
                nexts = [run_child("next", fmt, landings[fmt], workdir)
                         for _ in range(args.repeat)]
                nx = min(nexts, key=lambda r: r.seconds)
                print(f"          next week's file into that warehouse: {nx.rows:,} rows in "
                      + " ".join(f"{r.seconds:.2f}" for r in nexts) + f" s, "
                      f"{nx.seconds / fl.seconds:.2f}x the floor, CPU {nx.cpu:.2f} s, "
                      f"peak RSS {max(r.maxrss_mb for r in nexts):,.0f} MB", flush=True)
            if args.ladder and fmt in LADDERS:
                print_ladder(fmt, landings[fmt], workdir, args.repeat, args.rows, fl)
    finally:
        for p in workdir.glob("wh-*"):
            p.unlink() if p.is_file() else shutil.rmtree(p)
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print(f"files kept in {workdir}")


if __name__ == "__main__":
    main()
