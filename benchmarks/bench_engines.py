"""Spark local mode next to DuckDB: the time to build every model, on the demo and on 10M requests.

For each scenario the demo generator writes landing files, the extract assets load them into
DuckDB and write the Parquet lake (timed once, shared), then `dbt build` of models and seeds
(data tests excluded: the same SQL cost on both) runs on DuckDB and on Spark in local mode
(`local[*]`, one JVM: what `reliability run --target spark` does without a cluster). Spark's
time includes starting its JVM and creating the lake tables: that is the cost of going
distributed on one machine.

    uv run python benchmarks/bench_engines.py                 # demo (12 weeks) and 10M requests
    uv run python benchmarks/bench_engines.py --scenarios demo
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from orchestration.dbt_project import DBT_EXECUTABLE, DBT_PROJECT, prepare_manifest  # noqa: E402
from orchestration.pipeline import failure_messages, run_pipeline  # noqa: E402
from reliability.demo import generate_demo  # noqa: E402
from reliability.settings import CONFIG_VAR, DEFAULTS, Paths  # noqa: E402

END = date(2026, 11, 23)
WEEKS = 12
REQUESTS_PER_WEEK_AT_SCALE_1 = 272_600  # from the demo generator: 6 weeks at 0.1 = 163,551
# Every raw table the models read: the datasets, the config, the SLO definitions and the review
# inputs (postmortems, review settings); not the dbt models, the serving copy or the review page.
RAW_SELECTION = "group:raw or group:config or group:slo or (group:review and kind:duckdb)"


@dataclass(frozen=True)
class Scenario:
    name: str
    scale: float


def scenarios(requested: list[str], rows: int) -> list[Scenario]:
    known = {
        "demo": Scenario("demo", 1.0),
        "10m": Scenario(f"{rows / 1e6:g}M requests", rows / (WEEKS * REQUESTS_PER_WEEK_AT_SCALE_1)),
    }
    return [known[n] for n in requested]


def dbt_build(target: str, paths: Paths, env: dict[str, str], target_path: Path) -> float:
    """Seconds for `dbt build` of models and seeds on `target`, in a fresh process (as Dagster
    runs it)."""
    from reliability.config import load_config

    dbt_vars = json.dumps(load_config(paths.config).dbt_vars())
    cmd = [DBT_EXECUTABLE, "build", "--vars", dbt_vars, "--target", target,
           "--profiles-dir", str(DBT_PROJECT.profiles_dir),
           "--exclude-resource-type", "test", "unit_test", "--target-path", str(target_path)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise RuntimeError(f"dbt build on {target} failed:\n{tail}")
    return elapsed


def run_scenario(s: Scenario, work: Path) -> dict[str, object]:
    paths = Paths(landing=work / "landing", warehouse=work / "warehouse" / "reliability.duckdb",
                  config=DEFAULTS[CONFIG_VAR])
    t0 = time.perf_counter()
    generate_demo(paths.landing, weeks=WEEKS, end=END, seed=7, scale=s.scale)
    generated = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = run_pipeline(paths, target="spark", selection=RAW_SELECTION)
    if not result.success:
        raise RuntimeError(failure_messages(result))
    loaded = time.perf_counter() - t0
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        requests = con.execute("SELECT count(*) FROM raw.requests").fetchone()[0]
    env = {k: os.environ[k] for k in os.environ if k.startswith("RELIABILITY_")}
    env["RELIABILITY_SPARK_MASTER"] = os.environ.get("RELIABILITY_SPARK_MASTER", "local[*]")
    env["RELIABILITY_SPARK_DRIVER_MEMORY"] = os.environ.get("RELIABILITY_SPARK_DRIVER_MEMORY", "8g")
    duck = dbt_build("duckdb", paths, env, work / "dbt-duckdb")
    spark = dbt_build("spark", paths, env, work / "dbt-spark")
    return {"scenario": s.name, "requests": requests, "generate_s": generated,
            "load_and_lake_s": loaded, "duckdb_s": duck, "spark_s": spark}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["demo", "10m"], choices=["demo", "10m"])
    parser.add_argument("--rows", type=int, default=10_000_000, help="request rows of '10m'")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    prepare_manifest()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        for s in scenarios(args.scenarios, args.rows):
            print(f"[{time.strftime('%H:%M:%S')}] {s.name} (scale {s.scale:.3f}) ...", flush=True)
            results.append(run_scenario(s, Path(tmp) / s.name.replace(" ", "_")))
            r = results[-1]
            print(f"  {r['requests']:,} requests; generated in {r['generate_s']:.0f} s, loaded "
                  f"into DuckDB + lake in {r['load_and_lake_s']:.0f} s; dbt build: DuckDB "
                  f"{r['duckdb_s']:.1f} s, Spark local {r['spark_s']:.1f} s", flush=True)
        if args.keep:
            print(f"work folder: {tmp}")
            input("press Enter to delete it")
    print(f"\n{'scenario':<16} {'requests':>12} {'DuckDB s':>9} {'Spark local s':>14} "
          f"{'Spark/DuckDB':>13}")
    for r in results:
        print(f"{r['scenario']:<16} {r['requests']:>12,} {r['duckdb_s']:>9.1f} "
              f"{r['spark_s']:>14.1f} {r['spark_s'] / r['duckdb_s']:>12.1f}x")
    print("\n(dbt build of every model and seed, data tests excluded; Spark in local mode on "
          f"{os.cpu_count()} cores, JVM start included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
