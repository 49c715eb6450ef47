"""Benchmark: SLI and error budget tables against one plain DuckDB aggregation (not a test).

    python benchmarks/bench_slo.py --rows 10_000_000

1. Generates N request rows (default 100M: a week of a busy service) with DuckDB straight into
   raw.requests of a scratch warehouse, plus the raw.slo_* tables from the repository's config.
2. The floor: one plain aggregation over the same rows (per minute: count, count of status < 500),
   in a child process.
3. A full `dbt run` of the SLO models (intermediate/slo, marts/slo) in a child process.
4. The CPU seconds of the floor and of the minute model's compiled SQL, alternately in one
   process (best of --cpu-repeat): on a shared machine CPU time is steadier than wall time.
5. Appends one more day of rows and runs the models again (the daily incremental run).

--like-for-like also times a second floor grouped like the SLI (per minute, service, route,
method, status), reported apart from the issue's floor. --sli-floor also times the SLIs written
by hand as one plain aggregation (per minute, every SLO's valid and good counts as filtered
counts, built from the SLO tables; see sli_floor_sql), reported apart, with its CPU seconds
against the minute model's. --quiet-slo adds, before the daily run, an SLO whose routes have no
request yet, and runs one more day: from that day on the daily run should cost what it costs
without it.

Prints wall times, dbt's own per-model execution times, the ratio to the floor, and the peak
resident memory of each child process (/usr/bin/time -v, else getrusage), then one summary line.

"SLO SQL" is the sum of dbt's per-model execution times (the model's SQL plus the materialization
statements dbt issues around it); "dbt overhead" is the rest of the `dbt run` wall time (process
start-up, project parsing, adapter connection), reported separately: it does not grow with rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SELECT = "path:dbt_project/models/intermediate/slo path:dbt_project/models/marts/slo"
END = "2026-11-23 00:00:00"  # a Monday: the history ends here, the extra day follows it

# One row per request: mostly checkout and signup journey routes, some health checks and 429s,
# 0.3% 5xx, log-normal-ish latency; an incident hour with 30% errors on checkout.
GENERATE = """
create or replace table raw.requests as
with ids as (
    select i, hash(i) as h from range({offset}, {offset} + {n}) t(i)
)
select
    timestamp '{start}' + to_microseconds((i - {offset}) * {step_us}::bigint) as "timestamp",
    case when h % 10 < 5 then 'checkout-api' when h % 10 < 8 then 'signup-service'
         else 'catalog-api' end as service,
    case when h % 10 < 5 then
            ['/api/cart', '/api/cart/items', '/api/checkout', '/api/payment/confirm',
             '/healthz'][(1 + (h // 10) % 5)::integer]
         when h % 10 < 8 then ['/api/signup', '/api/verify', '/api/verify/status',
                               '/healthz'][(1 + (h // 10) % 4)::integer]
         else '/api/products/' || ((h // 10) % 5000)::varchar end as route,
    case when (h // 100) % 100 < 5 then 429
         when (h // 100) % 1000 < 3 then 503
         when service = 'checkout-api' and "timestamp" >= timestamp '{start}' + interval 50 hour
              and "timestamp" < timestamp '{start}' + interval 51 hour
              and (h // 100) % 10 < 3 then 500
         else 200 end as status,
    case when (h // 7) % 2 = 0 then 'GET' else 'POST' end as method,
    round(20 + ((h // 1000) % 1000) * ((h // 1000000) % 1000) / 1000.0, 1) as latency_ms,
    null::varchar as request_id,
    null::varchar as user_key,
    'bench' as _source_file,
    i as _source_record,
    null::varchar as _extra,
    now()::timestamp as _loaded_at
from ids
order by "timestamp"
"""

FLOOR = (
    "select date_trunc('minute', \"timestamp\") as minute_at, count(*) as requests, "
    "count(*) filter (where status < 500) as good from raw.requests group by 1"
)

# A second, like-for-like floor (--like-for-like): one plain aggregation with the grouping the SLI
# needs before any SLO logic (per minute, service, route, method, status; count, count of
# latencies). Reported apart: the floor above stays the primary figure.
LIKE_FOR_LIKE = (
    "select date_trunc('minute', \"timestamp\") as minute_at, service, route, method, status, "
    "count(*) as requests, count(latency_ms) as timed from raw.requests group by all"
)



def sli_floor_sql(con) -> str:
    """The SLIs written by hand as one plain aggregation (--sli-floor): per minute, each SLO's
    valid and good requests as filtered counts, from the raw.slo_* tables (selectors, route
    exclusions, status rules, latency thresholds). What a careful user would write without the
    models: the exclusions are tested once per request, each distinct selection once (shared by
    the SLOs that use it), selectors grouped by service, LIKE only for real patterns. It gives
    per-minute counts only (no hours, days, budgets, burn rates or alerts).
    """
    def lit(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    def codes(values: list[int]) -> str:  # 500..599 as a range, as one would write it
        runs: list[list[int]] = []
        for v in sorted(values):
            if runs and v == runs[-1][1] + 1:
                runs[-1][1] = v
            else:
                runs.append([v, v])
        return " or ".join(
            f"status = {a}" if a == b else f"status between {a} and {b}" for a, b in runs
        ) or "false"

    def route_is(pattern: str) -> str:
        if not any(c in pattern for c in "%_\\"):
            return f"route = {lit(pattern)}"
        escape = " ESCAPE '\\'" if "\\" in pattern else ""
        return f"route LIKE {lit(pattern)}{escape}"

    excluded = [
        r[0] for r in con.execute("select route_pattern from raw.slo_excluded_routes").fetchall()
    ]
    rules = con.execute("select status_code, is_bad, is_excluded from raw.slo_status_rules")
    bad, skip = [], []
    for code, is_bad, is_excluded in rules.fetchall():
        (skip if is_excluded else bad if is_bad else []).append(int(code))
    conditions = []
    if skip:
        conditions.append(f"not ({codes(skip)})")
    if excluded:
        conditions.append(f"not ({' or '.join(route_is(p) for p in excluded)})")
    counted = " and ".join(conditions) or "true"

    selections: dict[str, str] = {}  # selection expression -> its column
    counts = []
    slos = con.execute(
        "select slo_id, sli_type, latency_threshold_ms, coalesce(latency_op, 'lte') "
        "from raw.slo_definitions order by slo_id"
    ).fetchall()
    for i, (slo_id, sli_type, threshold, op) in enumerate(slos):
        by_service: dict[str, list[str]] = {}
        for svc, pattern, method in con.execute(
            "select service, route_pattern, http_method from raw.slo_selectors where slo_id = ? "
            "order by all", [slo_id],
        ).fetchall():
            by_service.setdefault(svc, []).append(
                route_is(pattern) + (f" and method = {lit(method)}" if method else "")
            )
        expr = " or ".join(
            f"(service = {lit(svc)} and ({' or '.join(f'({r})' for r in routes)}))"
            for svc, routes in by_service.items()
        )
        sel = selections.setdefault(expr, f"sel_{len(selections)}")
        if sli_type == "latency":
            cmp = "<" if op == "lt" else "<="
            counts.append(f"count(latency_ms) filter (where {sel}) as valid_{i}")
            counts.append(f"count(*) filter (where {sel} and latency_ms {cmp} {threshold}) "
                          f"as good_{i}")
        else:
            counts.append(f"count(*) filter (where {sel}) as valid_{i}")
            counts.append(f"count(*) filter (where {sel} and not ({codes(bad)})) as good_{i}")
    return (
        "select minute_at, " + ", ".join(counts) + " from (select minute_at, status, latency_ms, "
        + ", ".join(f"is_counted and ({expr}) as {col}" for expr, col in selections.items())
        + " from (select date_trunc('minute', \"timestamp\") as minute_at, status, latency_ms, "
        f"service, route, method, {counted} as is_counted from raw.requests)) group by 1"
    )


def sli_floor_differences(con, sli_sql: str) -> str:
    """Whether the SLIs by hand give the minute model's counts, minute by minute, for every SLO."""
    con.execute("set enable_progress_bar = false")
    slos = [r[0] for r in con.execute(
        "select slo_id from raw.slo_definitions order by slo_id").fetchall()]
    con.execute(f"create temp table by_hand as {sli_sql}")
    differing = {}
    for i, slo_id in enumerate(slos):
        differing[slo_id] = con.execute(
            f"""select count(*) from (
                select minute_at, valid_{i} as v, good_{i} as g from by_hand where valid_{i} > 0
            ) as h full join (
                select minute_at, valid_events as v, good_events as g
                from intermediate.int_slo__sli_minute where slo_id = ?
            ) as m using (minute_at)
            where h.v is distinct from m.v or h.g is distinct from m.g""", [slo_id]
        ).fetchone()[0]
    if not any(differing.values()):
        return f"the same valid and good counts in every minute, for all {len(slos)} SLOs"
    return "DIFFERENT minutes: " + ", ".join(f"{k} {v}" for k, v in differing.items() if v)


CPU_CODE = """
import resource, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("set enable_progress_bar = false")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
best = [float("inf"), float("inf")]
for _ in range(int(sys.argv[2])):
    for i, sql in enumerate(sys.argv[3:5]):
        c = cpu()
        con.execute("create or replace temp table t as " + sql)
        best[i] = min(best[i], cpu() - c)
print(best[0], best[1])
"""

INCIDENTS = """
create table if not exists raw.incidents (
    incident_id varchar, service varchar, started_at timestamp, detected_at timestamp,
    resolved_at timestamp, severity varchar, title varchar, journey varchar,
    caused_by_deployment_id varchar, root_cause_sha varchar, postmortem_url varchar,
    _source_file varchar, _source_record bigint, _extra varchar, _loaded_at timestamp)
"""


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run `cmd`; return (wall seconds, peak RSS of the child in MB, stdout)."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(timer + cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    peak_kb = int(m.group(1)) if m else max(before, resource.getrusage(
        resource.RUSAGE_CHILDREN).ru_maxrss)
    return wall, peak_kb / 1024, proc.stdout


def seconds(out: str) -> float:
    """The seconds a timing child printed last (after any progress bar on the same line)."""
    return float(out.split()[-1])


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def generate(warehouse: Path, n: int, offset: int, step_us: int, start: str) -> float:
    code = (
        "import sys, duckdb; con = duckdb.connect(sys.argv[1]); "
        "con.execute('create schema if not exists raw'); con.execute(sys.argv[2])"
    )
    sql = GENERATE.format(n=n, offset=offset, step_us=step_us, start=start)
    if offset:
        sql = sql.replace("create or replace table raw.requests as", "insert into raw.requests")
    wall, _, _ = measured(python(code, str(warehouse), sql))
    return wall


def print_slowest(models: dict[str, float], most: int | None = None) -> None:
    """dbt's per-model execution times, slowest first (the `most` slowest, when given)."""
    for name, secs in sorted(models.items(), key=lambda kv: -kv[1])[:most]:
        print(f"    {name:<32} {secs:7.2f} s")


def dbt(args: list[str], env: dict[str, str], target: Path) -> tuple[float, float, dict]:
    exe = str(Path(sys.executable).with_name("dbt"))
    cmd = [exe, *args, "--profiles-dir", "dbt_project", "--target-path", str(target)]
    wall, peak, _ = measured(cmd, env)
    results = json.loads((target / "run_results.json").read_text())
    per_model = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}
    return wall, peak, per_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=100_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch warehouse")
    parser.add_argument("--cpu-repeat", type=int, default=3,
                        help="CPU-time comparison of the floor and the minute model's SQL, best "
                             "of N alternating runs in one process (0: skip)")
    parser.add_argument("--like-for-like", action="store_true",
                        help="also time the like-for-like aggregation (reported apart, not in "
                             "the ratio or the peak)")
    parser.add_argument("--days", type=int, default=7,
                        help="days of history the rows are spread over (default 7: one week); "
                             "a longer history with the same rows shows what the daily "
                             "incremental run costs when the SLO tables hold months")
    parser.add_argument("--sli-floor", action="store_true",
                        help="also time the SLIs written by hand as one plain aggregation "
                             "(reported apart, not in the ratio or the peak)")
    parser.add_argument("--quiet-slo", action="store_true",
                        help="before the daily run, add an SLO whose routes have no request yet "
                             "(a route not live yet): the daily run must not read more for it")
    args = parser.parse_args()

    import duckdb

    from reliability.config import load_config
    from reliability.settings import CONFIG_VAR, DEFAULTS
    from reliability.slo.tables import load_slos, write_slo_tables

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_slo_"))
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "bench.duckdb"
    warehouse.unlink(missing_ok=True)
    env = {**os.environ, "RELIABILITY_WAREHOUSE": str(warehouse)}
    import datetime as dt

    span_us = args.days * 86400 * 1_000_000
    step_us = max(1, span_us // args.rows)
    day_rows = 86400 * 1_000_000 // step_us
    start = str(dt.datetime.fromisoformat(END) - dt.timedelta(days=args.days))

    print(f"rows: {args.rows:,} over {args.days} days from {start} ({step_us} us apart); "
          f"scratch: {warehouse}")
    gen = generate(warehouse, args.rows, 0, step_us, start)
    with duckdb.connect(str(warehouse)) as con:
        write_slo_tables(con, load_slos(load_config(DEFAULTS[CONFIG_VAR])))
        con.execute(INCIDENTS)
    print(f"generated in {gen:.1f} s")
    dbt(["run", "--select", "stg_requests stg_incidents"], env, work / "t0")

    floor_code = (
        "import sys, duckdb, time; con = duckdb.connect(sys.argv[1], read_only=True); "
        "t = time.perf_counter(); con.execute(sys.argv[2]).fetchall(); "
        "print(time.perf_counter() - t)"
    )
    floor_wall, floor_peak, out = measured(python(floor_code, str(warehouse), FLOOR))
    floor_query = seconds(out)
    print(f"floor (one aggregation): query {floor_query:.2f} s, process {floor_wall:.2f} s, "
          f"peak {floor_peak:,.0f} MB")
    if args.like_for_like:
        _, lfl_peak, out = measured(python(floor_code, str(warehouse), LIKE_FOR_LIKE))
        lfl_query = seconds(out)
        print(f"like-for-like aggregation (minute, service, route, method, status): query "
              f"{lfl_query:.2f} s ({lfl_query / floor_query:.1f}x the floor), "
              f"peak {lfl_peak:,.0f} MB")

    if args.sli_floor:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            sli_sql = sli_floor_sql(con)
        _, sli_peak, out = measured(python(floor_code, str(warehouse), sli_sql))
        sli_query = seconds(out)
        print(f"SLIs by hand (one aggregation, filtered counts per SLO): query {sli_query:.2f} s "
              f"({sli_query / floor_query:.1f}x the floor), peak {sli_peak:,.0f} MB")

    full_wall, full_peak, full_models = dbt(["run", "--select", SELECT], env, work / "t1")
    full_sql = sum(full_models.values())
    print(f"full build (dbt run, {len(full_models)} models): wall {full_wall:.2f} s, "
          f"model SQL {full_sql:.2f} s, peak {full_peak:,.0f} MB")
    print_slowest(full_models)
    minute = full_models["int_slo__sli_minute"]
    rest = full_sql - minute
    print(f"ratio to the floor: model SQL {full_sql / floor_query:.2f}x, "
          f"int_slo__sli_minute alone {minute / floor_query:.2f}x, the rest "
          f"({len(full_models) - 1} entries) {rest:.2f} s ({rest / floor_query:.2f}x), "
          f"dbt wall {full_wall / floor_wall:.2f}x")
    if args.like_for_like:
        print(f"ratio to the like-for-like aggregation: model SQL {full_sql / lfl_query:.2f}x, "
              f"int_slo__sli_minute alone {minute / lfl_query:.2f}x")

    if args.sli_floor:
        print(f"ratio to the SLIs by hand: model SQL {full_sql / sli_query:.2f}x, "
              f"int_slo__sli_minute alone {minute / sli_query:.2f}x")
        with duckdb.connect(str(warehouse), read_only=True) as con:
            print(f"SLIs by hand vs int_slo__sli_minute: {sli_floor_differences(con, sli_sql)}")

    # CPU seconds, less sensitive than wall time to other work on a shared machine: the floor and
    # the minute model's compiled SQL, alternately in one process (best of `--cpu-repeat`).
    cpu_floor = cpu_minute = None
    if args.cpu_repeat:
        compiled = next((work / "t1" / "compiled").rglob("int_slo__sli_minute.sql")).read_text()
        _, _, out = measured(python(CPU_CODE, str(warehouse), str(args.cpu_repeat), FLOOR,
                                    compiled))
        cpu_floor, cpu_minute = (float(v) for v in out.strip().splitlines()[-1].split())
        print(f"CPU seconds, same process, best of {args.cpu_repeat}: floor {cpu_floor:.2f}, "
              f"int_slo__sli_minute SQL {cpu_minute:.2f} ({cpu_minute / cpu_floor:.2f}x)")
        if args.sli_floor:
            _, _, out = measured(python(CPU_CODE, str(warehouse), str(args.cpu_repeat), sli_sql,
                                        compiled))
            cpu_sli, cpu_minute2 = (float(v) for v in out.strip().splitlines()[-1].split())
            print(f"CPU seconds, same process, best of {args.cpu_repeat}: SLIs by hand "
                  f"{cpu_sli:.2f}, int_slo__sli_minute SQL {cpu_minute2:.2f} "
                  f"({cpu_minute2 / cpu_sli:.2f}x)")

    if args.quiet_slo:
        bundle = load_slos(load_config(DEFAULTS[CONFIG_VAR]))
        first = bundle.slos[0]
        quiet = replace(first, slo_id="quiet-availability", slo_name="quiet-availability",
                        selection=replace(first.selection, routes=("/api/not-live-yet%",)))
        with duckdb.connect(str(warehouse)) as con:
            write_slo_tables(con, replace(bundle, slos=(*bundle.slos, quiet)))
        print(f"added an SLO without traffic ({quiet.slo_id}: {first.selection.service} "
              f"/api/not-live-yet%)")
    gen_day = generate(warehouse, day_rows, args.rows, step_us, END)
    inc_wall, inc_peak, inc_models = dbt(["run", "--select", SELECT], env, work / "t2")
    inc_sql = sum(inc_models.values())
    print(f"appended one day ({day_rows:,} rows, {gen_day:.1f} s); incremental run: "
          f"wall {inc_wall:.2f} s, model SQL {inc_sql:.2f} s, "
          f"int_slo__sli_minute {inc_models['int_slo__sli_minute']:.2f} s "
          f"(full: {full_models['int_slo__sli_minute']:.2f} s; two days of {args.days} = "
          f"{full_models['int_slo__sli_minute'] * 2 / args.days:.2f} s, the days recomputed), "
          f"peak {inc_peak:,.0f} MB")
    print_slowest(inc_models, 6)
    if args.quiet_slo:  # the day after: the new SLO is no longer new, and still has no traffic
        next_day = str(dt.datetime.fromisoformat(END) + dt.timedelta(days=1))
        generate(warehouse, day_rows, args.rows + day_rows, step_us, next_day)
        wall2, peak2, models2 = dbt(["run", "--select", SELECT], env, work / "t3")
        inc_peak = max(inc_peak, peak2)
        print(f"one more day, the SLO without traffic no longer new: wall {wall2:.2f} s, "
              f"model SQL {sum(models2.values()):.2f} s, peak {peak2:,.0f} MB")
        print_slowest(models2, 6)
    peak = max(floor_peak, full_peak, inc_peak)
    print(f"peak memory over all steps: {peak:,.0f} MB")
    print("summary: rows | floor | SLO SQL (ratio) | dbt overhead | peak | incremental SQL (wall)")
    print(f"summary: {args.rows:,} | {floor_query:.2f} s | {full_sql:.2f} s "
          f"({full_sql / floor_query:.1f}x) | {full_wall - full_sql:.1f} s | "
          f"{peak / 1024:.2f} GB | {inc_sql:.2f} s ({inc_wall:.1f} s)")
    if cpu_floor is not None and cpu_minute is not None:
        print(f"summary: CPU s floor / int_slo__sli_minute SQL: {cpu_floor:.2f} / {cpu_minute:.2f} "
              f"({cpu_minute / cpu_floor:.1f}x)")
    if not args.keep and args.workdir is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
