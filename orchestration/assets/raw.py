"""One extract asset per dataset: new landing files into the raw tables."""

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from reliability.engines import publish_load
from reliability.ingest.contract import DATASETS
from reliability.ingest.loader import LoadResult, load_dataset
from reliability.ingest.settings import ingest_settings


def load_metadata(result: LoadResult) -> dict[str, object]:
    """What a materialization reports: files and rows read, loaded, rejected, and table size."""
    return {
        "dagster/row_count": result.table_rows,
        "files_read": len(result.files),
        "files_skipped_already_loaded": result.files_skipped,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "rows_duplicate": result.rows_duplicate,
        "rejects_total": result.rejects_total,
        "files": dg.MetadataValue.md(
            "\n".join(
                f"- `{f.path.name}` ({f.format}): {f.rows_loaded} loaded, "
                f"{f.rows_rejected} rejected, {f.rows_duplicate} duplicate"
                for f in result.files
            )
            or "no new files"
        ),
    }


def build_raw_asset(dataset: str) -> dg.AssetsDefinition:
    """The extract asset of one dataset of the input contract."""

    @dg.asset(
        key=["raw", dataset],
        group_name="raw",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb"},
        description=(
            f"raw.{dataset}: landing files from <RELIABILITY_LANDING>/{dataset}/ (CSV, JSON Lines, "
            "Parquet, plain or gzipped"
            + (", or access logs in requests/<service>/" if dataset == "requests" else "")
            + "). Bad rows go to raw.rejects; files already loaded (same checksum) are skipped."
        ),
    )
    def _raw(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        cfg = warehouse.load_config()
        settings = ingest_settings(cfg.raw, cfg.path)
        with warehouse.writing(), warehouse.connect() as con:
            result = load_dataset(
                con,
                dataset,
                warehouse.landing,
                salt=cfg.user_key_salt,
                default_service=cfg.default_request_service,
                progress=context.log.info,
                settings=settings,
            )
            publish_load(con, dataset, say=context.log.info)  # lake / PostgreSQL, when configured
        context.log.info(
            f"{dataset}: {len(result.files)} new file(s), {result.rows_loaded} rows loaded, "
            f"{result.rows_rejected} rejected; table has {result.table_rows} rows"
        )
        return dg.MaterializeResult(metadata=load_metadata(result))

    return _raw


raw_assets = [build_raw_asset(name) for name in DATASETS]
