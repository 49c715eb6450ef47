"""Running the asset graph in-process, for the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from reliability.settings import Paths, export_paths


def use_paths(paths: Paths) -> None:
    """Point the path variables at `paths` (dbt's profile reads RELIABILITY_WAREHOUSE; the review
    and serving assets RELIABILITY_REPORTS and RELIABILITY_SERVING)."""
    export_paths(paths)


def run_pipeline(
    paths: Paths,
    *,
    selection: str | None = None,
    instance: dg.DagsterInstance | None = None,
    on_event: Callable[[dg.DagsterEvent], None] | None = None,
    raise_on_error: bool = False,
    show_progress: bool = False,
    target: str | None = None,
    full_refresh: bool = False,
) -> dg.ExecuteInProcessResult:
    """Materialize the whole graph (or an asset selection string) against `paths`.

    `target` (duckdb, spark, postgres) exports that engine's settings (reliability.engines)
    for the assets and dbt. `full_refresh` rebuilds the incremental dbt models whole. The dbt
    manifest must have been prepared (orchestration.dbt_project.prepare_manifest).
    """
    use_paths(paths)
    from reliability.engines import activate, current_target, default_selection

    if target:
        activate(target, paths)
    selection = selection or default_selection(current_target())
    from orchestration.definitions import (
        build_definitions,  # imported late: reads the prepared manifest
    )
    from orchestration.resources import WarehouseResource

    defs = build_definitions(
        WarehouseResource(
            warehouse_path=str(paths.warehouse),
            landing_path=str(paths.landing),
            config_path=str(paths.config),
        )
    )
    job = defs.resolve_job_def("reliability_everything")
    if show_progress:
        from reliability.cli.progress import progress_logger

        job = job.with_logger_defs({"progress": progress_logger})
    run_config: dict = {"loggers": {"progress": {}}} if show_progress else {}
    if full_refresh:  # dbt build --full-refresh: the incremental models rebuilt whole
        run_config["ops"] = {"dbt_models": {"config": {"full_refresh": True}}}
    result = job.execute_in_process(
        run_config=run_config or None,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
        op_selection=None,
        asset_selection=(
            list(dg.AssetSelection.from_string(selection).resolve(defs.resolve_asset_graph()))
            if selection
            else None
        ),
    )
    if on_event:
        for event in result.all_events:
            on_event(event)
    return result


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """The error messages of failed steps, without Dagster's stack traces."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            err = data.error if data else None
            while err is not None and err.cause is not None and "dagster" in err.cls_name.lower():
                err = err.cause
            text = err.message.strip() if err else event.message or "failed"
            messages.append(f"{event.step_key}: {text}")
    return messages
