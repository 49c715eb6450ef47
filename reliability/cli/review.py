"""`reliability review [--week 2026-W47] [--print] [--rebuild]`: write or print a review."""

from __future__ import annotations

import argparse
import sys

import dagster as dg

from reliability.settings import Paths, export_defaults


def materialize_review(
    paths: Paths, week: str, *, rebuild: bool = False
) -> dg.ExecuteInProcessResult:
    """Materialize the review page for `week` ('' = the week just closed) from the warehouse as it
    is, or (rebuild) load, build and test everything first, as the weekly schedule does."""
    from orchestration.assets.review import week_run_config, weekly_review_page
    from orchestration.pipeline import use_paths
    from orchestration.resources import WarehouseResource

    use_paths(paths)
    warehouse = WarehouseResource(
        warehouse_path=str(paths.warehouse),
        landing_path=str(paths.landing),
        config_path=str(paths.config),
    )
    # Dagster's own log lines only from warnings up: the command prints what matters.
    run_config = {
        **week_run_config(week),
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
    }
    if not rebuild:
        return dg.materialize(
            [weekly_review_page],
            resources={"warehouse": warehouse},
            run_config=run_config,
            raise_on_error=False,
        )
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import build_definitions

    job = build_definitions(warehouse).resolve_job_def("reliability_everything")
    return job.execute_in_process(
        run_config=run_config, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def page_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object] | None:
    """The page asset's materialization metadata (week, paths, Markdown), if it materialized."""
    from orchestration.assets.review import PAGE_KEY

    for event in result.get_asset_materialization_events():
        mat = event.materialization
        if mat.asset_key == PAGE_KEY:
            return {k: v.value for k, v in mat.metadata.items()}
    return None


def cmd_review(args: argparse.Namespace) -> int:
    from orchestration.pipeline import failure_messages
    from reliability.review.weeks import parse_week

    paths = export_defaults()
    if args.week:
        try:
            parse_week(args.week)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    if not args.rebuild and not paths.warehouse.exists():
        print(
            f"No warehouse at {paths.warehouse}: run `reliability run` (or `reliability demo`) "
            "first, or pass --rebuild.",
            file=sys.stderr,
        )
        return 2
    result = materialize_review(paths, args.week or "", rebuild=args.rebuild)
    meta = page_metadata(result)
    if not result.success or meta is None:
        for message in failure_messages(result) or ["the review page was not written"]:
            print(message, file=sys.stderr)
        return 1
    if "markdown_path" not in meta:
        print(f"No weekly review written: {meta['review']}", file=sys.stderr)
        return 2
    if args.print:
        print(meta["review"])
    print(f"Weekly review {meta['week']}:")
    print(f"  {meta['markdown_path']}")
    print(f"  {meta['html_path']}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "review",
        help="write the weekly review (Markdown and HTML) for an ISO week",
        description="Render the weekly review of an ISO week from the warehouse into "
        "<data>/reports/weekly-review-<YYYY>-W<ww>.md and .html and print the paths.",
    )
    p.add_argument(
        "--week",
        help="ISO week, e.g. 2026-W47 (default: the week just closed in "
        "review.timezone, or the latest week with data before it)",
    )
    p.add_argument("--print", action="store_true", help="also print the Markdown")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="load new landing files and rebuild every model first (as the schedule does)",
    )
    p.set_defaults(func=cmd_review)
