"""dbt: the models (staging, intermediate, marts) grouped by domain folder, and the dbt CLI.

The manifest is checked here, when the code location loads, not when a module is imported."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.dbt_project import DBT_PROJECT, dbt_resource
from orchestration.defs.settings import LoadSettings

PREPARE_HINT = (
    "Prepare it with `reliability prepare` (or `dagster-dbt project prepare-and-package --file "
    "orchestration/dbt_project.py`); `reliability run` and `reliability dev` do it for you."
)


class ManifestMissing(dg.DagsterInvalidDefinitionError):
    """The dbt manifest has not been prepared."""


def require_manifest(path: Path) -> Path:
    """`path` if the manifest exists, else ManifestMissing saying how to prepare it."""
    if not path.exists():
        raise ManifestMissing(f"dbt manifest not found at {path}. {PREPARE_HINT}")
    return path


def dbt_assets_definition() -> dg.AssetsDefinition:
    """The dbt assets (imported here: building them reads the manifest)."""
    DBT_PROJECT.prepare_if_dev()  # only under `dagster dev`; production prepares at build time
    require_manifest(DBT_PROJECT.manifest_path)
    from orchestration.assets.dbt import dbt_models

    return dbt_models


def definitions(settings: LoadSettings) -> dg.Definitions:
    return dg.Definitions(assets=[dbt_assets_definition()], resources={"dbt": dbt_resource()})
