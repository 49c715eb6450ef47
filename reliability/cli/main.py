"""The `reliability` command: demo, run, prepare, dev and the metric subcommands."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reliability.cli import progress
from reliability.config import ConfigError, load_config
from reliability.settings import PROJECT_ROOT, Paths, export_defaults

# Modules under reliability/cli/ that add subcommands (when present).
COMMAND_MODULES = ("dora", "slo", "review", "sql")


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _check_config(paths: Paths) -> bool:
    try:
        load_config(paths.config)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return False
    return True


BUSY = 3  # exit code: another run is writing this warehouse


def _writing(paths: Paths, work: Callable[[], int]) -> int:
    """Run `work` holding the warehouse's writer lock; stop at once if another run holds it."""
    from reliability.writer_lock import WarehouseBusy, writing

    try:
        with writing(paths.warehouse):
            return work()
    except WarehouseBusy as exc:
        print(f"reliability: {exc}", file=sys.stderr)
        return BUSY


def _run(paths: Paths, target: str | None = None, full_refresh: bool = False) -> int:
    """Prepare the dbt manifest, materialize everything, print a summary (one writer at a time:
    reliability/writer_lock.py)."""
    return _writing(paths, lambda: _run_locked(paths, target, full_refresh))


def _run_locked(paths: Paths, target: str | None, full_refresh: bool) -> int:
    from orchestration.dbt_project import prepare_manifest
    from orchestration.pipeline import failure_messages, run_pipeline
    from reliability.cli.summary import format_summary, warehouse_counts
    from reliability.engines import DEFAULT_TARGET, TargetError, activate_for_cli, describe

    if not _check_config(paths):
        return 2
    try:
        target = activate_for_cli(target, paths, _say)
    except TargetError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    _say("Preparing the dbt manifest (dbt parse) ...")
    prepare_manifest()
    _say(f"Running the pipeline on {paths.landing} -> {paths.warehouse} ...")
    started = time.monotonic()
    log_path = paths.warehouse.parent / "logs" / "last-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress.STREAM.append(sys.stdout)
    try:
        with log_path.open("w") as log, contextlib.redirect_stdout(log):
            result = run_pipeline(paths, show_progress=True, target=target,
                                  full_refresh=full_refresh)
    finally:
        progress.STREAM.pop()
    _say(f"Full dbt and Dagster output: {log_path}")
    if not result.success:
        print("\nThe run failed; the warehouse keeps its previous contents for the failed step.",
              file=sys.stderr)
        for message in failure_messages(result):
            print(f"  {message}", file=sys.stderr)
        return 1
    _say(f"Pipeline finished in {time.monotonic() - started:.1f} s\n")
    marts_engine = None if target == DEFAULT_TARGET else describe(target)
    print(format_summary(warehouse_counts(paths.warehouse), paths.warehouse, marts_engine))
    return 0



def cmd_demo(args: argparse.Namespace) -> int:
    paths = export_defaults()
    return _writing(paths, lambda: _demo(paths, args))


def _demo(paths: Paths, args: argparse.Namespace) -> int:
    from reliability.demo import generate_demo

    end = date.fromisoformat(args.end) if args.end else None
    _say(f"Generating {args.weeks} weeks of demo data into {paths.landing} ...")
    summary = generate_demo(paths.landing, weeks=args.weeks, end=end, seed=args.seed,
                            scale=args.scale)
    from reliability.demo.postmortems import write_demo_postmortems

    postmortems = write_demo_postmortems(paths.landing)
    total = sum(summary.rows.values())
    _say(f"Wrote {total:,} records ({summary.start} to {summary.end}), "
         f"{sum(summary.malformed.values())} of them deliberately malformed, "
         f"and {len(postmortems)} postmortems")
    return _run(paths)


def cmd_run(args: argparse.Namespace) -> int:
    return _run(export_defaults(), args.target, args.full_refresh)


def cmd_prepare(args: argparse.Namespace) -> int:
    from orchestration.dbt_project import prepare_manifest

    export_defaults()
    print(f"dbt manifest written to {prepare_manifest()}")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    """`dagster dev` with the path variables set and a dagster.yaml limiting the writer pool."""
    paths = export_defaults()
    if not _check_config(paths):
        return 2
    home = Path(os.environ.get("DAGSTER_HOME") or paths.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    bin_dir = str(Path(sys.executable).parent)  # dbt and dagster of this environment
    env = {**os.environ, "DAGSTER_HOME": str(home),
           "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    dagster = Path(sys.executable).with_name("dagster")
    extra = [a for a in args.dagster_args if a != "--"]
    cmd = [str(dagster) if dagster.exists() else "dagster", "dev", "-m",
           "orchestration.definitions", *extra]
    return subprocess.call(cmd, env=env, cwd=PROJECT_ROOT)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reliability",
        description="DORA metrics, SLOs and error budgets next to business KPIs, in DuckDB.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate demo data into the landing folder and run")
    demo.add_argument("--weeks", type=int, default=12, help="weeks of data (default 12)")
    demo.add_argument("--end", help="exclusive end date, a Monday (default: this week's Monday)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=float, default=1.0, help="request volume multiplier")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="run the pipeline on whatever is in the landing folder")
    run.add_argument("--target", choices=("duckdb", "spark", "postgres"),
                     help="engine that builds the dbt models (default: RELIABILITY_TARGET, the "
                     "config's engine.target, else duckdb); see docs/engines.md")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild the incremental SLO tables whole (dbt build --full-refresh), "
                     "e.g. after loading older requests on PostgreSQL or Spark")
    run.set_defaults(func=cmd_run)

    prepare = sub.add_parser("prepare", help="prepare the dbt manifest (dbt parse)")
    prepare.set_defaults(func=cmd_prepare)

    dev = sub.add_parser("dev", help="start the Dagster UI (dagster dev) on this project")
    dev.add_argument("dagster_args", nargs=argparse.REMAINDER)
    dev.set_defaults(func=cmd_dev)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"reliability.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
